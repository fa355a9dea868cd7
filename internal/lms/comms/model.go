package comms

import (
	"time"

	"github.com/google/uuid"
)

// OptionalPurpose is the consent optional communications need.
const OptionalPurpose = "optional-communications"

// Communication is one message.
type Communication struct {
	TenantID   uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID         uuid.UUID  `gorm:"primaryKey" json:"id"`
	Audience   string     `json:"audience"`
	CourseID   *uuid.UUID `json:"course_id,omitempty"`
	SchoolID   *uuid.UUID `json:"school_id,omitempty"`
	Optional   bool       `json:"optional"`
	ByEmail    bool       `json:"by_email"`
	Subject    string     `json:"subject"`
	Body       string     `json:"body"`
	SentBy     *uuid.UUID `json:"-"`
	Recipients int        `json:"recipients"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `gorm:"->;-:migration" json:"read_at,omitempty"`
}

// TableName is the gorm table.
func (Communication) TableName() string { return "communications" }

// NewCommunication is the input to send one.
type NewCommunication struct {
	CourseID *uuid.UUID `json:"course_id"`
	SchoolID *uuid.UUID `json:"school_id"`
	Optional bool       `json:"optional"`
	ByEmail  bool       `json:"by_email"`
	Subject  string     `json:"subject" binding:"max=200"`
	Body     string     `json:"body" binding:"max=50000"`
}
