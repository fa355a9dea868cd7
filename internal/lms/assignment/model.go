package assignment

import (
	"time"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/files"
)

// Assignment is set work on a course. Its title, section and visibility
// are those of its course item (kind "assignment").
type Assignment struct {
	TenantID     uuid.UUID `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID `gorm:"primaryKey" json:"id"`
	CourseID     uuid.UUID `json:"course_id"`
	ItemID       uuid.UUID `json:"item_id"`
	Instructions string    `json:"instructions"`
	OpensAt      time.Time `json:"opens_at"`
	DueAt        time.Time `json:"due_at"`
	MaxScore     float64   `json:"max_score"`
	// ClosesAt is when late work stops being accepted (nil: no late work).
	ClosesAt *time.Time `json:"closes_at,omitempty"`
	// HandIn is what learners may hand in: HandInText, HandInFiles or HandInBoth.
	HandIn    string     `json:"hand_in"`
	CreatedBy *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`

	// From the course item.
	Title     string    `gorm:"->;-:migration" json:"title"`
	SectionID uuid.UUID `gorm:"->;-:migration" json:"section_id"`
	Published bool      `gorm:"->;-:migration" json:"published"`
	// VisibleFrom is its course item's schedule (learners see it from then).
	VisibleFrom *time.Time `gorm:"->;-:migration" json:"visible_from,omitempty"`
	// EffectiveDueAt is, for a learner, their own deadline: due_at plus
	// any extra time they are granted. Absent for staff.
	EffectiveDueAt *time.Time `gorm:"-" json:"effective_due_at,omitempty"`
	// EffectiveClosesAt is, for a learner, the last moment they may hand
	// in (late after EffectiveDueAt). Absent for staff.
	EffectiveClosesAt *time.Time `gorm:"-" json:"effective_closes_at,omitempty"`
	// extraPct is the reader's own extra time on this assignment (List).
	ExtraPct int `gorm:"->;-:migration" json:"-"`
}

// TableName is the gorm table.
func (Assignment) TableName() string { return "assignments" }

// What learners may hand in.
const (
	HandInText  = "text"
	HandInFiles = "files"
	HandInBoth  = "both"
)

// HandInKinds are the hand-in kinds in the order forms offer them.
var HandInKinds = []string{HandInBoth, HandInText, HandInFiles}

// Closes is the last moment a learner whose deadline is due may hand in:
// the closing date for late work, or their own due date when it is later
// or there is no late work.
func Closes(closes *time.Time, due time.Time) time.Time {
	if closes == nil || closes.Before(due) {
		return due
	}
	return *closes
}

// NewAssignment is the input to set an assignment. It becomes an item at
// the end of section_id. opens_at defaults to now; extra time is a share of
// the window from opens_at to due_at.
type NewAssignment struct {
	SectionID    uuid.UUID  `json:"section_id" binding:"required"`
	Title        string     `json:"title" binding:"required,max=200"`
	Instructions string     `json:"instructions" binding:"max=20000"`
	OpensAt      *time.Time `json:"opens_at"`
	DueAt        time.Time  `json:"due_at" binding:"required"`
	MaxScore     float64    `json:"max_score" binding:"required"`
	// ClosesAt accepts late work until then (absent: none after due_at).
	ClosesAt *time.Time `json:"closes_at"`
	// HandIn is text, files or both (the default).
	HandIn    string `json:"hand_in" binding:"omitempty,oneof=text files both"`
	Published *bool  `json:"published"`
}

// AssignmentPatch changes an assignment; nil leaves a field alone.
type AssignmentPatch struct {
	Title        *string    `json:"title" binding:"omitempty,max=200"`
	Instructions *string    `json:"instructions" binding:"omitempty,max=20000"`
	OpensAt      *time.Time `json:"opens_at"`
	DueAt        *time.Time `json:"due_at"`
	MaxScore     *float64   `json:"max_score"`
	ClosesAt     *time.Time `json:"closes_at"`
	// NoLateWork true removes the closing date: no work after due_at.
	NoLateWork bool    `json:"no_late_work"`
	HandIn     *string `json:"hand_in" binding:"omitempty,oneof=text files both"`
	Published  *bool   `json:"published"`
}

