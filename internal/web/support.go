package web

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// supportPages are the school's side of the processor boundary: support
// requests to approve or deny, access in force to revoke, the access
// transparency log, and sub-processors to authorise or object to.
func (s *Site) supportPages() []request.Route {
	a := tp + "/admin"
	return []request.Route{
		{Method: "GET", Path: a + "/support", Summary: "Support access requests and alerts",
			Area: request.AreaTenant, Object: "support-request", Action: "read",
			Handler: s.serve(s.supportRequestsPage)},
		{Method: "GET", Path: a + "/support/:request", Summary: "One support access request",
			Area: request.AreaTenant, Object: "support-request", Action: "read",
			Handler: s.serve(withID("request", "There is no such request.", s.supportRequestPage))},
		{Method: "POST", Path: a + "/support/:request/decision",
			Summary: "Approve or deny a support access request", Area: request.AreaTenant, AfterEnd: true,
			Object: "support-request", Action: "write", Handler: s.serve(withID("request", "There is no such request.", s.decideSupport))},
		{Method: "POST", Path: a + "/support/:request/revoke", Summary: "End support access now",
			Area: request.AreaTenant, AfterEnd: true, Object: "support-grant", Action: "write",
			Handler: s.serve(withID("request", "There is no such request.", s.revokeSupport))},
		{Method: "GET", Path: a + "/access-log", Summary: "The access transparency log (paged)",
			Area: request.AreaTenant, Object: "access-log", Action: "read", Handler: s.serve(s.accessLogPage)},
		{Method: "GET", Path: a + "/sub-processors", Summary: "Sub-processors and the school's decisions",
			Area: request.AreaTenant, Object: "sub-processor", Action: "read",
			Handler: s.serve(s.subProcessorsPage)},
		{Method: "POST", Path: a + "/sub-processors/:sp",
			Summary: "Authorise a sub-processor or object to it", Area: request.AreaTenant,
			Object: "sub-processor", Action: "write", Handler: s.serve(withID("sp", "There is no such sub-processor.", s.decideSubProcessor))},
	}
}

type supportListData struct {
	Base     string
	Requests []support.Request
	Alerts   []alert.Alert
	Pager    pager
}

func (s *Site) supportRequestsPage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	rs, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]support.Request, error) {
		return s.d.Support.ForTenant(ctx, sc, after, limit)
	}, func(r support.Request) uuid.UUID { return r.ID })
	if err != nil {
		return page{}, err
	}
	audience := identity.RoleApprover
	if s.allowed(c, request.Principal(c), "person", "write") {
		audience = identity.RoleAdmin
	}
	alerts, err := s.d.Alerts.List(ctx, sc, audience, 10)
	d := supportListData{Base: base(c), Requests: rs, Alerts: alerts, Pager: pg}
	return show("support_requests", view{Title: "Support access", Data: d}), err
}

type supportRequestData struct {
	Base                 string
	R                    support.Request
	CanDecide, CanRevoke bool
}

func (s *Site) supportRequestPage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showSupportRequest(c, id, show, view{Form: map[string]string{}})
}

// showSupportRequest is one support request's page with v's form (as:
// show, or again for a form with errors).
func (s *Site) showSupportRequest(c *gin.Context, id uuid.UUID, as func(string, view) page, v view) (page, error) {
	r, err := s.d.Support.Get(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	p := request.Principal(c)
	v.Title, v.Fields = "Support request "+r.Ticket, []string{"duration_minutes", "note"}
	v.Data = supportRequestData{Base: base(c), R: r, CanDecide: r.State == support.StatePending && s.allowed(c, p, "support-request", "write"),
		CanRevoke: r.State == support.StateApproved && s.allowed(c, p, "support-grant", "write")}
	return as("support_request", v), nil
}

func (s *Site) decideSupport(c *gin.Context, id uuid.UUID) (page, error) {
	form := map[string]string{"duration_minutes": strings.TrimSpace(c.PostForm("duration_minutes")), "note": strings.TrimSpace(c.PostForm("note"))}
	d := support.Decision{Approve: c.PostForm("decision") == "approve", Note: form["note"]}
	if v := form["duration_minutes"]; v != "" && d.Approve {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return s.showSupportRequest(c, id, again, view{Form: form, Errors: map[string]string{"duration_minutes": "Enter a number of minutes, or leave it empty for what was asked"}})
		}
		d.DurationMinutes = n
	}
	_, err := s.d.Support.Decide(c.Request.Context(), request.Scope(c), id, d)
	if fe, isField := formErrors(err); isField {
		return s.showSupportRequest(c, id, again, view{Form: form, Errors: fe})
	} else if err != nil {
		return page{}, err
	}
	done := "denied"
	if d.Approve {
		done = "approved"
	}
	return goTo(base(c) + "/admin/support/" + id.String() + "?done=" + done), nil
}

func (s *Site) revokeSupport(c *gin.Context, id uuid.UUID) (page, error) {
	_, err := s.d.Support.Revoke(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/admin/support/" + id.String() + "?done=revoked"), err
}

type accessLogData struct {
	Base    string
	Entries []logEntry
	Next    string
}

func (s *Site) accessLogPage(c *gin.Context) (page, error) {
	var before int64
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return page{}, errs.New(errs.ErrInvalid, "That page of the log does not exist.")
		}
		before = n
	}
	const limit = 50
	ctx, sc := c.Request.Context(), request.Scope(c)
	rs, err := s.d.Support.AccessLog(ctx, sc, before, limit)
	if err != nil {
		return page{}, err
	}
	d := accessLogData{Base: base(c), Entries: s.logEntries(ctx, sc, rs)}
	if len(rs) == limit {
		d.Next = c.Request.URL.Path + "?before=" + strconv.FormatInt(rs[len(rs)-1].Seq, 10)
	}
	return show("access_log", view{Title: "Access log", Data: d}), nil
}

type subProcessorsData struct {
	Base     string
	List     []support.SubProcessor
	CanWrite bool
}

func (s *Site) subProcessorsPage(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	list, err := s.d.Support.SubProcessors(c.Request.Context(), &sc)
	if err != nil {
		return page{}, err
	}
	d := subProcessorsData{Base: base(c), List: list, CanWrite: s.allowed(c, request.Principal(c), "sub-processor", "write")}
	return show("sub_processors", view{Title: "Sub-processors", Data: d}), nil
}

func (s *Site) decideSubProcessor(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Support.DecideSubProcessor(c.Request.Context(), request.Scope(c), id, c.PostForm("decision"), c.PostForm("reason"))
	return goTo(base(c) + "/admin/sub-processors?done=sp-decided"), err
}
