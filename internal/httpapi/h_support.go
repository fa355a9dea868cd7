package httpapi

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// supportRoutes are the processor boundary: support requests filed by
// processor support staff and decided by the school, the school's access
// log, alerts and webhook, and sub-processors.
func (s *Server) supportRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: pp + "/tenants/:id/support-requests",
			Summary: "Ask a tenant for read access (support staff)", Area: request.AreaPlatform,
			Object: "support-access", Action: "write", Status: http.StatusCreated,
			Request: support.NewRequest{}, Reply: support.Request{}, API: s.fileSupportRequest},
		{Method: "GET", Path: pp + "/support-requests", Summary: "My support requests across tenants",
			Area: request.AreaPlatform, Object: "support-access", Action: "read",
			Reply: request.Page[support.Request]{}, API: s.mySupportRequests},
		{Method: "GET", Path: pp + "/support-requests/:id", Summary: "One of my support requests",
			Area: request.AreaPlatform, Object: "support-access", Action: "read", Reply: support.Request{},
			API: request.StaffByID("id", s.Support.Mine)},
		{Method: "GET", Path: pp + "/sub-processors", Summary: "The sub-processor register",
			Area: request.AreaPlatform, Object: "sub-processor-register", Action: "read",
			Reply: request.Page[support.SubProcessor]{}, API: s.subProcessorRegister},
		{Method: "POST", Path: pp + "/sub-processors",
			Summary: "Add a sub-processor (tells every tenant; opens the objection window)",
			Area:    request.AreaPlatform, Object: "sub-processor-register", Action: "write",
			Status: http.StatusCreated, Request: support.NewSubProcessor{}, Reply: support.SubProcessor{},
			API: s.addSubProcessor},

		{Method: "GET", Path: tp + "/support-requests",
			Summary: "Support requests to this tenant, newest first", Area: request.AreaTenant,
			Object: "support-request", Action: "read", Reply: request.Page[support.Request]{},
			API: s.tenantSupportRequests},
		{Method: "GET", Path: tp + "/support-requests/:request", Summary: "One support request",
			Area: request.AreaTenant, Object: "support-request", Action: "read", Reply: support.Request{},
			API: request.ByID("request", s.Support.Get)},
		{Method: "POST", Path: tp + "/support-requests/:request/decision",
			Summary: "Approve or deny a support request (approvers)", Area: request.AreaTenant, AfterEnd: true,
			Object: "support-request", Action: "write", Request: support.Decision{}, Reply: support.Request{},
			API: s.decideSupportRequest},
		{Method: "POST", Path: tp + "/support-requests/:request/revoke",
			Summary: "End support access in force, at once", Area: request.AreaTenant, AfterEnd: true,
			Object: "support-grant", Action: "write", Reply: support.Request{},
			API: request.ByID("request", s.Support.Revoke)},
		{Method: "GET", Path: tp + "/access-log",
			Summary: "The access transparency log, newest first", Area: request.AreaTenant,
			Object: "access-log", Action: "read", Reply: request.Page[audit.Record]{}, Query: AccessLogQuery{},
			API: s.accessLog},
		{Method: "GET", Path: tp + "/access-log/export", Summary: "The whole access log as CSV",
			Area: request.AreaTenant, Object: "access-log", Action: "read", API: s.exportAccessLog},
		{Method: "GET", Path: tp + "/alerts", Summary: "Recent alerts for admins and approvers",
			Area: request.AreaTenant, Object: "alert", Action: "read", Reply: request.Page[alert.Alert]{}, API: s.alerts},
		{Method: "GET", Path: tp + "/webhook", Summary: "Where alerts are posted", Area: request.AreaTenant,
			Object: "webhook", Action: "read", Reply: alert.Webhook{}, API: s.getWebhook},
		{Method: "PUT", Path: tp + "/webhook",
			Summary: "Set where alerts are posted (returns a new signing secret, shown once)",
			Area:    request.AreaTenant, Object: "webhook", Action: "write", Request: WebhookRequest{},
			Reply: alert.Webhook{}, API: s.setWebhook},
		{Method: "GET", Path: tp + "/sub-processors",
			Summary: "Sub-processors with this tenant's decisions", Area: request.AreaTenant,
			Object: "sub-processor", Action: "read", Reply: request.Page[support.SubProcessor]{},
			API: s.tenantSubProcessors},
		{Method: "POST", Path: tp + "/sub-processors/:sp/decision",
			Summary: "Authorise a sub-processor, or object to it", Area: request.AreaTenant,
			Object: "sub-processor", Action: "write", Status: http.StatusNoContent,
			Request: SubProcessorDecision{}, API: s.decideSubProcessor},
	}
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