// Due filters an assignment list by the caller's own effective due date.
const (
	DueUpcoming = "upcoming"
	DuePast     = "past"
)

// Arrangement is a learner's special arrangement: the extra time granted,
// never the reason for it.
type Arrangement struct {
	TenantID         uuid.UUID  `gorm:"primaryKey" json:"-"`
	PersonID         uuid.UUID  `gorm:"primaryKey" json:"person_id"`
	ExtraTimePercent int        `json:"extra_time_percent"`
	SetBy            *uuid.UUID `json:"set_by,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	DisplayName      string     `gorm:"->;-:migration" json:"display_name,omitempty"`
}

// TableName is the gorm table.
func (Arrangement) TableName() string { return "special_arrangements" }

// ArrangementInput sets a learner's extra time (0-300%).
type ArrangementInput struct {
	ExtraTimePercent *int `json:"extra_time_percent" binding:"required,min=0,max=300"`
}

// ExtraTime is extra time a course's teacher grants one learner on one
// assignment. The larger of it and the learner's standing arrangement
// applies.
type ExtraTime struct {
	TenantID         uuid.UUID  `gorm:"primaryKey" json:"-"`
	AssignmentID     uuid.UUID  `gorm:"primaryKey" json:"assignment_id"`
	PersonID         uuid.UUID  `gorm:"primaryKey" json:"person_id"`
	ExtraTimePercent int        `json:"extra_time_percent"`
	SetBy            *uuid.UUID `json:"set_by,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	DisplayName      string     `gorm:"->;-:migration" json:"display_name,omitempty"`
}

// TableName is the gorm table.
func (ExtraTime) TableName() string { return "assignment_extra_time" }

