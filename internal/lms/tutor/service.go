// Package tutor is personal tutoring: admins assign a tutor (a tenant role,
// not tied to a course) to learners; the tutor sees their tutees'
// engagement across courses and records meetings and the support agreed.
// A tutor reaches a learner only while the tutorship lasts and the learner
// is at the school: from the day the learner leaves (their leaving date,
// or their account no longer active), the tutor's access ends.
//
// What a learner chooses to share about their health or a disability is
// written by the learner, only with their explicit consent recorded (the
// wording they agreed to and when), and is seen only by their tutor and
// the support staff they name: not by admins through the app. They can
// withdraw it at any time, and it is erased with them.
package tutor

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service is the tutoring service.
type Service struct {
	db  *database.DB
	now func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db, now: time.Now} }

// active reports whether tutor is learner's tutor in force, with the
// learner still at the school.
func active(tx *gorm.DB, tutor, learner uuid.UUID) (bool, error) {
	var ok bool
	err := tx.Raw(activeSQL, map[string]any{"tutor": tutor, "learner": learner}).Row().Scan(&ok)
	return ok, err
}

// mustTutor refuses anyone who is not the learner's tutor in force: as if
// the learner did not exist.
func mustTutor(tx *gorm.DB, sc access.Scope, learner uuid.UUID) error {
	ok, err := active(tx, sc.Actor().ID, learner)
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(errs.ErrNotFound, "person %s", learner)
	}
	return nil
}

// hasRole reports whether person holds role.
func hasRole(tx *gorm.DB, person uuid.UUID, role identity.Role) (bool, error) {
	var ok bool
	err := tx.Raw(hasRoleSQL, person, role).Row().Scan(&ok)
	return ok, err
}

// hasStaffRole reports whether person is an active teacher, admin or
// tutor.
func hasStaffRole(tx *gorm.DB, person uuid.UUID) (bool, error) {
	var ok bool
	err := tx.Raw(hasStaffRoleSQL, person).Row().Scan(&ok)
	return ok, err
}
