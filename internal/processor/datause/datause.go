// Package datause is a tenant's agreement that the processor may use its
// data for development and testing, and the pseudonymised copies made
// under it. Only while an agreement is in force (signed, started, not
// ended, not withdrawn) can an operator ask for a copy; the copy replaces
// every identifier with a keyed pseudonym, drops free text, contact and
// security data and files, and is written under the tenant's own prefix
// in its region (so contract-end deletion removes it), and is removed with
// every object version when the agreement is withdrawn or reaches its end
// date (purge.go). Asking, making and removing are in the tenant's audit
// log.
package datause

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Agreement is a tenant's data use agreement.
type Agreement struct {
	TenantID     uuid.UUID   `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID   `gorm:"primaryKey" json:"id"`
	Terms        string      `json:"terms"`
	Purpose      string      `json:"purpose"`
	StartsOn     tenant.Date `json:"starts_on"`
	EndsOn       tenant.Date `json:"ends_on"`
	SignedBy     *uuid.UUID  `json:"signed_by"`
	SignedByName string      `json:"signed_by_name"`
	SignedAt     time.Time   `json:"signed_at"`
	WithdrawnBy  *uuid.UUID  `json:"withdrawn_by"`
	WithdrawnAt  *time.Time  `json:"withdrawn_at"`
	Active       bool        `gorm:"-" json:"active"`
}

// TableName is the gorm table.
func (Agreement) TableName() string { return "data_use_agreements" }

// inForce reports whether a copy may be made under a on day.
func (a Agreement) inForce(now time.Time) bool {
	day := now.UTC().Format(time.DateOnly)
	return a.WithdrawnAt == nil && a.StartsOn.String() <= day && day <= a.EndsOn.String()
}

// NewAgreement is what a tenant admin signs.
type NewAgreement struct {
	Terms    string `json:"terms"`
	Purpose  string `json:"purpose"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

// Service keeps agreements and makes copies.
type Service struct {
	db    *database.DB
	store *objstore.Store
	key   []byte
	now   func() time.Time
}

// NewService returns a Service; key keys the pseudonyms.
func NewService(db *database.DB, store *objstore.Store, key []byte) *Service {
	return &Service{db: db, store: store, key: key, now: time.Now}
}

// Sign records the scoped member's signature on a new agreement.
func (s *Service) Sign(ctx context.Context, sc access.Scope, in NewAgreement) (Agreement, error) {
	if !sc.TenantWide() {
		return Agreement{}, errs.New(errs.ErrForbidden, "a data use agreement covers the whole tenant; a role for some schools cannot sign it")
	}
	var fe errs.FieldErrors
	in.Terms, in.Purpose = strings.TrimSpace(in.Terms), strings.TrimSpace(in.Purpose)
	if in.Terms == "" || len(in.Terms) > 20000 {
		fe.Add("terms", "must be the agreed terms (1-20000 characters)")
	}
	if in.Purpose == "" || len(in.Purpose) > 2000 || errs.HasControl(in.Purpose) {
		fe.Add("purpose", "must say what the data may be used for (1-2000 characters)")
	}
	start, err1 := tenant.ParseDate(in.StartsOn)
	end, err2 := tenant.ParseDate(in.EndsOn)
	if err1 != nil {
		fe.Add("starts_on", "must be a date (YYYY-MM-DD)")
	}
	if err2 != nil || err1 == nil && end.Before(start.Time) {
		fe.Add("ends_on", "must be a date (YYYY-MM-DD) on or after the start")
	} else if err1 == nil && end.Sub(start.Time) > 3*366*24*time.Hour {
		fe.Add("ends_on", "an agreement lasts at most three years; sign a new one after")
	}
	if err := fe.Err(); err != nil {
		return Agreement{}, err
	}
	actor := sc.Actor().ID
	a := Agreement{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), Terms: in.Terms, Purpose: in.Purpose, StartsOn: start, EndsOn: end,
		SignedBy: &actor, SignedAt: s.now().UTC()}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT display_name FROM people WHERE id = ?`, actor).Scan(&a.SignedByName).Error; err != nil {
			return err
		}
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("datause: sign: %w", err)
		}
		_, err := audit.Append(tx, sc.Tenant(), audit.Event{ActorKind: "member", ActorID: &actor, ActorName: a.SignedByName, Basis: string(sc.Basis()),
			Action: "data-use.signed", Target: "data use agreement " + a.ID.String(),
			Detail: map[string]string{"purpose": a.Purpose, "starts_on": a.StartsOn.String(), "ends_on": a.EndsOn.String()}})
		return err
	})
	a.Active = a.inForce(s.now())
	return a, err
}

// Withdraw ends an agreement at once: no copy can be made under it after,
// and the copies made under it are removed with every object version.
func (s *Service) Withdraw(ctx context.Context, sc access.Scope, id uuid.UUID) (Agreement, error) {
	if !sc.TenantWide() {
		return Agreement{}, errs.New(errs.ErrForbidden, "a data use agreement covers the whole tenant")
	}
	var a Agreement
	actor := sc.Actor().ID
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&a), "agreement %s", id); err != nil {
			return err
		}
		if a.WithdrawnAt != nil {
			return errs.New(errs.ErrConflict, "already withdrawn")
		}
		now := s.now().UTC()
		a.WithdrawnAt, a.WithdrawnBy = &now, &actor
		if err := tx.Model(&Agreement{}).Where("id = ?", id).Updates(map[string]any{"withdrawn_at": now, "withdrawn_by": actor}).Error; err != nil {
			return err
		}
		var name string
		if err := tx.Raw(`SELECT display_name FROM people WHERE id = ?`, actor).Scan(&name).Error; err != nil {
			return err
		}
		_, err := audit.Append(tx, sc.Tenant(), audit.Event{ActorKind: "member", ActorID: &actor, ActorName: name, Basis: string(sc.Basis()),
			Action: "data-use.withdrawn", Target: "data use agreement " + a.ID.String()})
		return err
	})
	if err != nil {
		return a, err
	}
	// The copies made under it go now; whatever fails here (the object
	// store down) the hourly purge finishes.
	if err := s.purgeTenant(ctx, sc.Tenant()); err != nil {
		slog.WarnContext(ctx, "datause: copies left to the purge job", "tenant_id", sc.Tenant(), "err", err)
	}
	return a, nil
}

// List is the scoped tenant's agreements, newest first.
func (s *Service) List(ctx context.Context, sc access.Scope) ([]Agreement, error) {
	out := []Agreement{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Order("signed_at DESC").Find(&out).Error })
	now := s.now()
	for i := range out {
		out[i].Active = out[i].inForce(now)
	}
	return out, err
}
