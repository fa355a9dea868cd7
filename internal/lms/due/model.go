package due

import (
	"time"

	"github.com/google/uuid"
)

// Kind is what a dated thing is.
type Kind string

// Kinds of dated things.
const (
	KindAssignment Kind = "assignment"
	KindQuiz       Kind = "quiz"
	KindEvent      Kind = "event"
)

// Item is one piece of work on a learner's lists.
type Item struct {
	Kind        Kind      `json:"kind"`
	ID          uuid.UUID `json:"id"`
	CourseID    uuid.UUID `json:"course_id"`
	CourseTitle string    `json:"course_title"`
	Title       string    `json:"title"`
	// Opens is when a quiz opens (a quiz not yet open is due soon when it
	// closes within the week).
	Opens *time.Time `json:"opens,omitempty"`
	// Due is the learner's own due date (extra time included) for an
	// assignment, the end of the window for a quiz.
	Due time.Time `json:"due"`
	// Closes is the last moment late work is taken (assignments with a
	// late window; equal to Due when there is none).
	Closes time.Time `json:"closes"`
	// ExtraTime says the learner's due date includes their extra time.
	ExtraTime bool `json:"extra_time,omitempty"`
	// For work returned: when the mark was released, and the mark.
	MarkedAt *time.Time `json:"marked_at,omitempty"`
	Score    *float64   `json:"score,omitempty"`
	MaxScore float64    `json:"max_score,omitempty"`
}

// Learner is what one learner has to do across their courses at a moment.
type Learner struct {
	PersonID uuid.UUID `json:"person_id"`
	// Due: not handed in, due within the next week (quizzes: open now or
	// closing within the week, not yet attempted); soonest first.
	Due []Item `json:"due"`
	// Overdue: past the learner's own due date, late work still taken.
	Overdue []Item `json:"overdue"`
	// Missing: not handed in and no longer can be; latest first.
	Missing []Item `json:"missing"`
	// Marked: work whose mark was released in the last fortnight; newest first.
	Marked []Item `json:"marked"`
}

// Empty reports whether the learner has nothing on any list.
func (l Learner) Empty() bool {
	return len(l.Due)+len(l.Overdue)+len(l.Missing)+len(l.Marked) == 0
}

// Soon is how far ahead "due soon" looks; Recent how far back "returned
// with feedback" does.
const (
	Soon   = 7 * 24 * time.Hour
	Recent = 14 * 24 * time.Hour
)

// ToMark is one assignment of a course a teacher teaches with work handed
// in and not marked yet.
type ToMark struct {
	AssignmentID uuid.UUID `json:"assignment_id"`
	CourseID     uuid.UUID `json:"course_id"`
	CourseTitle  string    `json:"course_title"`
	Title        string    `json:"title"`
	DueAt        time.Time `json:"due_at"`
	HandedIn     int       `json:"handed_in"`
	Unmarked     int       `json:"unmarked"`
}

// Entry is one thing on a person's calendar: a due date (Starts, no
// Ends), a quiz window or a course event (Starts to Ends when it has an
// end).
type Entry struct {
	Kind        Kind       `json:"kind"`
	ID          uuid.UUID  `json:"id"`
	CourseID    uuid.UUID  `json:"course_id"`
	CourseTitle string     `json:"course_title"`
	Title       string     `json:"title"`
	Starts      time.Time  `json:"starts"`
	Ends        *time.Time `json:"ends,omitempty"`
}

// Event is a date a teacher puts on a course's calendar.
type Event struct {
	TenantID  uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID        uuid.UUID  `gorm:"primaryKey" json:"id"`
	CourseID  uuid.UUID  `json:"course_id"`
	Title     string     `json:"title"`
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    *time.Time `json:"ends_at,omitempty"`
	CreatedBy *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// TableName is the gorm table.
func (Event) TableName() string { return "course_events" }

// NewEvent is the input to put an event on a course's calendar.
type NewEvent struct {
	CourseID uuid.UUID
	Title    string
	StartsAt time.Time
	EndsAt   *time.Time
}

// Feed is a person's calendar feed as its page shows it: whether there is
// one and since when (the address itself is shown once, when made).
type Feed struct {
	On        bool      `json:"on"`
	CreatedAt time.Time `json:"created_at"`
}
