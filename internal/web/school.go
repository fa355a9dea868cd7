package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/httpapi"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// schoolPages are the school administrators' pages: a dashboard, people
// and roles, bulk import, courses and enrolments.
func (s *Site) schoolPages() []httpapi.Route {
	a := tp + "/admin"
	return []httpapi.Route{
		{Method: "GET", Path: a, Summary: "School administration dashboard", Area: httpapi.AreaTenant, Object: "person", Action: "read", Handler: s.adminHome},
		{Method: "GET", Path: a + "/people", Summary: "People (paged)", Area: httpapi.AreaTenant, Object: "person", Action: "read", Handler: s.peoplePage},
		{Method: "GET", Path: a + "/people/new", Summary: "The form to add a person", Area: httpapi.AreaTenant, Object: "person", Action: "read", Handler: s.newPersonForm},
		{Method: "POST", Path: a + "/people/new", Summary: "Add a person", Area: httpapi.AreaTenant, Object: "person", Action: "write", Handler: s.createPerson},
		{Method: "GET", Path: a + "/people/:id", Summary: "A person and their roles", Area: httpapi.AreaTenant, Object: "person", Action: "read", Handler: s.personPage},
		{Method: "POST", Path: a + "/people/:id", Summary: "Suspend or reactivate a person", Area: httpapi.AreaTenant, Object: "person", Action: "write", Handler: s.updatePerson},
		{Method: "POST", Path: a + "/people/:id/roles", Summary: "Give a person a role", Area: httpapi.AreaTenant, Object: "role", Action: "write", Handler: s.giveRole},
		{Method: "POST", Path: a + "/people/:id/roles/:role/delete", Summary: "Take a role away", Area: httpapi.AreaTenant, Object: "role", Action: "write", Handler: s.takeRole},
		{Method: "GET", Path: a + "/roster", Summary: "Bulk import from OneRoster CSV, and past imports", Area: httpapi.AreaTenant, Object: "roster", Action: "read", Handler: s.rosterPage},
		{Method: "POST", Path: a + "/roster", Summary: "Import OneRoster CSV files", Area: httpapi.AreaTenant, Object: "roster", Action: "write", Handler: s.rosterImport},
		{Method: "GET", Path: a + "/roster/:import", Summary: "One import with its per-row errors", Area: httpapi.AreaTenant, Object: "roster", Action: "read", Handler: s.rosterResult},
		{Method: "GET", Path: a + "/courses", Summary: "Courses of the school (paged), and a form to add one", Area: httpapi.AreaTenant, Object: "enrolment", Action: "read", Handler: s.adminCourses},
		{Method: "POST", Path: a + "/courses", Summary: "Add a course", Area: httpapi.AreaTenant, Object: "course", Action: "write", Handler: s.adminCreateCourse},
		{Method: "GET", Path: a + "/courses/:course", Summary: "A course's enrolments", Area: httpapi.AreaTenant, Object: "enrolment", Action: "read", Handler: s.adminCourse},
		{Method: "POST", Path: a + "/courses/:course/enrolments", Summary: "Enrol a person", Area: httpapi.AreaTenant, Object: "enrolment", Action: "write", Handler: s.adminEnrol},
		{Method: "POST", Path: a + "/courses/:course/enrolments/:person/delete", Summary: "Take a person off a course", Area: httpapi.AreaTenant, Object: "enrolment", Action: "write", Handler: s.adminUnenrol},
	}
}

func init() {
	flashes["person-added"] = "The person has been added."
	flashes["role-removed"] = "The role has been taken away."
	flashes["unenrolled"] = "Taken off the course."
	flashes["course-added"] = "The course has been added as a draft; its teachers publish it."
}

type adminHomeData struct {
	Base     string
	Tenant   tenant.Tenant
	Contract tenant.Contract
	Schools  []tenant.School
	Imports  []roster.Import
}

func (s *Site) adminHome(c *gin.Context) {
	ctx, sc := c.Request.Context(), httpapi.ScopeOf(c)
	t, ct, err := s.d.Tenants.ForMember(ctx, sc.Tenant())
	if err != nil {
		s.fail(c, err)
		return
	}
	schools, err := s.d.Tenants.Schools(ctx, sc)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := adminHomeData{Base: base(c), Tenant: t, Contract: ct, Schools: schools}
	if s.allowed(c, httpapi.PrincipalOf(c), "roster", "read") {
		if d.Imports, err = s.d.Roster.List(ctx, sc, "", uuid.Nil, 5); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, http.StatusOK, "admin_home", view{Title: t.Name, Data: d})
}

type peopleData struct {
	Base   string
	People []identity.Person
	Pager  pager
}

