// Package due is what is due: a learner's To do across their courses (due
// soon, overdue, missing, returned with feedback), a teacher's To mark, a
// person's calendar of due dates, quiz windows and course events, and a
// private iCalendar feed of that calendar.
//
// Everything is read for one person and only from the courses they are on:
// a learner sees what course.LearnersSee lets learners see (published,
// visible from its date) with their own due dates (extra time included,
// assignment.EffectiveDue); a teacher sees the courses they teach. A
// guardian reads a child's lists through ForLearner; nobody else's.
package due

import (
	"time"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// Service is the what-is-due service.
type Service struct {
	db *database.DB
	// now is the clock (tests move it).
	now func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service {
	return &Service{db: db, now: time.Now}
}
