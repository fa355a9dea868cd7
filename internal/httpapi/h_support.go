package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/support"
)

// supportRoutes are the processor boundary: support requests filed by
// processor support staff and decided by the school, the school's access
// log, alerts and webhook, and sub-processors.
func (s *Server) supportRoutes() []Route {
	return []Route{
		{Method: "POST", Path: pp + "/tenants/:id/support-requests", Summary: "Ask a tenant for read access (support staff)", Area: AreaPlatform, Object: "support-access", Action: "write", Status: http.StatusCreated, Request: support.NewRequest{}, Reply: support.Request{}, Handler: s.fileSupportRequest},
		{Method: "GET", Path: pp + "/support-requests", Summary: "My support requests across tenants", Area: AreaPlatform, Object: "support-access", Action: "read", Reply: Page[support.Request]{}, Handler: s.mySupportRequests},
		{Method: "GET", Path: pp + "/support-requests/:id", Summary: "One of my support requests", Area: AreaPlatform, Object: "support-access", Action: "read", Reply: support.Request{}, Handler: s.mySupportRequest},
		{Method: "GET", Path: pp + "/sub-processors", Summary: "The sub-processor register", Area: AreaPlatform, Object: "sub-processor-register", Action: "read", Reply: []support.SubProcessor{}, Handler: s.subProcessorRegister},
		{Method: "POST", Path: pp + "/sub-processors", Summary: "Add a sub-processor (tells every tenant; opens the objection window)", Area: AreaPlatform, Object: "sub-processor-register", Action: "write", Status: http.StatusCreated, Request: support.NewSubProcessor{}, Reply: support.SubProcessor{}, Handler: s.addSubProcessor},

		{Method: "GET", Path: tp + "/support-requests", Summary: "Support requests to this tenant, newest first", Area: AreaTenant, Object: "support-request", Action: "read", Reply: Page[support.Request]{}, Handler: s.tenantSupportRequests},
		{Method: "GET", Path: tp + "/support-requests/:request", Summary: "One support request", Area: AreaTenant, Object: "support-request", Action: "read", Reply: support.Request{}, Handler: s.tenantSupportRequest},
		{Method: "POST", Path: tp + "/support-requests/:request/decision", Summary: "Approve or deny a support request (approvers)", Area: AreaTenant, Object: "support-request", Action: "write", AfterEnd: true, Request: support.Decision{}, Reply: support.Request{}, Handler: s.decideSupportRequest},
		{Method: "POST", Path: tp + "/support-requests/:request/revoke", Summary: "End support access in force, at once", Area: AreaTenant, Object: "support-grant", Action: "write", AfterEnd: true, Reply: support.Request{}, Handler: s.revokeSupportRequest},
		{Method: "GET", Path: tp + "/access-log", Summary: "The access transparency log, newest first (?before=seq)", Area: AreaTenant, Object: "access-log", Action: "read", Reply: AccessLogPage{}, Handler: s.accessLog},
		{Method: "GET", Path: tp + "/access-log/export", Summary: "The whole access log as CSV", Area: AreaTenant, Object: "access-log", Action: "read", Handler: s.exportAccessLog},
		{Method: "GET", Path: tp + "/alerts", Summary: "Recent alerts for admins and approvers", Area: AreaTenant, Object: "alert", Action: "read", Reply: []alert.Alert{}, Handler: s.alerts},
		{Method: "GET", Path: tp + "/webhook", Summary: "Where alerts are posted", Area: AreaTenant, Object: "webhook", Action: "read", Reply: alert.Webhook{}, Handler: s.getWebhook},
		{Method: "PUT", Path: tp + "/webhook", Summary: "Set where alerts are posted (returns a new signing secret, shown once)", Area: AreaTenant, Object: "webhook", Action: "write", Request: WebhookRequest{}, Reply: alert.Webhook{}, Handler: s.setWebhook},
		{Method: "GET", Path: tp + "/sub-processors", Summary: "Sub-processors with this tenant's decisions", Area: AreaTenant, Object: "sub-processor", Action: "read", Reply: []support.SubProcessor{}, Handler: s.tenantSubProcessors},
		{Method: "POST", Path: tp + "/sub-processors/:sp/decision", Summary: "Authorise a sub-processor, or object to it", Area: AreaTenant, Object: "sub-processor", Action: "write", Status: http.StatusNoContent, Request: SubProcessorDecision{}, Handler: s.decideSubProcessor},
	}
}

// AccessLogPage is a page of the access log; NextBefore continues it.
type AccessLogPage struct {
	Items      []audit.Record `json:"items"`
	NextBefore int64          `json:"next_before,omitempty"`
}

// WebhookRequest sets the alert webhook ("" removes it).
type WebhookRequest struct {
	URL string `json:"url"`
}

// SubProcessorDecision is a tenant's answer about a sub-processor.
type SubProcessorDecision struct {
	Decision string `json:"decision"` // authorised or objected
	Reason   string `json:"reason,omitempty"`
}

func (s *Server) fileSupportRequest(c *gin.Context) {
	var in support.NewRequest
	id, ok := s.tenantParam(c, &in)
	if !ok {
		return
	}
	r, err := s.Support.File(c.Request.Context(), principal(c).ID, id, in)
	reply(c, http.StatusCreated, r, err)
}