func (s *Site) peoplePage(c *gin.Context) {
	after, limit, err := httpapi.PageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ps, err := s.d.Identity.ListPeople(c.Request.Context(), httpapi.ScopeOf(c), after, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	pg := httpapi.NewPage(ps, limit, func(p identity.Person) uuid.UUID { return p.ID })
	s.render(c, http.StatusOK, "admin_people", view{Title: "People", Data: peopleData{Base: base(c), People: ps, Pager: nextPage(c, pg.NextCursor)}})
}

type personFormData struct {
	Base    string
	Schools []tenant.School
}

var personFields = []string{"username", "display_name", "email", "password", "role", "school_id"}

func (s *Site) newPersonForm(c *gin.Context) {
	schools, err := s.d.Tenants.Schools(c.Request.Context(), httpapi.ScopeOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_person_new", view{Title: "Add a person", Form: map[string]string{}, Data: personFormData{Base: base(c), Schools: schools}})
}

func (s *Site) createPerson(c *gin.Context) {
	ctx, sc := c.Request.Context(), httpapi.ScopeOf(c)
	form := map[string]string{}
	for _, f := range personFields {
		form[f] = strings.TrimSpace(c.PostForm(f))
	}
	in := identity.NewPerson{Username: form["username"], DisplayName: form["display_name"], Password: c.PostForm("password"), Role: form["role"]}
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
	if in.Role != "" && in.Role != "learner" && in.Role != "teacher" && in.Role != "admin" {
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
			s.fail(c, err)
			return
		}
	}
	if len(fe) > 0 {
		schools, err := s.d.Tenants.Schools(ctx, sc)
		if err != nil {
			s.fail(c, err)
			return
		}
		form["password"] = ""
		s.render(c, http.StatusBadRequest, "admin_person_new", view{Title: "Add a person", Form: form, Errors: fe, Fields: personFields, Data: personFormData{Base: base(c), Schools: schools}})
		return
	}
	if in.Role != "" {
		s.d.Authz.Invalidate(sc.Tenant())
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+p.ID.String()+"?done=person-added")
}

type personData struct {
	Base    string
	Person  identity.Person
	Roles   []identity.RoleAssignment
	Schools map[uuid.UUID]string
	List    []tenant.School
}

func (s *Site) personView(c *gin.Context) (personData, error) {
	id, ok := pathID(c, "id")
	if !ok {
		return personData{}, errs.ErrNotFound
	}
	ctx, sc := c.Request.Context(), httpapi.ScopeOf(c)
	p, err := s.d.Identity.GetPerson(ctx, sc, id)
	if err != nil {
		return personData{}, err
	}
	roles, err := s.d.Identity.Roles(ctx, sc, id)
	if err != nil {
		return personData{}, err
	}
	schools, err := s.d.Tenants.Schools(ctx, sc)
	if err != nil {
		return personData{}, err
	}
	d := personData{Base: base(c), Person: p, Roles: roles, Schools: map[uuid.UUID]string{}, List: schools}
	for _, sch := range schools {
		d.Schools[sch.ID] = sch.Name
	}
	return d, nil
}

func (s *Site) personPage(c *gin.Context) {
	d, err := s.personView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_person", view{Title: d.Person.DisplayName, Form: map[string]string{}, Data: d})
}

func (s *Site) updatePerson(c *gin.Context) {
	d, err := s.personView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := c.PostForm("status")
	if status != "active" && status != "suspended" {
		s.render(c, http.StatusBadRequest, "admin_person", view{Title: d.Person.DisplayName, Errors: map[string]string{"status": "Choose active or suspended"}, Data: d})
		return
	}
	if _, err := s.d.Identity.UpdatePerson(c.Request.Context(), httpapi.ScopeOf(c), d.Person.ID, identity.PersonPatch{Status: &status}); err != nil {
		if m, isField := formErrors(err); isField {
			s.render(c, http.StatusBadRequest, "admin_person", view{Title: d.Person.DisplayName, Errors: m, Data: d})
			return
		}
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+d.Person.ID.String()+"?done=saved")
}

func (s *Site) giveRole(c *gin.Context) {
	d, err := s.personView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	role, school := c.PostForm("role"), c.PostForm("school_id")
	fe := map[string]string{}
	if role != "learner" && role != "teacher" && role != "admin" && role != "approver" {
		fe["role"] = "Choose learner, teacher, administrator or access approver"
	}
	var sid *uuid.UUID
	if school != "" {
		id, err := uuid.Parse(school)
		if err != nil {
			fe["school_id"] = "Choose a school from the list"
		}
		sid = &id
	}
	sc := httpapi.ScopeOf(c)
	if len(fe) == 0 {
		_, err = s.d.Identity.AssignRole(c.Request.Context(), sc, d.Person.ID, role, sid)
		if m, isField := formErrors(err); isField {
			fe = m
		} else if conflict(err) {
			fe["role"] = "They already have that role"
		} else if err != nil {
			s.fail(c, err)
			return
		}
	}
	if len(fe) > 0 {
		s.render(c, http.StatusBadRequest, "admin_person", view{Title: d.Person.DisplayName, Form: map[string]string{"role": role, "school_id": school}, Errors: fe, Fields: []string{"role", "school_id"}, Data: d})
		return
	}
	s.d.Authz.Invalidate(sc.Tenant())
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+d.Person.ID.String()+"?done=role-added")
}

