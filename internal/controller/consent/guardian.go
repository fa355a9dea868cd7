package consent

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Child is a guardian's child, as the guardian sees them.
type Child struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
}

// LinkGuardian records that guardian acts for child (an admin's act).
func (s *Service) LinkGuardian(ctx context.Context, sc access.Scope, guardian, child uuid.UUID) error {
	if guardian == uuid.Nil {
		return errs.Field("guardian_id", "is required")
	}
	if guardian == child {
		return errs.Field("guardian_id", "a person cannot be their own guardian")
	}
	actor := sc.Actor().ID
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		for _, p := range []uuid.UUID{guardian, child} {
			if err := identity.Reach(tx, sc, p, true); err != nil {
				return err
			}
		}
		var role int64
		if err := tx.Raw(`SELECT count(*) FROM role_assignments WHERE person_id = ? AND role = ?`,
			guardian, identity.RoleGuardian).Scan(&role).Error; err != nil {
			return err
		}
		if role == 0 {
			return errs.Field("guardian_id", "give this person the guardian role first")
		}
		err := tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id, created_by) VALUES (?, ?, ?, ?)`, sc.Tenant(), guardian, child, actor).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errs.New(errs.ErrConflict, "already linked")
		}
		return err
	})
}

// UnlinkGuardian ends a guardianship.
func (s *Service) UnlinkGuardian(ctx context.Context, sc access.Scope, guardian, child uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, child, true); err != nil {
			return err
		}
		return database.Found(tx.Exec(`DELETE FROM guardianships WHERE guardian_id = ? AND child_id = ?`, guardian, child), "not linked")
	})
}

// Children lists the scoped member's children.
func (s *Service) Children(ctx context.Context, sc access.Scope) (out []Child, err error) {
	return s.ChildPage(ctx, sc, database.Page{})
}

// childOrder lists children by name, then id.
var childOrder = database.Keyset{Key: "p.display_name", Cast: "text", ID: "p.id"}

// At is where a child sits in the order ChildPage lists them.
func (c Child) At() (string, uuid.UUID) { return c.DisplayName, c.ID }

// ChildPage is a page of the children the caller is a guardian of.
func (s *Service) ChildPage(ctx context.Context, sc access.Scope, pg database.Page) (out []Child, err error) {
	out = []Child{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := tx.Table("guardianships g").Select("p.id, p.display_name").
			Joins("JOIN people p ON p.tenant_id = g.tenant_id AND p.id = g.child_id").Where("g.guardian_id = ?", sc.Actor().ID)
		return childOrder.Apply(q, pg).Scan(&out).Error
	})
	return out, err
}