func (s *Server) fileSupportRequest(c *gin.Context) (any, error) {
	var in support.NewRequest
	id, err := s.tenantParam(c, &in)
	if err != nil {
		return nil, err
	}
	return s.Support.File(c.Request.Context(), request.Principal(c).ID, id, in)
}

func (s *Server) mySupportRequests(c *gin.Context) (any, error) {
	return request.Listed(c, supportRequestID, func(after uuid.UUID, limit int) ([]support.Request, error) {
		return s.Support.ForStaff(c.Request.Context(), request.Principal(c).ID, after, limit)
	})
}

func (s *Server) tenantSupportRequests(c *gin.Context) (any, error) {
	return request.Listed(c, supportRequestID, func(after uuid.UUID, limit int) ([]support.Request, error) {
		return s.Support.ForTenant(c.Request.Context(), request.Scope(c), after, limit)
	})
}

func supportRequestID(r support.Request) uuid.UUID { return r.ID }

// decideSupportRequest reads the body before the path id (a bad body is
// 400 even with a malformed id).
func (s *Server) decideSupportRequest(c *gin.Context) (any, error) {
	var in support.Decision
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	id, err := request.PathID(c, "request")
	if err != nil {
		return nil, err
	}
	return s.Support.Decide(c.Request.Context(), request.Scope(c), id, in)
}

func (s *Server) exportAccessLog(c *gin.Context) (any, error) {
	return request.Stream{Name: "access-log.csv", Type: request.CSVType, Body: func(w io.Writer) error {
		return s.Support.ExportAccessLog(c.Request.Context(), request.Scope(c), w)
	}}, nil
}

func (s *Server) getWebhook(c *gin.Context) (any, error) {
	w, ok, err := s.Alerts.GetWebhook(c.Request.Context(), request.Scope(c))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.ErrNotFound
	}
	return w, nil
}

func (s *Server) setWebhook(c *gin.Context) (any, error) {
	var in WebhookRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Alerts.SetWebhook(c.Request.Context(), request.Scope(c), in.URL)
}

func (s *Server) addSubProcessor(c *gin.Context) (any, error) {
	var in support.NewSubProcessor
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Support.AddSubProcessor(c.Request.Context(), request.Principal(c).ID, in)
}

func (s *Server) decideSubProcessor(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[SubProcessorDecision](c, "sp")
	if err != nil {
		return nil, err
	}
	return nil, s.Support.DecideSubProcessor(c.Request.Context(), request.Scope(c), id, in.Decision, in.Reason)
}

// tenantParam reads a platform route's :id tenant (404 if there is none)
// and its JSON body into in (when in is not nil); on a problem it has
// answered and reports false.
func (s *Server) tenantParam(c *gin.Context, in any) (uuid.UUID, error) {
	id, err := request.PathID(c, "id")
	if err == nil && in != nil {
		err = request.BindJSON(c, in)
	}
	if err == nil {
		_, err = s.Tenants.SlugOf(c.Request.Context(), id)
	}
	return id, err
}

// may asks casbin whether the caller holds (object, action) in the tenant.
func (s *Server) may(c *gin.Context, object, action string) bool {
	p := request.Principal(c)
	g, err := s.Authz.Decide(c.Request.Context(), p, p.TenantID, object, action)
	return err == nil && g.Allowed
}
