package survey

import (
	"time"

	"github.com/google/uuid"
)

// Kinds of survey question.
var Kinds = []string{"scale", "choice", "text"}

// Question is one question: a 1-5 scale, a choice of options, or text.
type Question struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Prompt  string   `json:"prompt"`
	Options []string `json:"options,omitempty"`
}

// Survey is one survey.
type Survey struct {
	TenantID    uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID  `gorm:"primaryKey" json:"id"`
	CourseID    *uuid.UUID `json:"course_id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Anonymous   bool       `json:"anonymous"`
	Purpose     string     `json:"purpose"`
	Questions   []Question `gorm:"serializer:json" json:"questions"`
	ClosesAt    time.Time  `json:"closes_at"`
	CreatedBy   *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// For the person asking: whether they have answered.
	Answered bool `gorm:"-" json:"answered"`
}

// TableName is the gorm table.
func (Survey) TableName() string { return "surveys" }

// NewSurvey is the input to set a survey.
type NewSurvey struct {
	CourseID    *uuid.UUID `json:"course_id"`
	Title       string     `json:"title" binding:"max=200"`
	Description string     `json:"description" binding:"max=5000"`
	Anonymous   bool       `json:"anonymous"`
	Purpose     string     `json:"purpose" binding:"max=1000"`
	Questions   []Question `json:"questions"`
	ClosesAt    time.Time  `json:"closes_at"`
}

// Response is one response as its survey's owners see it: the person and
// time only for a named survey.
type Response struct {
	TenantID    uuid.UUID         `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID         `gorm:"primaryKey" json:"-"`
	SurveyID    uuid.UUID         `json:"-"`
	PersonID    *uuid.UUID        `json:"person_id,omitempty"`
	Answers     map[string]string `gorm:"serializer:json" json:"answers"`
	SubmittedAt *time.Time        `json:"submitted_at,omitempty"`
	PersonName  string            `gorm:"->;-:migration" json:"person_name,omitempty"`
}

// TableName is the gorm table.
func (Response) TableName() string { return "survey_responses" }

// Results is what a survey's owners see: how many answered, each
// question's tally (scale and choice) and the responses (shuffled and
// without person or time for an anonymous survey).
type Results struct {
	Survey    Survey                    `json:"survey"`
	Responses []Response                `json:"responses"`
	Tallies   map[string]map[string]int `json:"tallies"`
}
