// Package quiz holds timed tests and quizzes: a question bank per course
// (multiple choice, multiple answer, numeric with a tolerance, short text,
// essay), quizzes with an open window and a time limit, and learners'
// attempts, saved answer by answer so a dropped connection loses nothing.
//
// A learner's special arrangement (assignment.special_arrangements) gives
// them extra time: their deadline is the start of their attempt plus the
// time limit lengthened by that percentage, fixed when they start.
// Objective questions are scored when the attempt is handed in; essays are
// marked by a teacher; learners see results once the teacher releases
// them. A score is information for the teacher, never an automated
// decision about the learner: nothing here passes, fails or acts on it.
//
// Every operation asks course.Relate first: the course's teachers and its
// school's admins manage; learners on the course take published quizzes
// and see only their own attempt. Anything the actor may not see answers
// ErrNotFound.
package quiz

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service is the quiz service.
type Service struct {
	db *database.DB
	// now is the clock deadlines are checked against (tests move it).
	now func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db, now: time.Now} }

// load reads a quiz and the actor's relation to its course; learners see
// published quizzes only.
func load(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Quiz, course.Relation, error) {
	var q Quiz
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&q), "quiz %s", id); err != nil {
		return q, course.Relation{}, err
	}
	rel, err := course.Relate(tx, sc, q.CourseID)
	if err != nil {
		return q, rel, err
	}
	if !rel.Visible() || !rel.Teaches() && !(rel.Learns() && q.Published) {
		return q, rel, errs.New(errs.ErrNotFound, "quiz %s", id)
	}
	return q, rel, nil
}

// extraTime is the person's extra time percentage (0 without an
// arrangement).
func extraTime(tx *gorm.DB, person uuid.UUID) (int, error) {
	var pct int
	err := tx.Raw(extraTimeSQL, person).Row().Scan(&pct)
	return pct, err
}
