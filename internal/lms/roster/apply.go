package roster

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
)

// applier writes a plan inside the import's transaction, checking each row
// against the tenant's data first. A row that fails adds an error and
// writes nothing; the caller rolls everything back if any row failed.
type applier struct {
	tx      *gorm.DB
	sc      access.Scope
	p       *plan
	schools map[string]uuid.UUID // slug and id → id
	allowed map[uuid.UUID]bool   // nil: every school
	people  map[string]*person   // by sourcedId: loaded, then made
	byName  map[string]uuid.UUID // lower(username) → person
	courses map[string]*courseRec
	fresh   map[uuid.UUID]int // people this import created → their users.csv line
	pending []pendingEnrolment
	orgs    map[string]orgTarget // orgs.csv sourcedId → school or tenant
	covered map[uuid.UUID]bool   // schools the upload's rows name: what a bulk file speaks for
	force   bool                 // an admin confirmed ending more than the limit
	held    []SchoolEnd          // schools over the limit (nothing is written then)
	// Made by this step, written by flush.
	newPeople []identity.Person
	newRoles  []identity.RoleAssignment
}

// flush writes the people and roles the last step made.
func (a *applier) flush() error {
	if err := identity.InsertPeopleTx(a.tx, a.newPeople); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	if err := identity.InsertRolesTx(a.tx, a.sc.Tenant(), a.newRoles); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	a.newPeople, a.newRoles = a.newPeople[:0], a.newRoles[:0]
	return nil
}

type person struct {
	ID          uuid.UUID
	Username    string
	DisplayName string
	Email       *string
	Status      identity.PersonStatus
	ExternalID  string
	LeftOn      *time.Time
	Restricted  bool
	roles       []held
}

type held struct {
	Role     identity.Role
	SchoolID *uuid.UUID
}

type courseRec struct {
	ID         uuid.UUID
	SchoolID   uuid.UUID
	Title      string
	Status     course.Status
	ExternalID string
}

// run applies the plan step by step. Later features add their step to
// the list (after the people they need are loaded or made); ending what a
// bulk file leaves out runs last, when everything the file holds is known.
func (a *applier) run() error {
	steps := []func() error{a.loadSchools, a.loadPeople, a.loadCourses, a.applyUsers, a.applyRoles, a.applyClasses, a.applyEnrolments, a.applyExtras, a.endAbsent}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
		// New people and roles are written together after each step (a
		// thousand a statement, not one round trip each), before a later
		// step's rows refer to them.
		if err := a.flush(); err != nil {
			return err
		}
	}
	a.checkNewcomersPlaced()
	return nil
}

func (a *applier) loadSchools() error {
	var rows []schoolRec
	if err := a.tx.Raw(`SELECT id, slug, external_id, dfe_number, urn FROM schools`).Scan(&rows).Error; err != nil {
		return fmt.Errorf("roster: schools: %w", err)
	}
	a.schools = map[string]uuid.UUID{}
	for _, r := range rows {
		a.schools[r.Slug], a.schools[r.ID.String()] = r.ID, r.ID
		if r.ExternalID != nil {
			a.schools[*r.ExternalID] = r.ID
		}
	}
	if ids, limited := a.sc.Schools(); limited {
		a.allowed = map[uuid.UUID]bool{}
		for _, id := range ids {
			a.allowed[id] = true
		}
	}
	return a.mapOrgs(rows)
}

// school resolves an org reference: a school's slug or id.
func (a *applier) school(ref string) (uuid.UUID, bool) {
	id, ok := a.schools[ref]
	if !ok {
		id, ok = a.schools[strings.ToLower(ref)]
	}
	return id, ok
}

func (a *applier) mine(school uuid.UUID) bool { return a.allowed == nil || a.allowed[school] }

// reaches reports whether a school-limited admin may see the person (a
// role in one of their schools, or made by this import); change adds that
// they hold no role anywhere else, as identity requires.
func (a *applier) reaches(p *person, change bool) bool {
	if a.allowed == nil {
		return true
	}
	if _, ok := a.fresh[p.ID]; ok {
		return true
	}
	in, out := 0, 0
	for _, h := range p.roles {
		if h.SchoolID != nil && a.allowed[*h.SchoolID] {
			in++
		} else {
			out++
		}
	}
	return in > 0 && (!change || out == 0)
}

// textArray sends a list as one PostgreSQL text[] parameter: "= ANY(?)"
// then uses the index, where a long IN list of parameters makes the planner
// compare every row with every value, and no statement nears the limit on
// bind parameters.
type textArray []string

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value encodes the array literal, quoting every element.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayEscaper.Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

