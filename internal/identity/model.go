// Package identity holds people and processor staff, their passwords
// (argon2id), sessions and personal API tokens, login throttling and lockout.
// Tenant members and processor staff are two kinds of principal that never mix.
package identity

import (
	"time"

	"github.com/google/uuid"
)

// Kind is the kind of principal.
type Kind string

// The kinds of principal.
const (
	KindMember Kind = "member" // a person in one tenant
	KindStaff  Kind = "staff"  // processor staff; holds no tenant role
	// KindIntegration is a program a tenant's admin registered (OAuth2
	// client credentials): no person; it holds scopes, not roles.
	KindIntegration Kind = "integration"
)

// Principal is an authenticated caller.
type Principal struct {
	Kind         Kind
	ID           uuid.UUID
	TenantID     uuid.UUID // members and integrations only
	StaffRole    StaffRole // staff only: operator or support
	CredentialID uuid.UUID
	ViaCookie    bool   // a browser session: unsafe methods need the CSRF token
	CSRF         string // expected CSRF token for cookie sessions
	// SecondFactor is what a session that passed only the password still
	// owes: SecondStepCode or SecondStepSetup; "" when it is signed in.
	SecondFactor string
	// Name and Scopes are an integration's (KindIntegration only): the
	// name the audit trail gives it and the scopes its access token holds.
	Name   string
	Scopes []string
}

// Subject is the principal's casbin subject.
func (p Principal) Subject() string {
	switch p.Kind {
	case KindStaff:
		return "staff:" + p.ID.String()
	case KindIntegration:
		return "integration:" + p.ID.String()
	}
	return "member:" + p.ID.String()
}

// PersonStatus says whether a member may sign in; the value is what
// people.status holds.
type PersonStatus string

// Person statuses.
const (
	PersonActive    PersonStatus = "active"
	PersonSuspended PersonStatus = "suspended" // cannot sign in; sessions and tokens ended
)

// Person is a tenant member.
type Person struct {
	TenantID     uuid.UUID    `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID    `gorm:"primaryKey" json:"id"`
	Username     string       `json:"username"`
	Email        *string      `json:"email"`
	DisplayName  string       `json:"display_name"`
	Status       PersonStatus `json:"status"`
	ExternalID   *string      `json:"external_id,omitempty"` // roster sourcedId
	PasswordHash string       `gorm:"default:null" json:"-"`
	FailedLogins int          `json:"-"`
	LockedUntil  *time.Time   `json:"locked_until,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	// The controller's facts: children under 13 need a guardian's consent;
	// a restricted person's data is kept but not processed or changed.
	BirthDate         *time.Time `gorm:"type:date" json:"birth_date,omitempty"`
	RestrictedAt      *time.Time `json:"restricted_at,omitempty"`
	RestrictionReason string     `json:"restriction_reason,omitempty"`
	ObjectedAt        *time.Time `json:"objected_at,omitempty"`
	LeftOn            *time.Time `gorm:"type:date" json:"left_on,omitempty"`
	// GivenName, MiddleName and FamilyName are the legal name as the
	// school's information system gives it (a roster import); nil for
	// someone added by hand.
	GivenName  *string `json:"given_name,omitempty"`
	MiddleName *string `json:"middle_name,omitempty"`
	FamilyName *string `json:"family_name,omitempty"`
	// PreferredName is the first name the person goes by; DisplayName is
	// built from it (or the given name) and the family name.
	PreferredName *string `json:"preferred_name,omitempty"`
	// PupilNumber is the school's number for the pupil (users.csv
	// identifier: a UPN in England).
	PupilNumber *string `json:"pupil_number,omitempty"`
}

// TableName is the gorm table.
func (Person) TableName() string { return "people" }

// Staff is a processor staff member.
type Staff struct {
	ID           uuid.UUID  `gorm:"primaryKey" json:"id"`
	Email        string     `json:"email"`
	DisplayName  string     `json:"display_name"`
	Role         StaffRole  `json:"role"`
	PasswordHash string     `gorm:"default:null" json:"-"`
	FailedLogins int        `json:"-"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	// SubProcessorID is set for staff of a sub-processor: they may receive
	// support grants only from tenants that authorised it.
	SubProcessorID *uuid.UUID `json:"sub_processor_id,omitempty"`
}

// TableName is the gorm table.
func (Staff) TableName() string { return "staff" }

// Credential is a session or a personal API token, as shown to its owner.
type Credential struct {
	ID         uuid.UUID `json:"id"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	UserAgent  string    `json:"user_agent,omitempty"`
	IP         string    `json:"ip,omitempty"`
	Current    bool      `gorm:"-" json:"current"`
}

// Issued is a new credential with its secret, shown exactly once.
type Issued struct {
	Credential
	Secret string `json:"secret"`
	// SecondFactor is what a new session still owes (see Principal).
	SecondFactor string `json:"-"`
}