// Submission is a learner's current work for an assignment.
type Submission struct {
	TenantID     uuid.UUID `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID `gorm:"primaryKey" json:"id"`
	AssignmentID uuid.UUID `json:"assignment_id"`
	PersonID     uuid.UUID `json:"person_id"`
	Body         string    `json:"body"`
	Attempt      int       `json:"attempt"`
	SubmittedAt  time.Time `json:"submitted_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TableName is the gorm table.
func (Submission) TableName() string { return "submissions" }

// SubmissionInput is a learner's (re)submission: text, files (ids from
// POST /files, at most MaxFiles), or both. A resubmission replaces the
// text and the file set; files left out are deleted.
type SubmissionInput struct {
	Body    string      `json:"body" binding:"max=100000"`
	FileIDs []uuid.UUID `json:"file_ids" binding:"max=10"`
}

// MaxFiles is how many files one submission may hold.
const MaxFiles = 10

// Status is where a submission is in marking. It is not stored: it follows
// from the submission's mark (none, unreleased, released).
type Status string

// Submission statuses, as teachers see them. A learner sees
// StatusSubmitted until their mark is released.
const (
	StatusSubmitted Status = "submitted" // learner's view of unreleased work
	StatusUnmarked  Status = "unmarked"
	StatusMarked    Status = "marked" // marked, not yet released
	StatusReleased  Status = "released"
)

// A learner's place on the marking roster: every learner of the course,
// whether or not they handed in. A mark outranks lateness.
const (
	StatusHandedIn Status = "handed-in" // on time, not marked
	StatusLate     Status = "late"      // after the learner's due date, not marked
	StatusMissing  Status = "missing"   // nothing handed in (yet)
	// StatusMarked and StatusReleased as above.
)

// RosterStatuses are the roster's statuses in the order pages show them.
var RosterStatuses = []Status{StatusHandedIn, StatusLate, StatusMissing, StatusMarked, StatusReleased}

// RosterRow is one learner of the course on an assignment's marking
// roster.
type RosterRow struct {
	PersonID         uuid.UUID  `json:"person_id"`
	DisplayName      string     `json:"display_name"`
	ExtraTimePercent int        `json:"extra_time_percent"`
	EffectiveDueAt   time.Time  `json:"effective_due_at"`
	SubmissionID     *uuid.UUID `json:"submission_id,omitempty"`
	SubmittedAt      *time.Time `json:"submitted_at,omitempty"`
	Attempt          int        `json:"attempt,omitempty"`
	Status           Status     `json:"status"`
	Score            *float64   `json:"score,omitempty"`
	ReleasedAt       *time.Time `json:"released_at,omitempty"`
}

// Roster is every learner of an assignment's course with their status,
// and how many are in each status (over all learners, whatever the filter).
type Roster struct {
	Learners []RosterRow    `json:"learners"`
	Counts   map[Status]int `json:"counts"`
}

// ReleaseInput names the submissions whose marks to release.
type ReleaseInput struct {
	SubmissionIDs []uuid.UUID `json:"submission_ids" binding:"required,min=1,max=1000"`
}

// SubmissionView is one submission as its reader may see it: the files'
// details (download each through its link route), the learner's deadline,
// and the mark when the reader may see it.
type SubmissionView struct {
	Submission
	DisplayName    string    `json:"display_name,omitempty"`
	Status         Status    `gorm:"-" json:"status"`
	EffectiveDueAt time.Time `gorm:"-" json:"effective_due_at"`
	// Late is work handed in after the learner's own due date.
	Late  bool         `gorm:"-" json:"late"`
	Files []files.File `gorm:"-" json:"files"`
	Mark  *Mark        `gorm:"-" json:"mark,omitempty"`
}

// SubmissionSummary is a row of a teacher's submission list.
type SubmissionSummary struct {
	ID               uuid.UUID  `json:"id"`
	AssignmentID     uuid.UUID  `json:"assignment_id"`
	PersonID         uuid.UUID  `json:"person_id"`
	DisplayName      string     `json:"display_name"`
	Attempt          int        `json:"attempt"`
	SubmittedAt      time.Time  `json:"submitted_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	EffectiveDueAt   time.Time  `json:"effective_due_at"`
	ExtraTimePercent int        `json:"extra_time_percent"`
	Status           Status     `json:"status"`
	Score            *float64   `json:"score,omitempty"`
	ReleasedAt       *time.Time `json:"released_at,omitempty"`
}

// SubmissionFilter narrows a teacher's submission list.
type SubmissionFilter struct {
	Status   Status // StatusUnmarked, StatusMarked or StatusReleased; "" for any
	PersonID *uuid.UUID
}

// Mark is a teacher's mark and feedback on a submission.
type Mark struct {
	TenantID       uuid.UUID  `gorm:"primaryKey" json:"-"`
	SubmissionID   uuid.UUID  `gorm:"primaryKey" json:"submission_id"`
	Score          float64    `json:"score"`
	Feedback       string     `json:"feedback"`
	FeedbackFileID *uuid.UUID `json:"feedback_file_id,omitempty"`
	MarkedBy       *uuid.UUID `json:"marked_by,omitempty"`
	MarkedAt       time.Time  `json:"marked_at"`
	ReleasedAt     *time.Time `json:"released_at,omitempty"`
}

// TableName is the gorm table.
func (Mark) TableName() string { return "marks" }

// MarkInput marks a submission. It replaces the mark: a feedback file left
// out is deleted. released true releases it to the learner (now, or keeps
// the first release time), false withdraws it, absent leaves it as it is.
type MarkInput struct {
	Score          *float64   `json:"score" binding:"required"`
	Feedback       string     `json:"feedback" binding:"max=20000"`
	FeedbackFileID *uuid.UUID `json:"feedback_file_id"`
	Released       *bool      `json:"released"`
}

// MarkView is a mark with a short-lived link to its feedback file.
type MarkView struct {
	Mark
	FeedbackFile *files.Link `gorm:"-" json:"feedback_file,omitempty"`
}

// Released is the reply to releasing an assignment's marks.
type Released struct {
	Released int64 `json:"released"`
}
