package web

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/tutor"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

type peopleData struct {
	Base    string
	People  []personRow
	Pager   pager
	Schools []tenant.School // the schools the admin may filter by
	// Filtered is set when any filter is in use, for the words shown
	// when nobody matches.
	Filtered bool
	Roles    [][2]string // value, words: the role filter's choices
	Statuses [][2]string // value, words: the status filter's choices
}

// personRow is one person of the list, with their roles and any lockout
// in words.
type personRow struct {
	identity.Listed
	RoleWords string
	Locked    string // "Locked until 14:05", or ""
}

// roleWords are the roles as a school office names them.
var roleWords = map[identity.Role]string{identity.RoleAdmin: "Administrator", identity.RoleTeacher: "Teacher", identity.RoleLearner: "Learner",
	identity.RoleApprover: "Access approver", identity.RoleGuardian: "Parent or carer", identity.RoleTutor: "Personal tutor"}

var listStatusWords = map[string]string{identity.ListActive: "Active", identity.ListSuspended: "Suspended",
	identity.ListLeft: "Left the school", identity.ListLocked: "Locked out (failed sign-ins)"}

// lockedWords says until when a person is locked out, in the viewer's
// time: the time alone when that is today, else the date too.
func lockedWords(until *time.Time, now time.Time, loc *time.Location) string {
	if until == nil || !now.Before(*until) {
		return ""
	}
	u := until.In(loc)
	if y, m, d := u.Date(); now.In(loc).Year() == y && now.In(loc).Month() == m && now.In(loc).Day() == d {
		return "Locked until " + u.Format("15:04")
	}
	return "Locked until " + localtime.DateTime(*until, loc)
}

// peopleFilters are the people page's filters, read from the address (a
// GET form), so a filtered list can be bookmarked and paged.
var peopleFilters = []string{"q", "role", "school", "class", "status"}

func (s *Site) peoplePage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := map[string]string{}
	for _, k := range peopleFilters {
		form[k] = strings.TrimSpace(c.Query(k))
	}
	f := identity.PeopleFilter{Text: form["q"], Role: identity.Role(form["role"]), Class: form["class"], Status: form["status"]}
	fe := map[string]string{}
	if v := form["school"]; v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			fe["school"] = "Choose a school from the list"
		}
		f.School = &id
	}
	if m, isField := formErrors(f.Check()); isField {
		for k, v := range m {
			fe[k] = v
		}
	}
	schools, err := s.d.Tenants.Schools(ctx, sc)
	if err != nil {
		return page{}, err
	}
	if ids, limited := sc.Schools(); limited {
		schools = slices.DeleteFunc(schools, func(sch tenant.School) bool { return !slices.Contains(ids, sch.ID) })
	}
	d := peopleData{Base: base(c), Schools: schools}
	for _, r := range identity.TenantRoles {
		d.Roles = append(d.Roles, [2]string{string(r), roleWords[r]})
	}
	for _, st := range identity.ListStatuses {
		d.Statuses = append(d.Statuses, [2]string{st, listStatusWords[st]})
	}
	for _, v := range form {
		d.Filtered = d.Filtered || v != ""
	}
	v := view{Title: "People", Form: form, Errors: fe, Fields: peopleFilters, Data: d}
	if len(fe) > 0 {
		return again("admin_people", v), nil
	}
	list, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]identity.Listed, error) {
		return s.d.Identity.FindPeople(ctx, sc, f, after, limit)
	}, func(p identity.Listed) uuid.UUID { return p.ID })
	if err != nil {
		return page{}, err
	}
	now, loc := time.Now(), s.zone(c)
	for _, p := range list {
		var words []string
		for _, r := range p.Roles {
			words = append(words, roleWords[r])
		}
		d.People = append(d.People, personRow{Listed: p, RoleWords: strings.Join(words, ", "), Locked: lockedWords(p.LockedUntil, now, loc)})
	}
	d.Pager = pg
	v.Data = d
	return show("admin_people", v), nil
}

type personFormData struct {
	Base    string
	Schools []tenant.School
}

