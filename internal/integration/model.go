// Package integration is the school's integrations: programs a tenant's
// admin registers to call the API without a person (OAuth2 client
// credentials, served by ory/fosite). An integration holds scopes, each a
// set of (object, action) pairs in policies/roles.csv; it gets access
// tokens that last an hour at POST /api/v1/oauth2/token, every call it
// makes is in the tenant's audit trail under its name, and revoking it
// ends every token at once (each request reads its token from PostgreSQL;
// nothing is cached). Integrations are recipients of the school's personal
// data, so the record of processing lists them with what they may read.
package integration

import (
	"time"

	"github.com/google/uuid"
)

// Scope is what an integration may do, as OAuth2 clients name it.
type Scope string

// The scopes an admin may give. Their (object, action) pairs are the
// pseudo-roles "scope:<scope>" in policies/roles.csv.
const (
	CoursesRead  Scope = "courses:read"
	CoursesWrite Scope = "courses:write"
	PeopleRead   Scope = "people:read"
	GradesRead   Scope = "grades:read"
	RosterWrite  Scope = "roster:write"
)

// ScopeInfo says in plain words what a scope lets an integration do.
type ScopeInfo struct {
	Scope Scope `json:"scope"`
	// Label is the admin's checkbox ("Read courses").
	Label string `json:"label"`
	// Reads is what personal data it lets the integration read, for the
	// record of processing ("" when it reads none).
	Reads string `json:"reads"`
	// Does is what it lets the integration change ("" when nothing).
	Does string `json:"does"`
}

// Scopes lists every scope in the order pages show them.
var Scopes = []ScopeInfo{
	{Scope: CoursesRead, Label: "Read courses",
		Reads: "courses, their sections and content, and who is enrolled on each"},
	{Scope: CoursesWrite, Label: "Create and change courses",
		Reads: "courses, their sections and content",
		Does:  "create courses in the school and change their title, summary, status, sections and content (not who is enrolled)"},
	{Scope: PeopleRead, Label: "Read people",
		Reads: "people's names, usernames, email addresses and schools"},
	{Scope: GradesRead, Label: "Read marks",
		Reads: "learners' marks and feedback in each course's gradebook"},
	{Scope: RosterWrite, Label: "Deliver roster files",
		Does: "deliver the school's roster files (pupils, staff, classes and enrolments) from its management information system"},
}

// Info returns the description of s; ok is false for an unknown scope.
func Info(s Scope) (ScopeInfo, bool) {
	for _, in := range Scopes {
		if in.Scope == s {
			return in, true
		}
	}
	return ScopeInfo{}, false
}

// Writes reports whether s lets an integration change anything in the
// database (roster:write only hands in files, which a job applies).
func (s Scope) Writes() bool { return s == CoursesWrite }

// Integration is a registered integration. The secret is never kept.
type Integration struct {
	TenantID  uuid.UUID  `json:"-"`
	ID        uuid.UUID  `json:"id"`
	Name      string     `json:"name"`
	ClientID  string     `json:"client_id"`
	Scopes    []Scope    `json:"scopes" gorm:"serializer:json"`
	CreatedBy *uuid.UUID `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	RevokedBy *uuid.UUID `json:"revoked_by"`
}

// Live reports an integration that is not revoked.
func (in Integration) Live() bool { return in.RevokedAt == nil }

// NewIntegration is what an admin registers.
type NewIntegration struct {
	Name   string  `json:"name" binding:"required,max=100" example:"Timetable sync"`
	Scopes []Scope `json:"scopes" binding:"required,min=1" example:"[\"courses:read\"]"`
}

// Registered is a new integration with its client secret, shown once.
type Registered struct {
	Integration
	ClientSecret string `json:"client_secret"`
	TokenURL     string `json:"token_url"`
}

// TokenPath is where integrations ask for access tokens.
const TokenPath = "/api/v1/oauth2/token"
