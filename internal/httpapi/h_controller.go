package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/controller/ropa"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// controllerRoutes are the school's controller tools: the subject request
// queue, a person's export, erasure, restriction and objection, consents
// and guardians, retention, and the records of processing. Admin routes
// act on people the admin reaches; "my-data" routes act only on the
// caller, "children" routes only on the caller's own children.
func (s *Server) controllerRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/subject-requests",
			Summary: "The subject request queue, most urgent first (?open=true, ?person=)",
			Area:    request.AreaTenant, Object: "subject-request", Action: "read",
			Reply: request.Page[subject.Request]{}, Query: SubjectRequestQuery{}, API: s.subjectRequests},
		{Method: "POST", Path: tp + "/subject-requests",
			Summary: "Record a subject request made to the school", Area: request.AreaTenant,
			Object: "subject-request", Action: "write", Status: http.StatusCreated,
			Request: subject.NewRequest{}, Reply: subject.Request{}, API: s.openSubjectRequest},
		{Method: "GET", Path: tp + "/subject-requests/:sreq", Summary: "One subject request",
			Area: request.AreaTenant, Object: "subject-request", Action: "read", Reply: subject.Request{},
			API: request.ByID("sreq", s.Subjects.Get)},
		{Method: "PATCH", Path: tp + "/subject-requests/:sreq",
			Summary: "Assign, annotate, extend or close a subject request", Area: request.AreaTenant,
			Object: "subject-request", Action: "write", Request: subject.Change{}, Reply: subject.Request{},
			API: request.ByIDFromBody("sreq", s.Subjects.Update)},
		{Method: "GET", Path: tp + "/people/:id/exports", Summary: "A person's personal data exports",
			Area: request.AreaTenant, Object: "personal-data", Action: "read", Reply: request.Page[subject.Export]{},
			API: request.PagedByID("id", subject.Export.At, s.Subjects.ExportPage)},
		{Method: "POST", Path: tp + "/people/:id/exports",
			Summary: "Export everything held about a person (a job; follow its progress)",
			Area:    request.AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusAccepted,
			Request: ExportRequest{}, Reply: subject.Export{}, API: s.startPersonExport},
		{Method: "GET", Path: tp + "/exports/:export", Summary: "An export's progress",
			Area: request.AreaTenant, Object: "personal-data", Action: "read", Reply: subject.Export{},
			API: request.ByID("export", s.Subjects.GetExport)},
		{Method: "GET", Path: tp + "/exports/:export/download",
			Summary: "A signed link to an export's zip, valid until the export expires",
			Area:    request.AreaTenant, Object: "personal-data", Action: "read", Reply: files.Link{},
			API: request.ByID("export", s.Subjects.Download)},
		{Method: "POST", Path: tp + "/people/:id/erasure",
			Summary: "Erase a person by the registry's rules (confirm with their username)",
			Area:    request.AreaTenant, Object: "personal-data", Action: "write", Request: ErasureRequest{},
			Reply: subject.Erasure{}, API: s.erasePerson},
		{Method: "POST", Path: tp + "/people/:id/restriction",
			Summary: "Restrict processing of a person's data", Area: request.AreaTenant,
			Object: "personal-data", Action: "write", Status: http.StatusNoContent,
			Request: RestrictionRequest{}, API: s.restrictPerson},
		{Method: "DELETE", Path: tp + "/people/:id/restriction", Summary: "Lift a restriction",
			Area: request.AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusNoContent,
			API: request.DoByID("id", s.Subjects.Lift)},
		{Method: "POST", Path: tp + "/people/:id/objection",
			Summary: "Uphold a person's objection to processing on legitimate interests",
			Area:    request.AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusNoContent,
			API: s.objection(true)},
		{Method: "DELETE", Path: tp + "/people/:id/objection", Summary: "Withdraw an upheld objection",
			Area: request.AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusNoContent,
			API: s.objection(false)},
		{Method: "GET", Path: tp + "/people/:id/consents", Summary: "A person's consents",
			Area: request.AreaTenant, Object: "consent", Action: "read", Reply: request.Page[consent.State]{},
			API: request.PagedByID("id", consent.State.At, s.Consents.StatePage)},
		{Method: "POST", Path: tp + "/people/:id/consents",
			Summary: "Record a consent given or withdrawn on paper or verbally", Area: request.AreaTenant,
			Object: "consent", Action: "write", Status: http.StatusCreated, Request: consent.Change{},
			Reply: consent.Record{}, API: request.ByIDFromBody("id", s.Consents.Set)},
		{Method: "POST", Path: tp + "/people/:id/guardians", Summary: "Link a guardian to a child",
			Area: request.AreaTenant, Object: "consent", Action: "write", Status: http.StatusNoContent,
			Request: GuardianRequest{}, API: s.linkGuardian},
		{Method: "DELETE", Path: tp + "/people/:id/guardians/:guardian", Summary: "Unlink a guardian",
			Area: request.AreaTenant, Object: "consent", Action: "write", Status: http.StatusNoContent,
			API: s.unlinkGuardian},
		{Method: "GET", Path: tp + "/consents/:purpose/people",
			Summary: "Who consents to a purpose now (e.g. optional communications)", Area: request.AreaTenant,
			Object: "consent", Action: "read", Reply: request.Page[consent.Recipient]{}, API: s.consentRecipients},
		{Method: "GET", Path: tp + "/retention", Summary: "Retention periods, enforcement and recent runs",
			Area: request.AreaTenant, Object: "retention", Action: "read", Reply: RetentionView{},
			API: s.retentionView},
		{Method: "PUT", Path: tp + "/retention/:category",
			Summary: "Set a category's retention period (0: the default)", Area: request.AreaTenant,
			Object: "retention", Action: "write", Status: http.StatusNoContent, Request: RetentionPeriod{},
			API: s.setRetention},
		{Method: "POST", Path: tp + "/retention/dry-run",
			Summary: "Report what enforcement would remove today", Area: request.AreaTenant,
			Object: "retention", Action: "write", Status: http.StatusCreated, Reply: retention.Run{},
			API: request.Scoped(s.Retention.DryRun)},
		{Method: "POST", Path: tp + "/retention/enforcement",
			Summary: "Switch retention enforcement on (after a dry run)", Area: request.AreaTenant,
			Object: "retention", Action: "write", Status: http.StatusNoContent, API: s.enableRetention},
		{Method: "GET", Path: tp + "/retention/holds", Summary: "Legal holds in force",
			Area: request.AreaTenant, Object: "retention", Action: "read", Reply: request.Page[retention.Hold]{},
			API: request.PagedScoped(retention.Hold.At, s.Retention.HoldPage)},
		{Method: "POST", Path: tp + "/retention/holds",
			Summary: "Place a legal hold on a person or a course", Area: request.AreaTenant,
			Object: "retention", Action: "write", Status: http.StatusCreated, Request: retention.NewHold{},
			Reply: retention.Hold{}, API: request.FromBody(s.Retention.PlaceHold)},
		{Method: "DELETE", Path: tp + "/retention/holds/:hold",
			Summary: "Release a legal hold (also after the contract ended: a hold keeps the data from deletion)",
			Area:    request.AreaTenant, AfterEnd: true, Object: "retention", Action: "write",
			Status: http.StatusNoContent, API: request.DoByID("hold", s.Retention.ReleaseHold)},
		{Method: "GET", Path: tp + "/records-of-processing",
			Summary: "The school's record of processing activities (?format=csv)", Area: request.AreaTenant,
			Object: "records-of-processing", Action: "read", Reply: ropa.Record{}, Query: FormatQuery{},
			API: s.recordsOfProcessing},

		{Method: "GET", Path: tp + "/my/requests", Summary: "My subject requests", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Reply: request.Page[subject.Request]{}, API: s.myRequests},
		{Method: "POST", Path: tp + "/my/requests", Summary: "Ask the school to act on my data",
			Area: request.AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated,
			Request: MyRequest{}, Reply: subject.Request{}, API: s.openMyRequest},
		{Method: "GET", Path: tp + "/my/consents", Summary: "My consents", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Reply: request.Page[consent.State]{}, API: s.myConsents},
		{Method: "POST", Path: tp + "/my/consents", Summary: "Give or withdraw a consent",
			Area: request.AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated,
			Request: consent.Change{}, Reply: consent.Record{}, API: s.setMyConsent},
		{Method: "GET", Path: tp + "/my/exports", Summary: "My personal data exports",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Reply: request.Page[subject.Export]{},
			API: s.myExports},
		{Method: "POST", Path: tp + "/my/exports", Summary: "Export my personal data (portability)",
			Area: request.AreaTenant, Object: "my-data", Action: "write", Status: http.StatusAccepted,
			Reply: subject.Export{}, API: s.startMyExport},
		{Method: "GET", Path: tp + "/my/exports/:export/download", Summary: "A signed link to my export",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Reply: files.Link{},
			API: s.downloadMyExport},
		{Method: "GET", Path: tp + "/my/children", Summary: "My children (guardians)",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Reply: request.Page[consent.Child]{},
			API: request.PagedScoped(consent.Child.At, s.Consents.ChildPage)},
		{Method: "GET", Path: tp + "/my/children/:id/consents", Summary: "My child's consents",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Reply: request.Page[consent.State]{},
			API: s.childConsents},
		{Method: "POST", Path: tp + "/my/children/:id/consents",
			Summary: "Give or withdraw a consent for my child", Area: request.AreaTenant, Object: "my-data",
			Action: "write", Status: http.StatusCreated, Request: consent.Change{}, Reply: consent.Record{},
			API: s.setChildConsent},
		{Method: "POST", Path: tp + "/my/children/:id/requests",
			Summary: "Ask the school to act on my child's data", Area: request.AreaTenant, Object: "my-data",
			Action: "write", Status: http.StatusCreated, Request: MyRequest{}, Reply: subject.Request{},
			API: s.openChildRequest},
	}
}