var personFields = []string{"username", "display_name", "email", "password", "role", "school_id"}

func (s *Site) newPersonForm(c *gin.Context) (page, error) {
	schools, err := s.schoolsOf(c)
	return show("admin_person_new", view{Title: "Add a person", Form: map[string]string{}, Data: personFormData{Base: base(c), Schools: schools}}), err
}

func (s *Site) createPerson(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := posted(c, personFields...)
	in := identity.NewPerson{Username: form["username"], DisplayName: form["display_name"], Password: c.PostForm("password"), Role: identity.Role(form["role"])}
	fe := map[string]string{}
	if in.Username == "" {
		fe["username"] = "Enter a username"
	}
	if in.DisplayName == "" {
		fe["display_name"] = "Enter the name people will see"
	}
	if form["email"] != "" {
		if !strings.Contains(form["email"], "@") || len(form["email"]) > 254 {
			fe["email"] = "Enter an email address like name@school.example, or leave it empty"
		}
		e := form["email"]
		in.Email = &e
	}
	if in.Password != "" && (len(in.Password) < 12 || len(in.Password) > 1024) {
		fe["password"] = "A password needs at least 12 characters, or leave it empty and set one later"
	}
	if in.Role != "" && in.Role != identity.RoleLearner && in.Role != identity.RoleTeacher && in.Role != identity.RoleAdmin {
		fe["role"] = "Choose learner, teacher or admin"
	}
	if v := form["school_id"]; v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			fe["school_id"] = "Choose a school from the list"
		}
		in.SchoolID = &id
	}
	var p identity.Person
	var err error
	if len(fe) == 0 {
		p, err = s.d.Identity.CreatePerson(ctx, sc, in)
		if m, isField := formErrors(err); isField {
			fe = m
		} else if conflict(err) {
			fe["username"] = "That username is taken in your school"
		} else if err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		schools, err := s.schoolsOf(c)
		if err != nil {
			return page{}, err
		}
		form["password"] = ""
		return again("admin_person_new", view{Title: "Add a person", Form: form, Errors: fe, Fields: personFields, Data: personFormData{Base: base(c), Schools: schools}}), nil
	}
	if in.Role != "" {
		s.d.Authz.Invalidate(sc.Tenant())
	}
	return goTo(base(c) + "/admin/people/" + p.ID.String() + "?done=person-added"), nil
}

type personData struct {
	Base     string
	Person   identity.Person
	Roles    []identity.RoleAssignment
	Schools  map[uuid.UUID]string
	List     []tenant.School
	Tutoring *tutor.Tutoring // nil when the admin may not change the person
	HasPhoto bool            // shown only where the person's photo consent allows
	// Learner people have a standing arrangement form; Arrangement is
	// theirs (nil without one).
	Learner     bool
	Arrangement *assignment.Arrangement
	// Locked says until when failed sign-ins lock them out ("" when they
	// are not), and LockedAt since when.
	Locked, LockedAt string
	// SignIns is set when the viewer may open their sign-ins.
	SignIns bool
	// LegalName is the legal name a roster import kept ("" for someone
	// added by hand).
	LegalName string
}

func (s *Site) personView(c *gin.Context, id uuid.UUID) (personData, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	p, err := s.d.Identity.GetPerson(ctx, sc, id)
	if err != nil {
		return personData{}, err
	}
	roles, err := s.d.Identity.Roles(ctx, sc, id, database.Page{})
	if err != nil {
		return personData{}, err
	}
	schools, err := s.d.Tenants.Schools(ctx, sc)
	if err != nil {
		return personData{}, err
	}
	d := personData{Base: base(c), Person: p, Roles: roles, Schools: map[uuid.UUID]string{}, List: withinScope(sc, schools),
		SignIns: s.allowed(c, request.Principal(c), "security-event", "read"), LegalName: legalName(p)}
	now, loc := time.Now(), s.zone(c)
	if d.Locked = lockedWords(p.LockedUntil, now, loc); d.Locked != "" {
		if at := s.d.Identity.LockedAt(p); at != nil {
			d.LockedAt = localtime.DateTime(*at, loc)
		}
	}
	for _, sch := range schools {
		d.Schools[sch.ID] = sch.Name
	}
	switch t, err := s.d.Tutors.TutorsOf(ctx, sc, id); {
	case err == nil:
		d.Tutoring = &t
	case !notFound(err) && !errors.Is(err, errs.ErrForbidden):
		return d, err
	}
	for _, r := range roles {
		d.Learner = d.Learner || r.Role == identity.RoleLearner
	}
	if d.Learner {
		switch a, err := s.d.Assignments.GetArrangement(ctx, sc, id); {
		case err == nil:
			d.Arrangement = &a
		case !notFound(err):
			return d, err
		}
	}
	switch _, err := s.d.Media.Photo(ctx, sc, id); {
	case err == nil:
		d.HasPhoto = true
	case !notFound(err):
		return d, err
	}
	return d, nil
}

