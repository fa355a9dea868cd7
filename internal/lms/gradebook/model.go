package gradebook

import (
	"time"

	"github.com/google/uuid"
)

// Kind is what a column grades.
type Kind string

// Kinds of column.
const (
	KindAssignment Kind = "assignment"
	KindQuiz       Kind = "quiz"
)

// State is where one learner's work on one column is. It is never stored:
// it follows from the submission or attempt, its mark and the dates.
type State string

// States of a cell. A learner never sees StateMarked: until a mark is
// released their work is StateHandedIn to them.
const (
	// StateNone: nothing handed in, and it is not (yet) missing: not due,
	// or not shown to learners.
	StateNone State = "none"
	// StateMissing: nothing handed in and the learner's due date (with
	// extra time) or the quiz's closing time has passed.
	StateMissing State = "missing"
	// StateInProgress: a quiz attempt is under way.
	StateInProgress State = "in-progress"
	// StateHandedIn: handed in, not marked (a learner: not released).
	StateHandedIn State = "handed-in"
	// StateMarked: marked, not released to the learner.
	StateMarked State = "marked"
	// StateReleased: marked and released to the learner.
	StateReleased State = "released"
)

// Words are a state in plain words, as the course's teachers read it.
func (s State) Words() string {
	switch s {
	case StateMissing:
		return "missing"
	case StateInProgress:
		return "in progress"
	case StateHandedIn:
		return "handed in, not marked"
	case StateMarked:
		return "marked, not released"
	case StateReleased:
		return "released"
	}
	return ""
}

// Cell is one learner's result on one column. Score is there once the work
// is marked (for a learner: once released).
type Cell struct {
	State State    `json:"state"`
	Score *float64 `json:"score,omitempty"`
	// Late: handed in after the learner's own due date.
	Late bool `json:"late,omitempty"`
}

// Scored reports whether the cell holds a mark.
func (c Cell) Scored() bool { return c.Score != nil }

// Released reports whether the learner sees the mark.
func (c Cell) Released() bool { return c.State == StateReleased }

// Column is one assignment or quiz of the course.
type Column struct {
	Kind  Kind      `json:"kind"`
	ID    uuid.UUID `json:"id"`
	Title string    `json:"title"`
	// DueAt is an assignment's due date or a quiz's closing time.
	DueAt    time.Time `json:"due_at"`
	MaxScore float64   `json:"max_score"`
	// Visible: learners see it (published, and its date has come).
	Visible bool `json:"visible"`
	// ResultsReleased: a quiz whose results its learners see. Assignment
	// marks are released learner by learner (see each cell).
	ResultsReleased bool `json:"results_released,omitempty"`
	// Average is the mean score of the marked cells shown; Marked is how
	// many there are.
	Average *float64 `json:"average"`
	Marked  int      `json:"marked"`
}

// Row is one learner and their cells, in the order of the grid's columns.
type Row struct {
	PersonID    uuid.UUID `json:"person_id"`
	DisplayName string    `json:"display_name"`
	Cells       []Cell    `json:"cells"`
	// Percent is the learner's overall percentage of marked work: their
	// scores over the maximum of the columns marked for them. Missing work
	// does not count; nil before anything is marked.
	Percent *float64 `json:"percent"`
}

// Group is a teaching group of the course, to filter the grid by.
type Group struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// Grid is a course's gradebook: its learners (of one teaching group, when
// filtered) by its assignments and quizzes.
type Grid struct {
	CourseID    uuid.UUID `json:"course_id"`
	CourseTitle string    `json:"course_title"`
	// Groups are the course's teaching groups; Group the one shown (nil:
	// every learner).
	Groups  []Group  `json:"groups"`
	Group   *Group   `json:"group,omitempty"`
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
}

// Grades is a learner's own grades across all the courses they learn on:
// only released marks and released quiz results.
type Grades struct {
	Courses []CourseGrades `json:"courses"`
}

// CourseGrades is one course on a learner's grades page.
type CourseGrades struct {
	CourseID uuid.UUID `json:"course_id"`
	Title    string    `json:"title"`
	Items    []Grade   `gorm:"-" json:"items"`
	// Percent is the learner's percentage of their released marks.
	Percent *float64 `gorm:"-" json:"percent"`
}

// Grade is one assignment or quiz on a learner's grades page.
type Grade struct {
	Kind     Kind      `json:"kind"`
	ID       uuid.UUID `json:"id"`
	Title    string    `json:"title"`
	DueAt    time.Time `json:"due_at"`
	MaxScore float64   `json:"max_score"`
	Cell
}
