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
	out = []Child{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT p.id, p.display_name FROM guardianships g JOIN people p ON p.id = g.child_id
			WHERE g.guardian_id = ? ORDER BY p.display_name, p.id`, sc.Actor().ID).Scan(&out).Error
	})
	return out, err
}
