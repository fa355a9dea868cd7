package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/request"
)

// rosterSchoolPages let an admin record each school's DfE number and URN,
// so an export's orgs.csv finds the school by its identifier.
func (s *Site) rosterSchoolPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/admin/roster/schools", Summary: "How roster files name your schools: DfE number, URN and the org id a file gave",
			Area: request.AreaTenant, Object: "roster", Action: "read", Handler: s.serve(s.rosterSchoolsPage)},
		{Method: "POST", Path: tp + "/admin/roster/schools/:school", Summary: "Record a school's DfE number and URN for roster files",
			Area: request.AreaTenant, Object: "roster", Action: "write",
			Handler: s.serve(withID("school", "There is no such school.", s.saveRosterSchool))},
	}
}

type rosterSchoolsData struct {
	Base    string
	Schools []roster.School
	Edit    bool
	Failed  uuid.UUID // the school whose form has errors
}

func (s *Site) rosterSchoolsView(c *gin.Context, v view, failed uuid.UUID) (view, error) {
	list, err := s.d.Roster.Schools(c.Request.Context(), request.Scope(c))
	v.Title = "Your schools in roster files"
	v.Data = rosterSchoolsData{Base: base(c), Schools: list, Edit: s.allowed(c, request.Principal(c), "roster", "write"), Failed: failed}
	return v, err
}

func (s *Site) rosterSchoolsPage(c *gin.Context) (page, error) {
	v, err := s.rosterSchoolsView(c, view{Flash: map[string]string{"saved": "Saved. The next roster file finds these schools by their numbers."}[c.Query("done")]}, uuid.Nil)
	return show("admin_roster_schools", v), err
}

func (s *Site) saveRosterSchool(c *gin.Context, id uuid.UUID) (page, error) {
	in := roster.SchoolCodes{DfeNumber: c.PostForm("dfe_number"), URN: c.PostForm("urn"), Forget: c.PostForm("forget") == "yes"}
	_, err := s.d.Roster.SetSchoolCodes(c.Request.Context(), request.Scope(c), id, in)
	if m, isField := formErrors(err); isField {
		v, verr := s.rosterSchoolsView(c, view{Errors: labelled(m, map[string]string{"dfe_number": "The DfE number", "urn": "The URN"}),
			Form: map[string]string{"dfe_number": in.DfeNumber, "urn": in.URN}}, id)
		if verr != nil {
			return page{}, verr
		}
		return again("admin_roster_schools", v), nil
	}
	return goTo(base(c) + "/admin/roster/schools?done=saved"), err
}
