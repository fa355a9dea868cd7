// Package roster imports a school information system's OneRoster 1.2 CSV
// export (manifest.csv, orgs.csv, users.csv, roles.csv, classes.csv,
// enrollments.csv, and the files of Files) into people, school roles,
// courses and enrolments.
//
// An import is all or nothing: every file is read and every row checked
// (syntax first, then against the tenant's data) before anything is
// written, and the writes run in one scoped transaction, so a single bad
// row leaves the tenant exactly as it was. Each problem is reported by
// file, line (1-based, header included, as a spreadsheet shows it), column
// and message, never with the row's values. Records are matched on their
// OneRoster sourcedId (external_id), so importing the same files again
// changes nothing. Every upload, applied or not, leaves a roster_imports row.
//
// Mapping, and where it departs from the letter of OneRoster:
//   - Orgs (orgs.go): an org of orgs.csv is one of the tenant's schools,
//     matched by the org id the school was given before (schools.external_id),
//     else by its DfE number or URN in identifier (schools.dfe_number, urn,
//     which an admin records), else by the school's slug or id; the match is
//     remembered. An org of type district (or wider), or a non-school parent
//     of schools, is the tenant itself: roles there are skipped, a class
//     there is an error. An org that matches no school is one error on its
//     orgs.csv line naming it; rows that refer to it are not reported again.
//     Without orgs.csv, rows name a school by its remembered org id, slug or
//     id. Schools are not created by an import.
//   - Roles: student → learner, teacher and aide (a teaching assistant;
//     there is no assistant role) → teacher, administrator,
//     siteAdministrator, principal → admin of that school. proctor,
//     counselor and the district or system administrators are skipped with
//     a warning (no tenant-wide admin is ever made from a file); guardians
//     see below. Roles are only added, never removed by a row: an admin
//     removes a role by hand (a bulk file's leavers excepted, below). A
//     role whose beginDate is to come or whose endDate has passed is not
//     given (a later import gives it).
//   - users.csv may carry 1.1-style role/orgSourcedIds columns; 1.2's
//     roles.csv gives the same. An active enrolment also gives its person
//     the matching role in the class's school.
//   - status tobedeleted ends a person (suspended, sessions ended, leaving
//     date people.left_on set, so leaver retention runs), archives a course
//     (its content stays) and removes an enrolment. An enrolment whose
//     endDate has passed is removed likewise; one whose beginDate is to come
//     is not made until an import on or after that day (dates are not
//     stored). enrollments.csv role aide enrols as teacher. enabledUser=false
//     suspends. An import never reactivates a suspended person (that may
//     have been a deliberate act); it warns instead.
//   - Manifest (manifest.go, bulk.go): manifest.csv's file.* modes. A bulk
//     file is the whole truth for the schools the upload covers (its orgs
//     and the schools its rows name): the roster's people (those with a
//     sourcedId) holding a role there and absent from a bulk users.csv
//     leave — suspended, sessions ended, left_on set, enrolments there
//     closed, roles kept so the school still lists them; someone who also
//     belongs to a school the upload does not cover only loses the covered
//     schools' roles and enrolments. Enrolments absent from a bulk
//     enrollments.csv are removed, classes absent from a bulk classes.csv
//     archived. Nothing is deleted but enrolments and roles, as an admin's
//     own removal does; people made by hand, the importing admin and
//     restricted records are never ended. A delta file changes only what it
//     holds; an absent file is not read. Without a manifest every file is
//     delta (Import.Modes is then empty).
//   - Safety limit (bulk.go, hold.go): an import that would end more than
//     EndLimit (10) percent of a school's people writes nothing and is kept
//     as status held, with its files (roster_imports.held_files, cleared
//     when done) and, per school, how many it would end (Import.Held);
//     Confirm applies the same files again without the limit, Discard drops
//     them.
//   - New courses are drafts: a teacher publishes them. Passwords are never
//     imported; imported people sign in once an admin sets a password.
//   - A username held by a person who is not that sourcedId is a row error:
//     an import never takes over an existing account.
//   - Names (names.go): givenName, middleName and familyName are kept as
//     given (people.given_name, middle_name, family_name), the preferred
//     first name (preferredFirstName, or preferredGivenName) in
//     preferred_name, identifier (a UPN) in pupil_number. display_name is
//     the preferred (else given) first name and the preferred (else family)
//     last name; the roster owns it for the people it imports, so a name
//     changed by hand is replaced by the next file's.
//   - demographics.csv (demographics.go): only birthDate is kept
//     (people.birth_date: the under-13 guardian-consent rule needs it); an
//     empty one leaves the recorded date alone. Every other column (sex,
//     ethnicity, place of birth, …) is read past and never stored:
//     privacy.NotKept lists them.
//   - Guardians (guardians.go): users with role guardian, parent or
//     relative, linked to children by users.csv agentSourcedIds (either
//     way round), become people with the guardian role in their child's
//     school and a guardianship, only where the school has guardian
//     accounts on (schools.roster_guardians, Service.SetGuardians; off by
//     default, when they are skipped with one warning). A link the roster
//     made goes when a later users.csv row of the child or guardian no
//     longer gives it; links made by hand stay.
//   - academicSessions.csv (terms.go) becomes the tenant's terms (only a
//     tenant-wide admin's upload changes them); classes.csv termSourcedIds
//     puts the class's course in the term that ends last (courses.term_id).
//     courses.csv is not read.
package roster

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Limits on one upload.
const (
	// A trust of 20,000 people and 200,000 enrolments is one upload: its
	// enrollments.csv is about 33 MiB (a zip of all its files about 6).
	MaxUploadBytes = 64 << 20 // the whole request (or zip file)
	MaxFileBytes   = 64 << 20 // one CSV file, after unzipping
	// MaxUnzippedBytes is every CSV of one zip together, after
	// unzipping: without it a small zip of several members, each just
	// under MaxFileBytes, would fill memory (a zip bomb spread out).
	MaxUnzippedBytes = 128 << 20
	MaxRows          = 400000 // data rows per file
	maxIssues        = 1000   // problems kept in the log per kind; the count says how many there were
)

