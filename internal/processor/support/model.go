// Package support is consent-gated support access: processor support staff
// ask a tenant for read access to named areas of its data, tied to a ticket
// and a reason; the tenant's approvers are alerted and approve (optionally
// for less time) or deny; access starts at approval and ends at expiry or
// revocation, checked on every request. Every look is written to the
// tenant's audit log with the reader's and the approver's names.
//
// Staff of a sub-processor may be granted access only by tenants that have
// authorised that sub-processor (subprocessor.go).
package support

import (
	"time"

	"github.com/google/uuid"
)

// Limits of a request.
const (
	DefaultMinutes = 4 * 60
	MaxMinutes     = 24 * 60
	MinMinutes     = 15
	PendingFor     = 48 * time.Hour
)

// Areas are the parts of a tenant a grant can open, each with the route
// objects (policies/roles.csv) it covers. The tenant and its schools (names
// only) are readable under any grant, so a reader can find their way.
var Areas = map[string][]string{
	"people":      {"person", "role"},
	"courses":     {"course", "enrolment"},
	"assignments": {"course", "assignment", "submission", "mark", "arrangement"},
	"discussion":  {"course", "discussion"},
	"engagement":  {"course", "engagement"},
	"roster":      {"roster"},
}

// AreaNames are the areas in the order forms show them, with their labels.
var AreaNames = []struct{ Code, Label string }{
	{"people", "People and their roles"},
	{"courses", "Courses, their content and enrolments"},
	{"assignments", "Assignments, submissions and marks"},
	{"discussion", "Forums and posts"},
	{"engagement", "Engagement summaries"},
	{"roster", "Roster import history"},
}

// alwaysReadable are objects any grant may read.
var alwaysReadable = map[string]bool{"tenant": true, "school": true}

// Reasons are the justification codes a request must carry.
var Reasons = []struct{ Code, Label string }{
	{"fault", "Investigating a fault the school reported"},
	{"data-issue", "Wrong or missing data the school reported"},
	{"performance", "A performance problem"},
	{"security", "A security investigation"},
	{"school-request", "The school asked for hands-on help"},
}

// State is where a support request is. The first four are stored
// (support_requests.status); expired and ended are what a pending or an
// approved request becomes once its time passes, worked out on reading.
type State string

// Support request states.
const (
	StatePending  State = "pending"  // waiting for an approver, for PendingFor
	StateApproved State = "approved" // a grant: access from StartsAt to EndsAt
	StateDenied   State = "denied"   // an approver said no
	StateRevoked  State = "revoked"  // an approved grant ended early
	StateExpired  State = "expired"  // pending past PendingUntil: lapsed undecided
	StateEnded    State = "ended"    // approved past EndsAt
)

// Request is a support access request and, once approved, the grant.
type Request struct {
	TenantID        uuid.UUID  `gorm:"primaryKey" json:"tenant_id"`
	ID              uuid.UUID  `gorm:"primaryKey" json:"id"`
	RequesterID     uuid.UUID  `json:"requester_id"`
	RequesterName   string     `json:"requester_name"`
	Ticket          string     `json:"ticket"`
	ReasonCode      string     `json:"reason_code"`
	Justification   string     `json:"justification"`
	Areas           Words      `gorm:"type:text[]" json:"areas"`
	CourseIDs       UUIDs      `gorm:"type:uuid[]" json:"course_ids" nullable:"true" doc:"The courses the grant is narrowed to; null for every course"`
	PersonIDs       UUIDs      `gorm:"type:uuid[]" json:"person_ids" nullable:"true" doc:"The people the grant is narrowed to; null for everyone"`
	DurationMinutes int        `json:"duration_minutes"`
	Status          State      `json:"-"`               // as stored
	State           State      `gorm:"-" json:"status"` // as it is now
	RequestedAt     time.Time  `json:"requested_at"`
	PendingUntil    time.Time  `json:"pending_until"`
	DecidedBy       *uuid.UUID `json:"decided_by"`
	DecidedByName   *string    `json:"decided_by_name"`
	DecidedAt       *time.Time `json:"decided_at"`
	DecisionNote    string     `json:"decision_note"`
	StartsAt        *time.Time `json:"starts_at"`
	EndsAt          *time.Time `json:"ends_at"`
	RevokedBy       *uuid.UUID `json:"revoked_by"`
	RevokedByName   *string    `json:"revoked_by_name"`
	RevokedAt       *time.Time `json:"revoked_at"`
	TenantSlug      string     `gorm:"->;-:migration" json:"tenant_slug,omitempty"`
}

// TableName is the gorm table.
func (Request) TableName() string { return "support_requests" }

// state is what the request is now: a pending request past its 48 hours
// has expired, an approved one past its end has ended.
func (r *Request) state(now time.Time) State {
	switch {
	case r.Status == StatePending && !now.Before(r.PendingUntil):
		return StateExpired
	case r.Status == StateApproved && r.EndsAt != nil && !now.Before(*r.EndsAt):
		return StateEnded
	}
	return r.Status
}

// Covers reports whether the grant opens route object obj.
func (r *Request) Covers(obj string) bool { return covers(r.Areas, obj) }

// covers reports whether areas (of a grant or a legal order) open obj.
func covers(areas []string, obj string) bool {
	if alwaysReadable[obj] {
		return true
	}
	for _, a := range areas {
		for _, o := range Areas[a] {
			if o == obj {
				return true
			}
		}
	}
	return false
}

// NewRequest is what support staff file.
type NewRequest struct {
	Ticket          string      `json:"ticket"`
	ReasonCode      string      `json:"reason_code"`
	Justification   string      `json:"justification"`
	Areas           []string    `json:"areas"`
	CourseIDs       []uuid.UUID `json:"course_ids,omitempty"`
	PersonIDs       []uuid.UUID `json:"person_ids,omitempty"`
	DurationMinutes int         `json:"duration_minutes,omitempty"` // default 240, at most 1440
}

// Decision is an approver's answer.
type Decision struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note,omitempty"`
	// DurationMinutes, when set, shortens the access the request asked for.
	DurationMinutes int `json:"duration_minutes,omitempty"`
}
