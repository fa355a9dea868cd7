package tutor

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Assign makes tutor the learner's personal tutor: admins who reach the
// learner; the tutor must hold the tutor role.
func (s *Service) Assign(ctx context.Context, sc access.Scope, learner, tutor uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, learner, true); err != nil {
			return err
		}
		if err := identity.Reach(tx, sc, tutor, false); err != nil {
			return err
		}
		if ok, err := hasRole(tx, tutor, identity.RoleTutor); err != nil {
			return err
		} else if !ok {
			return errs.Field("tutor", "must hold the tutor role")
		}
		if tutor == learner {
			return errs.Field("tutor", "cannot be the learner")
		}
		return tx.Exec(assignSQL, sc.Tenant(), tutor, learner, sc.Actor().ID).Error
	})
}

// End ends a tutorship: the tutor's access ends at once.
func (s *Service) End(ctx context.Context, sc access.Scope, learner, tutor uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, learner, true); err != nil {
			return err
		}
		return database.Found(tx.Exec(endSQL, tutor, learner), "no tutorship in force")
	})
}

// TutorsOf is a learner's tutors and the candidates: admins who reach the
// learner.
func (s *Service) TutorsOf(ctx context.Context, sc access.Scope, learner uuid.UUID) (t Tutoring, err error) {
	t = Tutoring{Current: []Tutee{}, Candidates: []Tutee{}}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, learner, true); err != nil {
			return err
		}
		if err := tx.Raw(tutorsOfSQL, learner).Scan(&t.Current).Error; err != nil {
			return err
		}
		q := tx.Table("people").Select("people.id AS person_id, people.display_name").
			Where(candidateSQL, learner).
			Order("people.display_name").Limit(500)
		return identity.Visible(q, sc).Scan(&t.Candidates).Error
	})
	return t, err
}
