package tutor

import (
	"time"

	"github.com/google/uuid"
)

// ConsentWording is what a learner agrees to when sharing.
const ConsentWording = "I choose to share this with my tutor and the staff I have named, so that they can support me. " +
	"No one else at the school sees it in the learning platform. I can withdraw it at any time."

// Tutee is a learner as their tutor sees them in a list.
type Tutee struct {
	PersonID    uuid.UUID `json:"person_id"`
	DisplayName string    `json:"display_name"`
	Since       time.Time `json:"since"`
}

// CourseEngagement is a tutee's engagement on one course.
type CourseEngagement struct {
	CourseID     uuid.UUID  `json:"course_id"`
	Title        string     `json:"title"`
	LastActiveAt *time.Time `json:"last_active_at"`
	Events28d    int        `json:"events_28d"`
	Minutes28d   int        `json:"minutes_28d"`
}

// Meeting is a tutor's record of a meeting.
type Meeting struct {
	TenantID      uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID            uuid.UUID  `gorm:"primaryKey" json:"id"`
	TutorID       *uuid.UUID `json:"tutor_id"`
	LearnerID     uuid.UUID  `json:"learner_id"`
	MetOn         time.Time  `gorm:"type:date" json:"met_on"`
	Notes         string     `json:"notes"`
	AgreedSupport string     `json:"agreed_support"`
	CreatedAt     time.Time  `json:"created_at"`
}

// TableName is the gorm table.
func (Meeting) TableName() string { return "tutor_meetings" }

// NewMeeting is the input to record one.
type NewMeeting struct {
	MetOn         string `json:"met_on"`
	Notes         string `json:"notes" binding:"max=20000"`
	AgreedSupport string `json:"agreed_support" binding:"max=5000"`
}

// Disclosure is what a learner shared.
type Disclosure struct {
	TenantID       uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID             uuid.UUID  `gorm:"primaryKey" json:"id"`
	LearnerID      uuid.UUID  `json:"learner_id"`
	TutorID        *uuid.UUID `json:"tutor_id"`
	Category       string     `json:"category"`
	Details        string     `json:"details"`
	SharedWith     []string   `gorm:"serializer:json" json:"shared_with"`
	ConsentAt      time.Time  `json:"consent_at"`
	ConsentWording string     `json:"consent_wording"`
	CreatedAt      time.Time  `json:"created_at"`
}

// TableName is the gorm table.
func (Disclosure) TableName() string { return "tutor_disclosures" }

// NewDisclosure is what a learner shares. Consent must be true: it records
// their explicit consent to ConsentWording.
type NewDisclosure struct {
	Category   string      `json:"category"`
	Details    string      `json:"details" binding:"max=10000"`
	SharedWith []uuid.UUID `json:"shared_with"`
	Consent    bool        `json:"consent"`
}

// Tutoring is a learner's tutors as an admin sees them: those in force
// and the people who could be assigned (holding the tutor role, active,
// within the admin's reach).
type Tutoring struct {
	Current    []Tutee `json:"current"`    // PersonID is the tutor's
	Candidates []Tutee `json:"candidates"` // Since is unset
}
