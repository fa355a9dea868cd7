// Package survey holds surveys and feedback forms of a course (its
// teachers set them, its members answer) or of the whole school (its
// tenant-wide admins set them, every member answers), anonymous or named.
//
// An anonymous response stores no link to its author: no person, no time,
// and a random id (version 4, which says nothing of when it was made);
// nothing about it goes to the audit trail or the activity record. That a
// person took part is kept apart, without a time and only as a hash keyed
// with the server's key (not in the database), so each answers once: the
// participation row and the answer are written together, but nothing in
// the database alone maps either to a person. A named survey states its purpose; its responses are
// personal data, in subject access exports and erased with the person.
package survey

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service is the survey service.
type Service struct {
	db  *database.DB
	key []byte
	now func() time.Time
}

// NewService builds the service; key (the server's, never in the
// database) keys the participation hashes.
func NewService(db *database.DB, key []byte) *Service {
	return &Service{db: db, key: key, now: time.Now}
}

func maySet(tx *gorm.DB, sc access.Scope, courseID *uuid.UUID) error {
	if courseID != nil {
		_, err := course.RequireTeach(tx, sc, *courseID)
		return err
	}
	if ok, err := identity.IsTenantAdmin(tx, sc.Actor().ID); err != nil {
		return err
	} else if !ok {
		return errs.New(errs.ErrForbidden, "a survey of the whole school is set by its tenant-wide admins; give a course_id")
	}
	return nil
}

// may reports whether the actor may answer v, and whether they own it
// (see its results).
func may(tx *gorm.DB, sc access.Scope, v Survey) (answer, own bool, err error) {
	me := sc.Actor().ID
	if v.CourseID == nil {
		admin, err := identity.IsTenantAdmin(tx, me)
		return true, admin, err
	}
	rel, err := course.Relate(tx, sc, *v.CourseID)
	if err != nil {
		return false, false, err
	}
	return rel.Visible(), rel.Teaches(), nil
}

func (s *Service) load(tx *gorm.DB, sc access.Scope, id uuid.UUID) (v Survey, answer, own bool, err error) {
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&v), "survey %s", id); err != nil {
		return v, false, false, err
	}
	if answer, own, err = may(tx, sc, v); err != nil {
		return v, false, false, err
	}
	if !answer && !own {
		return v, false, false, errs.New(errs.ErrNotFound, "survey %s", id)
	}
	return v, answer, own, nil
}
