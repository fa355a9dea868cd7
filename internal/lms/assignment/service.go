// Package assignment holds assignments, learners' special arrangements
// (extra time), submissions, and marks and feedback.
//
// Every operation first asks course.Relate how the actor stands to the
// assignment's course: its teachers and its school's admins manage and
// mark; a learner sees published assignments of courses they are on and
// only their own work, and their own mark and feedback only once released.
// Anything the actor may not see answers ErrNotFound, as if it did not
// exist.
package assignment

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// Service is the assignments service.
type Service struct {
	db    *database.DB
	files *files.Service
	// now is the clock deadlines are checked against (tests move it).
	now func() time.Time
	// released are told, in the transaction, which submissions' marks
	// were just released (the learners' notices).
	released []func(tx *gorm.DB, sc access.Scope, submissions []uuid.UUID) error
}

// OnRelease adds fn to every release of marks, in its transaction.
func (s *Service) OnRelease(fn func(tx *gorm.DB, sc access.Scope, submissions []uuid.UUID) error) {
	s.released = append(s.released, fn)
}

func (s *Service) tellReleased(tx *gorm.DB, sc access.Scope, submissions []uuid.UUID) error {
	for _, fn := range s.released {
		if err := fn(tx, sc, submissions); err != nil {
			return err
		}
	}
	return nil
}

// NewService builds the service.
func NewService(db *database.DB, fs *files.Service) *Service {
	return &Service{db: db, files: fs, now: time.Now}
}

// EffectiveDue is when a learner with pct extra time must hand in: the due
// date plus pct% of the window from the assignment's opening to its due
// date. A share of the window, rather than a fixed duration, is how extra
// time works in exams (25% more of the time everyone else has), and it
// keeps a week-long project and a one-hour task fair alike.
func EffectiveDue(opens, due time.Time, pct int) time.Time {
	if pct <= 0 {
		return due
	}
	extra := time.Duration(float64(due.Sub(opens)) * float64(pct) / 100)
	return due.Add(extra).Truncate(time.Microsecond)
}

// effectiveDueSQL is EffectiveDue in SQL for assignment alias a and a
// percentage expression (lists filter and sort on it).
func effectiveDueSQL(pct string) string {
	return `(a.due_at + make_interval(secs => CAST(extract(epoch FROM a.due_at - a.opens_at) * (` + pct + `) / 100.0 AS float8)))`
}

// LearnerDueSQL is a learner's own due date in SQL (their extra time
// included), for assignment alias a and a person id expression: what the
// due and overdue notices go by.
func LearnerDueSQL(person string) string { return effectiveDueSQL(pctSQL("a.id", person)) }