func (s *Site) takeRole(c *gin.Context) {
	d, err := s.personView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rid, ok := pathID(c, "role")
	if !ok {
		s.fail(c, errs.ErrNotFound)
		return
	}
	sc := httpapi.ScopeOf(c)
	if err := s.d.Identity.RemoveRole(c.Request.Context(), sc, d.Person.ID, rid); err != nil {
		s.fail(c, err)
		return
	}
	s.d.Authz.Invalidate(sc.Tenant())
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+d.Person.ID.String()+"?done=role-removed")
}

type rosterData struct {
	Base    string
	Imports []roster.Import
	Pager   pager
}

func (s *Site) rosterView(c *gin.Context) (rosterData, error) {
	after, limit, err := httpapi.PageParams(c)
	if err != nil {
		return rosterData{}, err
	}
	list, err := s.d.Roster.List(c.Request.Context(), httpapi.ScopeOf(c), "", after, limit)
	if err != nil {
		return rosterData{}, err
	}
	pg := httpapi.NewPage(list, limit, func(i roster.Import) uuid.UUID { return i.ID })
	return rosterData{Base: base(c), Imports: list, Pager: nextPage(c, pg.NextCursor)}, nil
}

func (s *Site) rosterPage(c *gin.Context) {
	d, err := s.rosterView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_roster", view{Title: "Bulk import", Data: d})
}

