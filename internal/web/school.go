package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// schoolPages are the school administrators' pages: a dashboard, people
// and roles, bulk import, courses and enrolments.
func (s *Site) schoolPages() []request.Route {
	a := tp + "/admin"
	return []request.Route{
		{Method: "GET", Path: a, Summary: "School administration dashboard", Area: request.AreaTenant,
			Object: "person", Action: "read", Handler: s.serve(s.adminHome)},
		{Method: "GET", Path: a + "/people", Summary: "People (paged)", Area: request.AreaTenant,
			Object: "person", Action: "read", Handler: s.serve(s.peoplePage)},
		{Method: "GET", Path: a + "/people/new", Summary: "The form to add a person",
			Area: request.AreaTenant, Object: "person", Action: "read", Handler: s.serve(s.newPersonForm)},
		{Method: "POST", Path: a + "/people/new", Summary: "Add a person", Area: request.AreaTenant,
			Object: "person", Action: "write", Handler: s.serve(s.createPerson)},
		{Method: "GET", Path: a + "/people/:id", Summary: "A person and their roles",
			Area: request.AreaTenant, Object: "person", Action: "read", Handler: s.serve(withID("id", "", s.personPage))},
		{Method: "POST", Path: a + "/people/:id", Summary: "Suspend or reactivate a person",
			Area: request.AreaTenant, Object: "person", Action: "write", Handler: s.serve(withID("id", "", s.updatePerson))},
		{Method: "POST", Path: a + "/people/:id/roles", Summary: "Give a person a role",
			Area: request.AreaTenant, Object: "role", Action: "write", Handler: s.serve(withID("id", "", s.giveRole))},
		{Method: "POST", Path: a + "/people/:id/roles/:role/delete", Summary: "Take a role away",
			Area: request.AreaTenant, Object: "role", Action: "write", Handler: s.serve(withID("id", "", s.takeRole))},
		{Method: "GET", Path: a + "/roster", Summary: "Bulk import from OneRoster CSV, and past imports",
			Area: request.AreaTenant, Object: "roster", Action: "read", Handler: s.serve(s.rosterPage)},
		{Method: "POST", Path: a + "/roster", Summary: "Import OneRoster CSV files",
			Area: request.AreaTenant, Upload: true, Object: "roster", Action: "write",
			Handler: s.serve(s.rosterImport)},
		{Method: "GET", Path: a + "/roster/:import", Summary: "One import with its per-row errors",
			Area: request.AreaTenant, Object: "roster", Action: "read", Handler: s.serve(withID("import", "", s.rosterResult))},
		{Method: "POST", Path: a + "/roster/:import/confirm", Summary: "Apply an import held by the safety limit",
			Area: request.AreaTenant, Object: "roster", Action: "write",
			Handler: s.serve(withID("import", "There is no such import.", s.rosterConfirm))},
		{Method: "POST", Path: a + "/roster/:import/discard", Summary: "Discard an import held by the safety limit",
			Area: request.AreaTenant, Object: "roster", Action: "write",
			Handler: s.serve(withID("import", "There is no such import.", s.rosterDiscard))},
		{Method: "GET", Path: a + "/courses",
			Summary: "Courses of the school (paged), and a form to add one", Area: request.AreaTenant,
			Object: "enrolment", Action: "read", Handler: s.serve(s.adminCourses)},
		{Method: "POST", Path: a + "/courses", Summary: "Add a course", Area: request.AreaTenant,
			Object: "course", Action: "write", Handler: s.serve(s.adminCreateCourse)},
		{Method: "GET", Path: a + "/courses/:course", Summary: "A course's enrolments",
			Area: request.AreaTenant, Object: "enrolment", Action: "read", Handler: s.serve(withID("course", "", s.adminCourse))},
		{Method: "POST", Path: a + "/courses/:course/enrolments", Summary: "Enrol a person",
			Area: request.AreaTenant, Object: "enrolment", Action: "write", Handler: s.serve(withID("course", "", s.adminEnrol))},
		{Method: "POST", Path: a + "/courses/:course/enrolments/:person/delete",
			Summary: "Take a person off a course", Area: request.AreaTenant, Object: "enrolment",
			Action: "write", Handler: s.serve(withID("course", "", s.adminUnenrol))},
	}
}

type adminHomeData struct {
	Base     string
	Tenant   tenant.Tenant
	Contract tenant.Contract
	Schools  []tenant.School
	Imports  []roster.Import
	// Subject requests open, and of them overdue or due within a week.
	OpenRequests, Overdue, DueSoon int
}

func (s *Site) adminHome(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	t, ct, err := s.d.Tenants.ForMember(ctx, sc.Tenant())
	if err != nil {
		return page{}, err
	}
	schools, err := s.schoolsOf(c)
	if err != nil {
		return page{}, err
	}
	d := adminHomeData{Base: base(c), Tenant: t, Contract: ct, Schools: schools}
	if s.allowed(c, request.Principal(c), "roster", "read") {
		if d.Imports, err = s.d.Roster.List(ctx, sc, "", uuid.Nil, 5); err != nil {
			return page{}, err
		}
	}
	if s.allowed(c, request.Principal(c), "subject-request", "read") {
		open, err := s.d.Subjects.List(ctx, sc, subject.Filter{Open: true}, database.Page{Limit: 200})
		if err != nil {
			return page{}, err
		}
		d.OpenRequests = len(open)
		for _, r := range open {
			if r.Overdue {
				d.Overdue++
			} else if r.DueSoon {
				d.DueSoon++
			}
		}
	}
	return show("admin_home", view{Title: t.Name, Data: d}), nil
}