func (a *applier) loadPeople() error {
	a.people, a.byName, a.fresh = map[string]*person{}, map[string]uuid.UUID{}, map[uuid.UUID]int{}
	ext, names := set{}, set{}
	for _, u := range a.p.users {
		ext.add(u.sourcedID)
		if u.username != "" {
			names.add(strings.ToLower(u.username))
		}
	}
	for _, r := range a.p.roles {
		ext.add(r.user)
	}
	for _, e := range a.p.enrols {
		ext.add(e.user)
	}
	byID := map[uuid.UUID]*person{}
	keep := func(ps []*person) {
		for _, p := range ps {
			byID[p.ID] = p
			a.byName[strings.ToLower(p.Username)] = p.ID
			if p.ExternalID != "" {
				a.people[p.ExternalID] = p
			}
		}
	}
	const cols = `SELECT id, username, display_name, email, status, coalesce(external_id, '') AS external_id,
		left_on, restricted_at IS NOT NULL AS restricted FROM people`
	var ps []*person
	if err := a.tx.Raw(cols+` WHERE external_id = ANY(?::text[])`, textArray(ext.list())).Scan(&ps).Error; err != nil {
		return fmt.Errorf("roster: load people: %w", err)
	}
	keep(ps)
	ps = nil
	if err := a.tx.Raw(cols+` WHERE username_key = ANY(?::text[])`, textArray(names.list())).Scan(&ps).Error; err != nil {
		return fmt.Errorf("roster: load people: %w", err)
	}
	keep(ps)
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id.String())
	}
	var hs []struct {
		PersonID uuid.UUID
		Role     identity.Role
		SchoolID *uuid.UUID
	}
	if err := a.tx.Raw(`SELECT person_id, role, school_id FROM role_assignments WHERE person_id = ANY(?::uuid[])`, textArray(ids)).Scan(&hs).Error; err != nil {
		return fmt.Errorf("roster: load roles: %w", err)
	}
	for _, h := range hs {
		byID[h.PersonID].roles = append(byID[h.PersonID].roles, held{Role: h.Role, SchoolID: h.SchoolID})
	}
	return nil
}

func (a *applier) loadCourses() error {
	a.courses = map[string]*courseRec{}
	ext := set{}
	for _, c := range a.p.classes {
		ext.add(c.sourcedID)
	}
	for _, e := range a.p.enrols {
		ext.add(e.class)
	}
	var cs []*courseRec
	if err := a.tx.Raw(`SELECT id, school_id, title, status, external_id FROM courses WHERE external_id = ANY(?::text[])`, textArray(ext.list())).Scan(&cs).Error; err != nil {
		return fmt.Errorf("roster: load courses: %w", err)
	}
	for _, c := range cs {
		a.courses[c.ExternalID] = c
	}
	return nil
}

// grant gives p role in school unless they hold it.
func (a *applier) grant(p *person, role identity.Role, school uuid.UUID) error {
	for _, h := range p.roles {
		if h.Role == role && h.SchoolID != nil && *h.SchoolID == school {
			a.p.counts.Roles.Unchanged++
			return nil
		}
	}
	sch := school
	a.newRoles = append(a.newRoles, identity.RoleAssignment{PersonID: p.ID, Role: role, SchoolID: &sch}) // written by flush
	p.roles = append(p.roles, held{Role: role, SchoolID: &school})
	a.p.counts.Roles.Created++
	return nil
}

// checkNewcomersPlaced: a school-limited admin's new people must end up
// with a role in one of their schools, or the admin could not see them.
func (a *applier) checkNewcomersPlaced() {
	if a.allowed == nil {
		return
	}
	for _, p := range a.people {
		line, ok := a.fresh[p.ID]
		if !ok || a.p.badUsers[p.ExternalID] {
			continue
		}
		placed := false
		for _, h := range p.roles {
			placed = placed || (h.SchoolID != nil && a.allowed[*h.SchoolID])
		}
		if !placed {
			a.p.fail(UsersFile, line, "sourcedId", "gets no role in your schools (role and orgSourcedIds, roles.csv or an enrolment); a tenant-wide admin imports people of other schools")
		}
	}
}

// set is a set of strings with a stable listing.
type set map[string]struct{}

func (s set) add(v string) { s[v] = struct{}{} }
func (s set) list() []string {
	out := make([]string, 0, len(s))
	for v := range s {
		out = append(out, v)
	}
	return out
}

// errStop rolls the transaction back after a rejected or dry-run import.
var errStop = errors.New("roster: roll back")
