package rostersync

import (
	"time"

	"github.com/google/uuid"
)

// Integration is a tenant's MIS sync credential, as its admins see it.
type Integration struct {
	TenantID   uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID         uuid.UUID  `gorm:"primaryKey" json:"id"`
	Name       string     `json:"name"`
	TokenHash  []byte     `json:"-"`
	CreatedBy  *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	RevokedBy  *uuid.UUID `json:"-"`
}

// TableName is the gorm table.
func (Integration) TableName() string { return "roster_integrations" }

// Issued is a new integration with its secret, shown exactly once.
type Issued struct {
	Integration
	Secret string `json:"secret"`
}

// Status is where a delivery is.
type Status string

// Delivery statuses.
const (
	Delivered  Status = "delivered"  // waiting for its run
	Applying   Status = "applying"   // a run claimed it
	Applied    Status = "applied"    // imported
	Rejected   Status = "rejected"   // the importer refused it: nothing applied
	Held       Status = "held"       // the importer's safety limit stopped it: an admin confirms
	Failed     Status = "failed"     // the run broke (tried again by the next run)
	Superseded Status = "superseded" // a later delivery was applied instead
)

// Delivery is one upload of an integration and its run's outcome.
type Delivery struct {
	TenantID      uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID            uuid.UUID  `gorm:"primaryKey" json:"id"`
	IntegrationID uuid.UUID  `json:"integration_id"`
	Status        Status     `json:"status"`
	Files         []byte     `json:"-"`
	FileNames     []string   `gorm:"serializer:json" json:"files"`
	Bytes         int64      `json:"bytes"`
	DeliveredAt   time.Time  `json:"delivered_at"`
	ClaimedAt     *time.Time `json:"-"`
	Attempts      int        `json:"-"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	ImportID      *uuid.UUID `json:"import_id,omitempty"`
	SupersededBy  *uuid.UUID `json:"superseded_by,omitempty"`
	Detail        string     `json:"detail,omitempty"`
	// Integration is the delivering integration's name (read only).
	Integration string `gorm:"->;-:migration" json:"integration"`
}

// TableName is the gorm table.
func (Delivery) TableName() string { return "roster_deliveries" }

// Schedule is when a tenant's deliveries are applied: EveryHours 0 as
// soon as one arrives, otherwise the latest at most once every N hours;
// with AtMinute, once a day at or after that time of day.
type Schedule struct {
	TenantID   uuid.UUID `gorm:"primaryKey" json:"-"`
	EveryHours int       `json:"every_hours"`
	// AtMinute is a daily schedule's time of day in the tenant's time
	// zone, in minutes after midnight (06:00 is 360): the wall clock, so
	// it stays 06:00 when the clocks change. nil: EveryHours decides.
	AtMinute  *int      `json:"at_minute,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TableName is the gorm table.
func (Schedule) TableName() string { return "roster_sync_schedules" }
