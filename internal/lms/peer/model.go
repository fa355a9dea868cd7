package peer

import (
	"time"

	"github.com/google/uuid"
)

// Criterion is one thing learners rate.
type Criterion struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Assessment is the peer assessment of one assignment.
type Assessment struct {
	TenantID     uuid.UUID   `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID   `gorm:"primaryKey" json:"id"`
	AssignmentID uuid.UUID   `json:"assignment_id"`
	Criteria     []Criterion `gorm:"serializer:json" json:"criteria"`
	ClosesAt     time.Time   `json:"closes_at"`
	CreatedBy    *uuid.UUID  `json:"-"`
	CreatedAt    time.Time   `json:"created_at"`
}

// TableName is the gorm table.
func (Assessment) TableName() string { return "peer_assessments" }

// NewAssessment is the input to set one.
type NewAssessment struct {
	Criteria []string  `json:"criteria"`
	ClosesAt time.Time `json:"closes_at"`
}

// Member is a group member a learner rates.
type Member struct {
	PersonID    uuid.UUID      `json:"person_id"`
	DisplayName string         `json:"display_name"`
	MyScores    map[string]int `gorm:"-" json:"my_scores"` // what I gave, per criterion
}

// Received is what a learner sees of the ratings they received: averages
// per criterion once rating has closed; never who. An average of fewer
// than MinRaters ratings is not shown: it would say what one person gave.
type Received struct {
	Criterion string   `json:"criterion"`
	Average   *float64 `json:"average"`
	Raters    int      `json:"raters"`
}

// MinRaters is how many ratings an average needs before the rated learner
// sees it.
const MinRaters = 2

// Rating is one rating as the teacher sees it.
type Rating struct {
	RaterID   *uuid.UUID `json:"rater_id"`
	RaterName string     `json:"rater_name"`
	RateeID   uuid.UUID  `json:"ratee_id"`
	Criterion string     `json:"criterion"`
	Score     int        `json:"score"`
}

// Weighting is a learner's suggested weighting: the share of their group's
// ratings they received, times the group's size (1.0: an equal share).
type Weighting struct {
	PersonID    uuid.UUID `json:"person_id"`
	DisplayName string    `json:"display_name"`
	Group       string    `json:"group"`
	Received    int       `json:"received_points"`
	Suggested   float64   `json:"suggested_weighting"`
}

// Results is the teacher's view.
type Results struct {
	Assessment Assessment  `json:"assessment"`
	Ratings    []Rating    `json:"ratings"`
	Weightings []Weighting `json:"weightings"`
}
