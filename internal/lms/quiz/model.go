package quiz

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Kinds of question.
var Kinds = []string{"single", "multiple", "numeric", "short", "essay"}

// Option is one choice of a single or multiple choice question.
type Option struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Answer is a question's key: the correct options, the value and
// tolerance of a numeric answer, or the accepted short answers.
type Answer struct {
	Options   []string `json:"options,omitempty"`
	Value     *float64 `json:"value,omitempty"`
	Tolerance float64  `json:"tolerance,omitempty"`
	Accept    []string `json:"accept,omitempty"`
}

// Question is one question of a course's bank.
type Question struct {
	TenantID  uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID        uuid.UUID  `gorm:"primaryKey" json:"id"`
	CourseID  uuid.UUID  `json:"course_id"`
	Kind      string     `json:"kind"`
	Prompt    string     `json:"prompt"`
	Options   []Option   `gorm:"serializer:json" json:"options"`
	Answer    *Answer    `gorm:"serializer:json" json:"answer,omitempty"` // teachers only
	Points    float64    `json:"points"`
	CreatedBy *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// TableName is the gorm table.
func (Question) TableName() string { return "quiz_questions" }

// NewQuestion is the input to add a question to a course's bank.
type NewQuestion struct {
	Kind    string   `json:"kind" binding:"required"`
	Prompt  string   `json:"prompt" binding:"required,max=5000"`
	Options []Option `json:"options"`
	Answer  Answer   `json:"answer"`
	Points  float64  `json:"points" binding:"required"`
}

// Quiz is a timed test on a course.
type Quiz struct {
	TenantID          uuid.UUID   `gorm:"primaryKey" json:"-"`
	ID                uuid.UUID   `gorm:"primaryKey" json:"id"`
	CourseID          uuid.UUID   `json:"course_id"`
	Title             string      `json:"title"`
	Instructions      string      `json:"instructions"`
	OpensAt           time.Time   `json:"opens_at"`
	ClosesAt          time.Time   `json:"closes_at"`
	TimeLimitSeconds  int         `json:"time_limit_seconds"`
	Published         bool        `json:"published"`
	ResultsReleasedAt *time.Time  `json:"results_released_at"`
	CreatedBy         *uuid.UUID  `json:"created_by,omitempty"`
	CreatedAt         time.Time   `json:"created_at"`
	QuestionIDs       []uuid.UUID `gorm:"-" json:"question_ids,omitempty"` // teachers only
	// For a learner: their own time limit with extra time, and their attempt.
	MyTimeLimitSeconds int      `gorm:"-" json:"my_time_limit_seconds,omitempty"`
	MyAttempt          *Attempt `gorm:"-" json:"my_attempt,omitempty"`
}

// TableName is the gorm table.
func (Quiz) TableName() string { return "quizzes" }

// NewQuiz is the input to set a quiz.
type NewQuiz struct {
	Title            string      `json:"title" binding:"required,max=200"`
	Instructions     string      `json:"instructions" binding:"max=20000"`
	OpensAt          time.Time   `json:"opens_at" binding:"required"`
	ClosesAt         time.Time   `json:"closes_at" binding:"required"`
	TimeLimitMinutes int         `json:"time_limit_minutes"`
	QuestionIDs      []uuid.UUID `json:"question_ids"`
	Published        bool        `json:"published"`
}

// AttemptStatus is where an attempt is; the value is what
// quiz_attempts.status holds.
type AttemptStatus string

// Attempt statuses.
const (
	// AttemptInProgress: started, and answers may be saved until the deadline.
	AttemptInProgress AttemptStatus = "in-progress"
	// AttemptSubmitted: handed in (by the learner or at the deadline) and marked.
	AttemptSubmitted AttemptStatus = "submitted"
)

// Attempt is a learner's attempt at a quiz.
type Attempt struct {
	TenantID         uuid.UUID     `gorm:"primaryKey" json:"-"`
	ID               uuid.UUID     `gorm:"primaryKey" json:"id"`
	QuizID           uuid.UUID     `json:"quiz_id"`
	PersonID         uuid.UUID     `json:"person_id"`
	ExtraTimePercent int           `json:"extra_time_percent"`
	StartedAt        time.Time     `json:"started_at"`
	DeadlineAt       time.Time     `json:"deadline_at"`
	SubmittedAt      *time.Time    `json:"submitted_at"`
	Status           AttemptStatus `json:"status"`
	Score            *float64      `json:"score"`
	MaxScore         float64       `json:"max_score"`
	// For teachers' lists: the learner's name.
	PersonName string `gorm:"->;-:migration" json:"person_name,omitempty"`
}

// TableName is the gorm table.
func (Attempt) TableName() string { return "quiz_attempts" }

// SavedAnswer is a learner's answer to one question.
type SavedAnswer struct {
	TenantID     uuid.UUID       `gorm:"primaryKey" json:"-"`
	AttemptID    uuid.UUID       `gorm:"primaryKey" json:"-"`
	QuestionID   uuid.UUID       `gorm:"primaryKey" json:"question_id"`
	Response     json.RawMessage `gorm:"type:jsonb" json:"response"`
	SavedAt      time.Time       `json:"saved_at"`
	AutoScore    *float64        `json:"auto_score,omitempty"`
	TeacherScore *float64        `json:"teacher_score,omitempty"`
	Feedback     string          `json:"feedback,omitempty"`
	MarkedBy     *uuid.UUID      `json:"-"`
	MarkedAt     *time.Time      `json:"marked_at,omitempty"`
}

// TableName is the gorm table.
func (SavedAnswer) TableName() string { return "quiz_answers" }

// Sheet is an attempt as its learner (or a teacher) sees it: the quiz,
// the questions without their keys, and the answers saved so far; the
// scores and feedback only once results are released (always for staff).
type Sheet struct {
	Quiz      Quiz          `json:"quiz"`
	Attempt   Attempt       `json:"attempt"`
	Questions []Question    `json:"questions"`
	Answers   []SavedAnswer `json:"answers"`
	// SecondsLeft is the time left to the learner's deadline (0 once past).
	SecondsLeft int `json:"seconds_left"`
	// Staff: the viewer teaches the course (sees keys, scores, marks).
	Staff bool `json:"staff"`
}

// Response is what a learner answers: chosen option ids, a number, or text.
type Response struct {
	Options []string `json:"options,omitempty"`
	Value   *float64 `json:"value,omitempty"`
	Text    *string  `json:"text,omitempty"`
}

// Mark is a teacher's mark on one answer.
type Mark struct {
	Score    float64 `json:"score"`
	Feedback string  `json:"feedback" binding:"max=20000"`
}