func (s *Server) mySupportRequests(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	rs, err := s.Support.ForStaff(c.Request.Context(), principal(c).ID, after, limit)
	reply(c, http.StatusOK, page(rs, limit, func(r support.Request) uuid.UUID { return r.ID }), err)
}

func (s *Server) mySupportRequest(c *gin.Context) {
	s.oneRequest(c, "id", func(id uuid.UUID) (support.Request, error) {
		return s.Support.Mine(c.Request.Context(), principal(c).ID, id)
	})
}

func (s *Server) tenantSupportRequests(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	rs, err := s.Support.ForTenant(c.Request.Context(), scope(c), after, limit)
	reply(c, http.StatusOK, page(rs, limit, func(r support.Request) uuid.UUID { return r.ID }), err)
}

func (s *Server) tenantSupportRequest(c *gin.Context) {
	s.oneRequest(c, "request", func(id uuid.UUID) (support.Request, error) { return s.Support.Get(c.Request.Context(), scope(c), id) })
}

func (s *Server) decideSupportRequest(c *gin.Context) {
	var in support.Decision
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	s.oneRequest(c, "request", func(id uuid.UUID) (support.Request, error) {
		return s.Support.Decide(c.Request.Context(), scope(c), id, in)
	})
}

func (s *Server) revokeSupportRequest(c *gin.Context) {
	s.oneRequest(c, "request", func(id uuid.UUID) (support.Request, error) {
		return s.Support.Revoke(c.Request.Context(), scope(c), id)
	})
}

// oneRequest answers with the request fn returns for the path's param.
func (s *Server) oneRequest(c *gin.Context, param string, fn func(uuid.UUID) (support.Request, error)) {
	id, err := pathID(c, param)
	if err != nil {
		fail(c, err)
		return
	}
	r, err := fn(id)
	reply(c, http.StatusOK, r, err)
}

func (s *Server) accessLog(c *gin.Context) {
	_, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var before int64
	if v := c.Query("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			fail(c, errs.Field("before", "must be a record number from a previous page"))
			return
		}
	}
	rs, err := s.Support.AccessLog(c.Request.Context(), scope(c), before, limit)
	if err != nil {
		fail(c, err)
		return
	}
	out := AccessLogPage{Items: rs}
	if len(rs) == limit && limit > 0 {
		out.NextBefore = rs[len(rs)-1].Seq
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) exportAccessLog(c *gin.Context) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="access-log.csv"`)
	c.Status(http.StatusOK)
	if err := s.Support.ExportAccessLog(c.Request.Context(), scope(c), c.Writer); err != nil {
		_ = c.Error(err) // headers are sent; the truncated file shows the failure
	}
}

func (s *Server) alerts(c *gin.Context) {
	audience := "approver"
	if s.may(c, "person", "write") {
		audience = "admin"
	}
	out, err := s.Alerts.List(c.Request.Context(), scope(c), audience, 50)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) getWebhook(c *gin.Context) {
	w, ok, err := s.Alerts.GetWebhook(c.Request.Context(), scope(c))
	if err != nil {
		fail(c, err)
		return
	}
	if !ok {
		fail(c, errs.ErrNotFound)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) setWebhook(c *gin.Context) {
	var in WebhookRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	w, err := s.Alerts.SetWebhook(c.Request.Context(), scope(c), in.URL)
	reply(c, http.StatusOK, w, err)
}

func (s *Server) subProcessorRegister(c *gin.Context) {
	out, err := s.Support.SubProcessors(c.Request.Context(), nil)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) addSubProcessor(c *gin.Context) {
	var in support.NewSubProcessor
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	sp, err := s.Support.AddSubProcessor(c.Request.Context(), principal(c).ID, in)
	reply(c, http.StatusCreated, sp, err)
}

func (s *Server) tenantSubProcessors(c *gin.Context) {
	sc := scope(c)
	out, err := s.Support.SubProcessors(c.Request.Context(), &sc)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) decideSubProcessor(c *gin.Context) {
	id, err := pathID(c, "sp")
	if err != nil {
		fail(c, err)
		return
	}
	var in SubProcessorDecision
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Support.DecideSubProcessor(c.Request.Context(), scope(c), id, in.Decision, in.Reason))
}

// tenantParam reads a platform route's :id tenant (404 if there is none)
// and its JSON body into in (when in is not nil); on a problem it has
// answered and reports false.
func (s *Server) tenantParam(c *gin.Context, in any) (uuid.UUID, bool) {
	id, err := pathID(c, "id")
	if err == nil && in != nil {
		err = bindJSON(c, in)
	}
	if err == nil {
		_, err = s.Tenants.SlugOf(c.Request.Context(), id)
	}
	if err != nil {
		fail(c, err)
		return id, false
	}
	return id, true
}

// may asks casbin whether the caller holds (object, action) in the tenant.
func (s *Server) may(c *gin.Context, object, action string) bool {
	p := principal(c)
	g, err := s.Authz.Decide(c.Request.Context(), p, p.TenantID, object, action)
	return err == nil && g.Allowed
}
