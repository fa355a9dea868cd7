package course

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// GuardianView is what a school shows its learners' parents and carers of
// their child's work (schools.guardians_see_*): work due, work missing,
// and released marks with feedback. A new school shows due and missing
// work only.
type GuardianView struct {
	Due     bool `json:"due"`
	Missing bool `json:"missing"`
	Marks   bool `json:"marks"`
}

// GuardianViewOf reads school's choice inside a transaction in the
// tenant's scope (the page deciding what a guardian sees asks it there).
func GuardianViewOf(tx *gorm.DB, school uuid.UUID) (v GuardianView, err error) {
	err = tx.Raw(`SELECT guardians_see_due, guardians_see_missing, guardians_see_marks FROM schools WHERE id = ?`, school).
		Row().Scan(&v.Due, &v.Missing, &v.Marks)
	if err != nil {
		return v, errs.New(errs.ErrNotFound, "There is no such school.")
	}
	return v, nil
}

// GuardianView says what school shows parents and carers. It is no
// secret: every member of the tenant may read it.
func (s *Service) GuardianView(ctx context.Context, sc access.Scope, school uuid.UUID) (v GuardianView, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		v, err = GuardianViewOf(tx, school)
		return err
	})
	return v, err
}

// SetGuardianView changes what school shows parents and carers; only the
// school's admins (or the tenant's) may.
func (s *Service) SetGuardianView(ctx context.Context, sc access.Scope, school uuid.UUID, v GuardianView) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		admin, _, err := standing(tx, sc.Actor().ID, school)
		if err != nil {
			return err
		}
		if !admin {
			return errs.New(errs.ErrForbidden, "Only the school's administrators choose what parents and carers see.")
		}
		return database.Found(tx.Exec(`UPDATE schools SET guardians_see_due = ?, guardians_see_missing = ?, guardians_see_marks = ? WHERE id = ?`,
			v.Due, v.Missing, v.Marks, school), "school %s", school)
	})
}

// GuardianViewFor is what the actor, a guardian of child, may see of the
// child's work: what every school the child learns at shows parents (a
// child at two schools of a trust is shown only what both allow; a learner
// of the whole tenant learns at every school). Anyone who is not the
// child's guardian is told there is no such child.
func (s *Service) GuardianViewFor(ctx context.Context, sc access.Scope, child uuid.UUID) (v GuardianView, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rows []struct {
			GuardiansSeeDue, GuardiansSeeMissing, GuardiansSeeMarks bool
		}
		if err := tx.Raw(`SELECT s.guardians_see_due, s.guardians_see_missing, s.guardians_see_marks
			FROM guardianships g
			JOIN role_assignments ra ON ra.person_id = g.child_id AND ra.role = 'learner'
			JOIN schools s ON s.id = ra.school_id OR ra.school_id IS NULL
			WHERE g.guardian_id = ? AND g.child_id = ?`, sc.Actor().ID, child).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM guardianships WHERE guardian_id = ? AND child_id = ?`, sc.Actor().ID, child).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return errs.New(errs.ErrNotFound, "There is no such child.")
			}
			return nil // linked, but learning at no school yet: nothing to show
		}
		v = GuardianView{Due: true, Missing: true, Marks: true}
		for _, r := range rows {
			v.Due = v.Due && r.GuardiansSeeDue
			v.Missing = v.Missing && r.GuardiansSeeMissing
			v.Marks = v.Marks && r.GuardiansSeeMarks
		}
		return nil
	})
	return v, err
}