// ExportRequest ties an export to the request it answers (optional).
type ExportRequest struct {
	RequestID *uuid.UUID `json:"request_id"`
}

// ErasureRequest confirms an erasure: it cannot be undone.
type ErasureRequest struct {
	RequestID *uuid.UUID `json:"request_id"`
	Confirm   string     `json:"confirm"` // the person's username
}

// RestrictionRequest says why processing is restricted.
type RestrictionRequest struct {
	Reason string `json:"reason"`
}

// GuardianRequest names the guardian to link.
type GuardianRequest struct {
	GuardianID uuid.UUID `json:"guardian_id"`
}

// MyRequest is a request a member makes for themselves or their child.
type MyRequest struct {
	Kind    string `json:"kind"`
	Details string `json:"details"`
}

// RetentionView is the retention settings page's data.
type RetentionView struct {
	Periods []retention.Setting `json:"periods"`
	retention.Status
}

// RetentionPeriod sets a category's months; 0 returns to the default.
type RetentionPeriod struct {
	Months *int `json:"months" binding:"required"`
}

func (s *Server) subjectRequests(c *gin.Context) (any, error) {
	return request.ListedAt(c, subject.Request.At, func(p database.Page) ([]subject.Request, error) {
		f := subject.Filter{Open: c.Query("open") == "true"}
		if p := c.Query("person"); p != "" {
			id, err := uuid.Parse(p)
			if err != nil {
				return nil, errs.Field("person", "must be a person id")
			}
			f.PersonID = &id
		}
		return s.Subjects.List(c.Request.Context(), request.Scope(c), f, p)
	})
}

