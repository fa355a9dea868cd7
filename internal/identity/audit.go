package identity

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
)

// Record appends what a member of the tenant (or a system job acting for
// it) did to the tenant's audit trail, naming them as the trail names
// everyone: their display name at the time. job names a system job.
func Record(tx *gorm.DB, sc access.Scope, job, action, target string, detail map[string]string) error {
	actor := sc.Actor()
	kind, name := "member", ""
	if actor.ID == uuid.Nil {
		kind, name = "system", job
		if name == "" {
			name = "platform job"
		}
	} else if err := tx.Raw(`SELECT display_name FROM people WHERE id = ?`, actor.ID).Scan(&name).Error; err != nil {
		return err
	}
	_, err := audit.Append(tx, sc.Tenant(), audit.Event{ActorKind: kind, ActorID: &actor.ID, ActorName: name, Basis: string(sc.Basis()),
		Action: action, Target: target, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