// rosterImport runs an upload through the roster service; accepted or
// rejected, every import is recorded, so the result is shown on the
// import's own page.
func (s *Site) rosterImport(c *gin.Context) {
	mr := httpapi.MultipartOf(c)
	var files map[string][]byte
	var err error
	if mr == nil {
		err = errs.Field("files", "Send the form from the import page")
	} else {
		files, err = httpapi.RosterParts(mr)
	}
	// "Check only" posts the same form to ?dry_run=true (formaction).
	dryRun := c.Query("dry_run") == "true"
	if err == nil {
		if len(files) == 0 {
			err = errs.Field("files", "Choose the CSV files (or one zip) to import")
		}
	}
	if m, isField := formErrors(err); isField {
		d, verr := s.rosterView(c)
		if verr != nil {
			s.fail(c, verr)
			return
		}
		fe := map[string]string{}
		for k, v := range m {
			if !roster.Known(k) && k != "file" {
				k = "files"
			}
			fe[k] = v
		}
		s.render(c, http.StatusBadRequest, "admin_roster", view{Title: "Bulk import", Errors: fe, Data: d})
		return
	} else if err != nil {
		s.fail(c, err)
		return
	}
	sc := httpapi.ScopeOf(c)
	rec, err := s.d.Roster.Import(c.Request.Context(), sc, files, dryRun)
	if rej, ok := roster.AsRejected(err); ok {
		rec, err = rej.Import, nil
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if rec.Status == roster.Applied {
		s.d.Authz.Invalidate(sc.Tenant())
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/roster/"+rec.ID.String())
}

func (s *Site) rosterResult(c *gin.Context) {
	id, ok := pathID(c, "import")
	if !ok {
		s.fail(c, errs.ErrNotFound)
		return
	}
	rec, err := s.d.Roster.Get(c.Request.Context(), httpapi.ScopeOf(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	s.render(c, status, "admin_roster_result", view{Title: "Import of " + rec.CreatedAt.UTC().Format("2 Jan 2006 15:04"), Data: struct {
		Base string
		Rec  roster.Import
	}{base(c), rec}})
}

type adminCoursesData struct {
	Base    string
	Courses []course.Course
	Schools []tenant.School
	Status  string
	Pager   pager
}

func (s *Site) adminCoursesView(c *gin.Context) (adminCoursesData, error) {
	after, limit, err := httpapi.PageParams(c)
	if err != nil {
		return adminCoursesData{}, err
	}
	status := c.Query("status")
	if status != "" && status != course.Draft && status != course.Published && status != course.Archived {
		return adminCoursesData{}, errs.Field("status", "must be draft, published or archived")
	}
	ctx, sc := c.Request.Context(), httpapi.ScopeOf(c)
	list, err := s.d.Courses.List(ctx, sc, course.Filter{Status: status}, after, limit)
	if err != nil {
		return adminCoursesData{}, err
	}
	schools, err := s.d.Tenants.Schools(ctx, sc)
	if err != nil {
		return adminCoursesData{}, err
	}
	pg := httpapi.NewPage(list, limit, func(x course.Course) uuid.UUID { return x.ID })
	return adminCoursesData{Base: base(c), Courses: list, Schools: schools, Status: status, Pager: nextPage(c, pg.NextCursor)}, nil
}

func (s *Site) adminCourses(c *gin.Context) {
	d, err := s.adminCoursesView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_courses", view{Title: "Courses", Form: map[string]string{}, Data: d})
}

func (s *Site) adminCreateCourse(c *gin.Context) {
	form := map[string]string{"title": c.PostForm("title"), "summary": c.PostForm("summary"), "school_id": c.PostForm("school_id")}
	fe := map[string]string{}
	sid, err := uuid.Parse(form["school_id"])
	if err != nil {
		fe["school_id"] = "Choose the school"
	}
	if len(fe) == 0 {
		_, err = s.d.Courses.Create(c.Request.Context(), httpapi.ScopeOf(c), course.NewCourse{SchoolID: sid, Title: form["title"], Summary: form["summary"], Status: course.Draft})
		if m, isField := formErrors(err); isField {
			fe = m
		} else if err != nil {
			s.fail(c, err)
			return
		}
	}
	if len(fe) > 0 {
		d, err := s.adminCoursesView(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusBadRequest, "admin_courses", view{Title: "Courses", Form: form, Errors: fe, Fields: []string{"school_id", "title", "summary"}, Data: d})
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/courses?done=course-added")
}

type adminCourseData struct {
	Base       string
	Course     course.Course
	Enrolments []course.Enrolment
	Pager      pager
}

func (s *Site) adminCourseView(c *gin.Context) (adminCourseData, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return adminCourseData{}, errs.ErrNotFound
	}
	after, limit, err := httpapi.PageParams(c)
	if err != nil {
		return adminCourseData{}, err
	}
	ctx, sc := c.Request.Context(), httpapi.ScopeOf(c)
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return adminCourseData{}, err
	}
	es, err := s.d.Courses.Enrolments(ctx, sc, id, "", "", after, limit)
	if err != nil {
		return adminCourseData{}, err
	}
	pg := httpapi.NewPage(es, limit, func(e course.Enrolment) uuid.UUID { return e.PersonID })
	return adminCourseData{Base: base(c), Course: pv.Course, Enrolments: es, Pager: nextPage(c, pg.NextCursor)}, nil
}

func (s *Site) adminCourse(c *gin.Context) {
	d, err := s.adminCourseView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_course", view{Title: d.Course.Title, Form: map[string]string{}, Data: d})
}

func (s *Site) adminEnrol(c *gin.Context) {
	d, err := s.adminCourseView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, sc := c.Request.Context(), httpapi.ScopeOf(c)
	form := map[string]string{"username": strings.TrimSpace(c.PostForm("username")), "role": c.PostForm("role")}
	fe := map[string]string{}
	if form["role"] != "learner" && form["role"] != "teacher" {
		fe["role"] = "Choose learner or teacher"
	}
	var p identity.Person
	if form["username"] == "" {
		fe["username"] = "Enter the person's username"
	} else if p, err = s.d.Identity.FindByUsername(ctx, sc, form["username"]); notFound(err) {
		fe["username"] = "Nobody in your school has that username"
	} else if err != nil {
		s.fail(c, err)
		return
	}
	if len(fe) == 0 {
		_, err = s.d.Courses.Enrol(ctx, sc, d.Course.ID, p.ID, form["role"])
		if m, isField := formErrors(err); isField {
			fe = m
		} else if err != nil {
			s.fail(c, err)
			return
		}
	}
	if len(fe) > 0 {
		s.render(c, http.StatusBadRequest, "admin_course", view{Title: d.Course.Title, Form: form, Errors: fe, Fields: []string{"username", "role"}, Data: d})
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/courses/"+d.Course.ID.String()+"?done=enrolled")
}

func (s *Site) adminUnenrol(c *gin.Context) {
	d, err := s.adminCourseView(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	pid, ok := pathID(c, "person")
	if !ok {
		s.fail(c, errs.ErrNotFound)
		return
	}
	if err := s.d.Courses.Unenrol(c.Request.Context(), httpapi.ScopeOf(c), d.Course.ID, pid); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/courses/"+d.Course.ID.String()+"?done=unenrolled")
}
