package assignment

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Who may see a learner's arrangement: admins of the tenant or of a school
// where the learner holds a role, who may also change it; and the teachers
// of courses the learner is on, who need it to mark fairly. Nobody else,
// not even other teachers of the school: an arrangement hints at a
// learner's needs.

// adminOfSQL is true when @actor administers person column p.
func adminOfSQL(p string) string {
	return `EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.person_id = @actor AND ra.role = 'admin'
	AND (ra.school_id IS NULL OR EXISTS (SELECT 1 FROM role_assignments pr WHERE pr.person_id = ` + p + ` AND pr.school_id = ra.school_id)))`
}

// teacherOfSQL is true when @actor teaches a course person column p learns on.
func teacherOfSQL(p string) string {
	return `EXISTS (SELECT 1 FROM enrolments le JOIN enrolments te ON te.course_id = le.course_id
	WHERE le.person_id = ` + p + ` AND le.role = 'learner' AND te.person_id = @actor AND te.role = 'teacher')`
}

// reachPerson says whether the actor administers or teaches person, and
// whether person is a learner. A person the actor does neither for is
// ErrNotFound.
func reachPerson(tx *gorm.DB, sc access.Scope, person uuid.UUID) (admin, learner bool, err error) {
	var exists, teacher bool
	err = tx.Raw(`SELECT EXISTS (SELECT 1 FROM people WHERE id = @person), `+adminOfSQL("@person")+`, `+teacherOfSQL("@person")+`,
		EXISTS (SELECT 1 FROM role_assignments WHERE person_id = @person AND role = 'learner')`,
		map[string]any{"actor": sc.Actor().ID, "person": person}).Row().Scan(&exists, &admin, &teacher, &learner)
	if err != nil {
		return false, false, fmt.Errorf("arrangement: reach: %w", err)
	}
	if !exists || !admin && !teacher {
		return false, false, errs.New(errs.ErrNotFound, "person %s", person)
	}
	return admin, learner, nil
}

// GetArrangement returns a learner's arrangement (ErrNotFound when they
// have none).
func (s *Service) GetArrangement(ctx context.Context, sc access.Scope, person uuid.UUID) (a Arrangement, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, err := reachPerson(tx, sc, person); err != nil {
			return err
		}
		if err := database.Found(tx.Raw(`SELECT sa.*, p.display_name FROM special_arrangements sa JOIN people p ON p.id = sa.person_id
			WHERE sa.person_id = ?`, person).Scan(&a), "arrangement of %s", person); err != nil {
			return err
		}
		return nil
	})
	return a, err
}

// SetArrangement grants a learner extra time (admins only). It shifts the
// learner's effective due date on every assignment at once, including
// ones already set.
func (s *Service) SetArrangement(ctx context.Context, sc access.Scope, person uuid.UUID, in ArrangementInput) (a Arrangement, err error) {
	if in.ExtraTimePercent == nil || *in.ExtraTimePercent < 0 || *in.ExtraTimePercent > 300 {
		return a, errs.Field("extra_time_percent", "must be a whole number from 0 to 300")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		admin, learner, err := reachPerson(tx, sc, person)
		if err != nil {
			return err
		}
		if !admin {
			return errs.New(errs.ErrForbidden, "only admins set arrangements")
		}
		if !learner {
			return errs.Field("person", "is not a learner: arrangements are for learners")
		}
		err = tx.Exec(`INSERT INTO special_arrangements (tenant_id, person_id, extra_time_percent, set_by)
			VALUES (app_tenant_id(), @person, @pct, @actor)
			ON CONFLICT (tenant_id, person_id) DO UPDATE
			SET extra_time_percent = EXCLUDED.extra_time_percent, set_by = EXCLUDED.set_by, updated_at = now()`,
			map[string]any{"person": person, "pct": *in.ExtraTimePercent, "actor": sc.Actor().ID}).Error
		if err != nil {
			return fmt.Errorf("arrangement: set: %w", err)
		}
		return tx.Raw(`SELECT sa.*, p.display_name FROM special_arrangements sa JOIN people p ON p.id = sa.person_id
			WHERE sa.person_id = ?`, person).Scan(&a).Error
	})
	return a, err
}

// DeleteArrangement ends a learner's arrangement (admins only).
func (s *Service) DeleteArrangement(ctx context.Context, sc access.Scope, person uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		admin, _, err := reachPerson(tx, sc, person)
		if err != nil {
			return err
		}
		if !admin {
			return errs.New(errs.ErrForbidden, "only admins end arrangements")
		}
		return database.Found(tx.Exec(`DELETE FROM special_arrangements WHERE person_id = ?`, person), "arrangement of %s", person)
	})
}

// ListArrangements returns a page of the arrangements the actor may see,
// ordered by person id; course (optional) narrows to that course's
// learners.
func (s *Service) ListArrangements(ctx context.Context, sc access.Scope, courseID *uuid.UUID, after uuid.UUID, limit int) ([]Arrangement, error) {
	out := []Arrangement{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT sa.*, p.display_name FROM special_arrangements sa JOIN people p ON p.id = sa.person_id
			WHERE sa.person_id > @after AND (`+adminOfSQL("sa.person_id")+` OR `+teacherOfSQL("sa.person_id")+`)
			  AND (CAST(@course AS uuid) IS NULL OR EXISTS (SELECT 1 FROM enrolments e
			       WHERE e.course_id = @course AND e.person_id = sa.person_id AND e.role = 'learner'))
			ORDER BY sa.person_id LIMIT @limit`,
			map[string]any{"actor": sc.Actor().ID, "after": after, "course": courseID, "limit": limit}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("arrangement: list: %w", err)
	}
	return out, nil
}