func (s *Server) openSubjectRequest(c *gin.Context) (any, error) {
	var in subject.NewRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Subjects.Open(c.Request.Context(), request.Scope(c), consent.ByAdmin, in)
}

func (s *Server) startPersonExport(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[ExportRequest](c, "id")
	if err != nil {
		return nil, err
	}
	return s.Subjects.StartExport(c.Request.Context(), request.Scope(c), id, in.RequestID)
}

func (s *Server) erasePerson(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[ErasureRequest](c, "id")
	if err != nil {
		return nil, err
	}
	p, err := s.Identity.GetPerson(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return nil, err
	}
	if in.Confirm != p.Username {
		return nil, errs.Field("confirm", "type the person's username to confirm: erasure cannot be undone")
	}
	return s.Subjects.Erase(c.Request.Context(), request.Scope(c), id, in.RequestID)
}

func (s *Server) restrictPerson(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[RestrictionRequest](c, "id")
	if err != nil {
		return nil, err
	}
	return nil, s.Subjects.Restrict(c.Request.Context(), request.Scope(c), id, in.Reason)
}

// objection upholds (or withdraws) a person's objection to processing.
func (s *Server) objection(uphold bool) request.Handler {
	return request.DoByID("id", func(ctx context.Context, sc access.Scope, id uuid.UUID) error {
		return s.Subjects.Object(ctx, sc, id, uphold)
	})
}

// setConsentFor records a consent change for person by the caller.
func (s *Server) setConsentFor(c *gin.Context, person uuid.UUID) (any, error) {
	var in consent.Change
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Consents.Set(c.Request.Context(), request.Scope(c), person, in)
}

func (s *Server) linkGuardian(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[GuardianRequest](c, "id")
	if err != nil {
		return nil, err
	}
	return nil, s.Consents.LinkGuardian(c.Request.Context(), request.Scope(c), in.GuardianID, id)
}

func (s *Server) unlinkGuardian(c *gin.Context) (any, error) {
	ids, err := request.PathIDs(c, "id", "guardian")
	if err != nil {
		return nil, err
	}
	return nil, s.Consents.UnlinkGuardian(c.Request.Context(), request.Scope(c), ids[1], ids[0])
}

func (s *Server) consentRecipients(c *gin.Context) (any, error) {
	return request.ListedAt(c, consent.Recipient.At, func(p database.Page) ([]consent.Recipient, error) {
		return s.Consents.Recipients(c.Request.Context(), request.Scope(c), c.Param("purpose"), p)
	})
}

func (s *Server) retentionView(c *gin.Context) (any, error) {
	var v RetentionView
	var err error
	if v.Periods, err = s.Retention.Settings(c.Request.Context(), request.Scope(c)); err == nil {
		v.Status, err = s.Retention.Status(c.Request.Context(), request.Scope(c))
	}
	return v, err
}

func (s *Server) setRetention(c *gin.Context) (any, error) {
	var in RetentionPeriod
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return nil, s.Retention.Set(c.Request.Context(), request.Scope(c), c.Param("category"), *in.Months)
}

func (s *Server) enableRetention(c *gin.Context) (any, error) {
	return nil, s.Retention.Enable(c.Request.Context(), request.Scope(c))
}

func (s *Server) recordsOfProcessing(c *gin.Context) (any, error) {
	r, err := s.Ropa.For(c.Request.Context(), request.Scope(c))
	if err != nil {
		return nil, err
	}
	if c.Query("format") == "csv" {
		return request.Stream{Name: "records-of-processing.csv", Type: request.CSVType, Body: r.CSV}, nil
	}
	return r, nil
}