// showPersonErrors is the person page again with a form's field
// errors (the tutor, photo and password-link forms on it).
func (s *Site) showPersonErrors(c *gin.Context, id uuid.UUID, fe map[string]string, fields ...string) (page, error) {
	d, err := s.personView(c, id)
	if err != nil {
		return page{}, err
	}
	return again("admin_person", view{Title: d.Person.DisplayName, Form: map[string]string{}, Errors: fe, Fields: fields, Data: d}), nil
}

func (s *Site) personPage(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.personView(c, id)
	return show("admin_person", view{Title: d.Person.DisplayName, Form: map[string]string{}, Data: d}), err
}

func (s *Site) updatePerson(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.personView(c, id)
	if err != nil {
		return page{}, err
	}
	status := identity.PersonStatus(c.PostForm("status"))
	if status != identity.PersonActive && status != identity.PersonSuspended {
		return again("admin_person", view{Title: d.Person.DisplayName, Errors: map[string]string{"status": "Choose active or suspended"}, Data: d}), nil
	}
	if _, err := s.d.Identity.UpdatePerson(c.Request.Context(), request.Scope(c), d.Person.ID, identity.PersonPatch{Status: &status}); err != nil {
		if m, isField := formErrors(err); isField {
			return again("admin_person", view{Title: d.Person.DisplayName, Errors: m, Data: d}), nil
		}
		return page{}, err
	}
	return goTo(base(c) + "/admin/people/" + d.Person.ID.String() + "?done=saved"), nil
}

func (s *Site) giveRole(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.personView(c, id)
	if err != nil {
		return page{}, err
	}
	role, school := identity.Role(c.PostForm("role")), c.PostForm("school_id")
	fe := map[string]string{}
	if !slices.Contains(identity.TenantRoles, role) {
		fe["role"] = "Choose a role from the list"
	}
	var sid *uuid.UUID
	if school != "" {
		id, err := uuid.Parse(school)
		if err != nil {
			fe["school_id"] = "Choose a school from the list"
		}
		sid = &id
	}
	sc := request.Scope(c)
	if len(fe) == 0 {
		_, err = s.d.Identity.AssignRole(c.Request.Context(), sc, d.Person.ID, role, sid)
		if m, isField := formErrors(err); isField {
			fe = m
		} else if conflict(err) {
			fe["role"] = "They already have that role"
		} else if err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return again("admin_person", view{Title: d.Person.DisplayName, Form: map[string]string{"role": string(role), "school_id": school}, Errors: fe, Fields: []string{"role", "school_id"}, Data: d}), nil
	}
	s.d.Authz.Invalidate(sc.Tenant())
	return goTo(base(c) + "/admin/people/" + d.Person.ID.String() + "?done=role-added"), nil
}

func (s *Site) takeRole(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.personView(c, id)
	if err != nil {
		return page{}, err
	}
	rid, ok := pathID(c, "role")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	sc := request.Scope(c)
	if err := s.d.Identity.RemoveRole(c.Request.Context(), sc, d.Person.ID, rid); err != nil {
		return page{}, err
	}
	s.d.Authz.Invalidate(sc.Tenant())
	return goTo(base(c) + "/admin/people/" + d.Person.ID.String() + "?done=role-removed"), nil
}
