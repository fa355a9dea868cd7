// Package subject is the school's answer to its people's rights: one queue
// of subject requests per tenant with due dates, access and portability
// exports of one person, erasure, rectification, restriction and
// objection. What a person's data is comes from the privacy registry, so a
// table declared there is exported and erased the day it ships.
package subject

import (
	"time"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/exportjob"
)

// Kinds of request (UK GDPR Articles 15-21).
var Kinds = []string{"access", "rectification", "erasure", "restriction", "objection", "portability"}

// Status is where a subject request is; the value is what
// subject_requests.status holds.
type Status string

// Request statuses.
const (
	StatusOpen       Status = "open"
	StatusInProgress Status = "in-progress"
	StatusDone       Status = "done"    // closed: answered
	StatusRefused    Status = "refused" // closed: refused, with the reason in the outcome
)

// Statuses of a request.
var Statuses = []Status{StatusOpen, StatusInProgress, StatusDone, StatusRefused}

// Closed reports whether a request in status s is finished.
func (s Status) Closed() bool { return s == StatusDone || s == StatusRefused }

// joinStatuses lists statuses for a message: "open, in-progress, ...".
func joinStatuses(ss []Status) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += string(s)
	}
	return out
}

// Request is one subject request.
type Request struct {
	TenantID        uuid.UUID        `gorm:"primaryKey" json:"-"`
	ID              uuid.UUID        `gorm:"primaryKey" json:"id"`
	PersonID        *uuid.UUID       `json:"person_id"` // nil once the person is erased
	Kind            string           `json:"kind"`
	AskedBy         *uuid.UUID       `json:"asked_by"`
	AskedByRelation consent.Relation `json:"asked_by_relation"`
	ReceivedOn      time.Time        `gorm:"type:date" json:"received_on"`
	DueOn           time.Time        `gorm:"type:date" json:"due_on"`
	ExtendedMonths  int              `json:"extended_months"`
	ExtensionReason string           `json:"extension_reason"`
	Status          Status           `json:"status"`
	AssigneeID      *uuid.UUID       `json:"assignee_id"`
	Details         string           `json:"details"`
	Notes           string           `json:"notes"`
	Outcome         string           `json:"outcome"`
	ClosedAt        *time.Time       `json:"closed_at"`
	CreatedAt       time.Time        `json:"created_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
	// Computed for lists.
	PersonName string `gorm:"->;-:migration" json:"person_name"`
	Overdue    bool   `gorm:"-" json:"overdue"`
	DueSoon    bool   `gorm:"-" json:"due_soon"`
}

// TableName is the gorm table.
func (Request) TableName() string { return "subject_requests" }

// DueSoonDays is how close a due date must be for a request to show as
// due soon.
const DueSoonDays = 7

// mark sets Overdue and DueSoon for today.
func (r *Request) mark(today time.Time) {
	if r.Status.Closed() {
		return
	}
	day := today.UTC().Truncate(24 * time.Hour)
	r.Overdue = r.DueOn.Before(day)
	r.DueSoon = !r.Overdue && r.DueOn.Before(day.AddDate(0, 0, DueSoonDays+1))
}

// Export is one access or portability export of a person, with progress.
type Export struct {
	TenantID    uuid.UUID        `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID        `gorm:"primaryKey" json:"id"`
	PersonID    uuid.UUID        `json:"person_id"`
	RequestID   *uuid.UUID       `json:"request_id"`
	RequestedBy *uuid.UUID       `json:"requested_by"`
	Status      exportjob.Status `json:"status"`
	TablesDone  int              `json:"tables_done"`
	TablesTotal int              `json:"tables_total"`
	FilesDone   int              `json:"files_done"`
	FilesTotal  int              `json:"files_total"`
	Bytes       int64            `json:"bytes"`
	FileID      *uuid.UUID       `json:"-"`
	Error       string           `json:"error,omitempty"`
	ExpiresAt   *time.Time       `json:"expires_at"`
	CreatedAt   time.Time        `json:"created_at"`
	StartedAt   *time.Time       `json:"started_at"`
	FinishedAt  *time.Time       `json:"finished_at"`
}

// TableName is the gorm table.
func (Export) TableName() string { return "subject_exports" }

// Percent is the export's progress, 0-100.
func (e Export) Percent() int {
	if e.Status == exportjob.Done {
		return 100
	}
	total := e.TablesTotal + e.FilesTotal
	if total == 0 {
		return 0
	}
	return (e.TablesDone + e.FilesDone) * 99 / total
}