// Import statuses.
const (
	Applied  = "applied"
	Rejected = "rejected"
	DryRun   = "dry_run"
	// Held: a bulk upload over the safety limit (EndLimit), kept unapplied
	// until an admin confirms (then Applied) or discards it (Discarded).
	Held      = "held"
	Discarded = "discarded"
)

// The files an import reads. Other OneRoster files (courses.csv, …) are
// ignored.
const (
	ManifestFile    = "manifest.csv"
	OrgsFile        = "orgs.csv"
	UsersFile       = "users.csv"
	RolesFile       = "roles.csv"
	ClassesFile     = "classes.csv"
	EnrollmentsFile = "enrollments.csv"
)

// Files lists the files an import reads, in the order it reads them.
func Files() []string {
	out := make([]string, len(fileSteps))
	for i, st := range fileSteps {
		out[i] = st.name
	}
	return out
}

// Known reports whether name is a file an import reads.
func Known(name string) bool {
	for _, st := range fileSteps {
		if st.name == name {
			return true
		}
	}
	return false
}

// Service imports rosters and keeps their log.
type Service struct{ db *database.DB }

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db} }

// Issue is one problem (or, as a warning, one skipped row) in an upload.
// Line is 1-based and counts the header; 0 means the file as a whole.
// Field is the CSV column name, or empty when the whole row or file is meant.
type Issue struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Tally counts what happened to one kind of record.
type Tally struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
	Skipped   int `json:"skipped"`
}

// Counts are an import's tallies. For a rejected upload they are what
// would have happened to the rows that were valid.
type Counts struct {
	People     Tally `json:"people"`
	Roles      Tally `json:"roles"`
	Courses    Tally `json:"courses"`
	Enrolments Tally `json:"enrolments"`
	// Guardianships are parent–child links (guardians.go); Terms are
	// academic sessions (terms.go).
	Guardianships Tally `json:"guardianships"`
	Terms         Tally `json:"terms"`
}

// Import is one upload's record. Errors and Warnings are left out of lists.
type Import struct {
	TenantID     uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID  `gorm:"primaryKey" json:"id"`
	StartedBy    *uuid.UUID `json:"started_by"`
	Status       string     `json:"status"`
	DryRun       bool       `json:"dry_run"`
	Files        []string   `gorm:"serializer:json" json:"files"`
	Counts       Counts     `gorm:"serializer:json" json:"counts"`
	Errors       []Issue    `gorm:"serializer:json" json:"errors,omitempty"`
	Warnings     []Issue    `gorm:"serializer:json" json:"warnings,omitempty"`
	ErrorCount   int        `json:"error_count"`
	WarningCount int        `json:"warning_count"`
	CreatedAt    time.Time  `json:"created_at"`
	// Modes is each file's manifest mode (bulk, delta, absent); empty when
	// the upload had no manifest.csv, and then every file was read as delta.
	Modes map[string]Mode `gorm:"serializer:json" json:"modes"`
	// Held lists, for a held import (or a dry run that would be held), the
	// schools whose share of people ending is over EndLimit.
	Held []SchoolEnd `gorm:"serializer:json" json:"held,omitempty"`
	// HeldFiles is a held upload (a zip of its files), kept until it is
	// confirmed or discarded; never returned.
	HeldFiles []byte `json:"-"`
}

// TableName is the gorm table.
func (Import) TableName() string { return "roster_imports" }

// RejectedError is returned when an upload had problems and nothing was
// applied. Import is its logged record, with every problem. FileLevel is
// true when a file could not be read as OneRoster CSV at all (missing or
// malformed file, missing required column), as opposed to bad rows.
type RejectedError struct {
	Import    Import
	FileLevel bool
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("roster import %s rejected: %d problems, nothing applied", e.Import.ID, e.Import.ErrorCount)
}

// Unwrap makes errors.Is(err, errs.ErrInvalid) true when a file could not
// be read at all, and errs.ErrUnprocessable when rows were bad.
func (e *RejectedError) Unwrap() error {
	if e.FileLevel {
		return errs.ErrInvalid
	}
	return errs.ErrUnprocessable
}

// AsRejected returns the rejection inside err, if it is one.
func AsRejected(err error) (*RejectedError, bool) {
	var r *RejectedError
	ok := errors.As(err, &r)
	return r, ok
}
