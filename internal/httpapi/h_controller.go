package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/controller/ropa"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// controllerRoutes are the school's controller tools: the subject request
// queue, a person's export, erasure, restriction and objection, consents
// and guardians, retention, and the records of processing. Admin routes
// act on people the admin reaches; "my-data" routes act only on the
// caller, "children" routes only on the caller's own children.
func (s *Server) controllerRoutes() []Route {
	return []Route{
		{Method: "GET", Path: tp + "/subject-requests", Summary: "The subject request queue, most urgent first (?open=true, ?person=)", Area: AreaTenant, Object: "subject-request", Action: "read", Reply: Page[subject.Request]{}, Handler: s.subjectRequests},
		{Method: "POST", Path: tp + "/subject-requests", Summary: "Record a subject request made to the school", Area: AreaTenant, Object: "subject-request", Action: "write", Status: http.StatusCreated, Request: subject.NewRequest{}, Reply: subject.Request{}, Handler: s.openSubjectRequest},
		{Method: "GET", Path: tp + "/subject-requests/:sreq", Summary: "One subject request", Area: AreaTenant, Object: "subject-request", Action: "read", Reply: subject.Request{}, Handler: s.subjectRequest},
		{Method: "PATCH", Path: tp + "/subject-requests/:sreq", Summary: "Assign, annotate, extend or close a subject request", Area: AreaTenant, Object: "subject-request", Action: "write", Request: subject.Change{}, Reply: subject.Request{}, Handler: s.updateSubjectRequest},
		{Method: "GET", Path: tp + "/people/:id/exports", Summary: "A person's personal data exports", Area: AreaTenant, Object: "personal-data", Action: "read", Reply: []subject.Export{}, Handler: s.personExports},
		{Method: "POST", Path: tp + "/people/:id/exports", Summary: "Export everything held about a person (a job; follow its progress)", Area: AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusAccepted, Request: ExportRequest{}, Reply: subject.Export{}, Handler: s.startPersonExport},
		{Method: "GET", Path: tp + "/exports/:export", Summary: "An export's progress", Area: AreaTenant, Object: "personal-data", Action: "read", Reply: subject.Export{}, Handler: s.getExport},
		{Method: "GET", Path: tp + "/exports/:export/download", Summary: "A signed link to an export's zip, valid until the export expires", Area: AreaTenant, Object: "personal-data", Action: "read", Reply: files.Link{}, Handler: s.downloadExport},
		{Method: "POST", Path: tp + "/people/:id/erasure", Summary: "Erase a person by the registry's rules (confirm with their username)", Area: AreaTenant, Object: "personal-data", Action: "write", Request: ErasureRequest{}, Reply: subject.Erasure{}, Handler: s.erasePerson},
		{Method: "POST", Path: tp + "/people/:id/restriction", Summary: "Restrict processing of a person's data", Area: AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusNoContent, Request: RestrictionRequest{}, Handler: s.restrictPerson},
		{Method: "DELETE", Path: tp + "/people/:id/restriction", Summary: "Lift a restriction", Area: AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusNoContent, Handler: s.liftRestriction},
		{Method: "POST", Path: tp + "/people/:id/objection", Summary: "Uphold a person's objection to processing on legitimate interests", Area: AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusNoContent, Handler: s.upholdObjection},
		{Method: "DELETE", Path: tp + "/people/:id/objection", Summary: "Withdraw an upheld objection", Area: AreaTenant, Object: "personal-data", Action: "write", Status: http.StatusNoContent, Handler: s.withdrawObjection},
		{Method: "GET", Path: tp + "/people/:id/consents", Summary: "A person's consents", Area: AreaTenant, Object: "consent", Action: "read", Reply: []consent.State{}, Handler: s.personConsents},
		{Method: "POST", Path: tp + "/people/:id/consents", Summary: "Record a consent given or withdrawn on paper or verbally", Area: AreaTenant, Object: "consent", Action: "write", Status: http.StatusCreated, Request: consent.Change{}, Reply: consent.Record{}, Handler: s.setPersonConsent},
		{Method: "POST", Path: tp + "/people/:id/guardians", Summary: "Link a guardian to a child", Area: AreaTenant, Object: "consent", Action: "write", Status: http.StatusNoContent, Request: GuardianRequest{}, Handler: s.linkGuardian},
		{Method: "DELETE", Path: tp + "/people/:id/guardians/:guardian", Summary: "Unlink a guardian", Area: AreaTenant, Object: "consent", Action: "write", Status: http.StatusNoContent, Handler: s.unlinkGuardian},
		{Method: "GET", Path: tp + "/consents/:purpose/people", Summary: "Who consents to a purpose now (e.g. optional communications)", Area: AreaTenant, Object: "consent", Action: "read", Reply: []consent.Recipient{}, Handler: s.consentRecipients},
		{Method: "GET", Path: tp + "/retention", Summary: "Retention periods, enforcement and recent runs", Area: AreaTenant, Object: "retention", Action: "read", Reply: RetentionView{}, Handler: s.retentionView},
		{Method: "PUT", Path: tp + "/retention/:category", Summary: "Set a category's retention period (0: the default)", Area: AreaTenant, Object: "retention", Action: "write", Status: http.StatusNoContent, Request: RetentionPeriod{}, Handler: s.setRetention},
		{Method: "POST", Path: tp + "/retention/dry-run", Summary: "Report what enforcement would remove today", Area: AreaTenant, Object: "retention", Action: "write", Status: http.StatusCreated, Reply: retention.Run{}, Handler: s.retentionDryRun},
		{Method: "POST", Path: tp + "/retention/enforcement", Summary: "Switch retention enforcement on (after a dry run)", Area: AreaTenant, Object: "retention", Action: "write", Status: http.StatusNoContent, Handler: s.enableRetention},
		{Method: "GET", Path: tp + "/retention/holds", Summary: "Legal holds in force", Area: AreaTenant, Object: "retention", Action: "read", Reply: []retention.Hold{}, Handler: s.holds},
		{Method: "POST", Path: tp + "/retention/holds", Summary: "Place a legal hold on a person or a course", Area: AreaTenant, Object: "retention", Action: "write", Status: http.StatusCreated, Request: retention.NewHold{}, Reply: retention.Hold{}, Handler: s.placeHold},
		{Method: "DELETE", Path: tp + "/retention/holds/:hold", Summary: "Release a legal hold (also after the contract ended: a hold keeps the data from deletion)", Area: AreaTenant, Object: "retention", Action: "write", AfterEnd: true, Status: http.StatusNoContent, Handler: s.releaseHold},
		{Method: "GET", Path: tp + "/records-of-processing", Summary: "The school's record of processing activities (?format=csv)", Area: AreaTenant, Object: "records-of-processing", Action: "read", Reply: ropa.Record{}, Handler: s.recordsOfProcessing},

		{Method: "GET", Path: tp + "/my/requests", Summary: "My subject requests", Area: AreaTenant, Object: "my-data", Action: "read", Reply: []subject.Request{}, Handler: s.myRequests},
		{Method: "POST", Path: tp + "/my/requests", Summary: "Ask the school to act on my data", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated, Request: MyRequest{}, Reply: subject.Request{}, Handler: s.openMyRequest},
		{Method: "GET", Path: tp + "/my/consents", Summary: "My consents", Area: AreaTenant, Object: "my-data", Action: "read", Reply: []consent.State{}, Handler: s.myConsents},
		{Method: "POST", Path: tp + "/my/consents", Summary: "Give or withdraw a consent", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated, Request: consent.Change{}, Reply: consent.Record{}, Handler: s.setMyConsent},
		{Method: "GET", Path: tp + "/my/exports", Summary: "My personal data exports", Area: AreaTenant, Object: "my-data", Action: "read", Reply: []subject.Export{}, Handler: s.myExports},
		{Method: "POST", Path: tp + "/my/exports", Summary: "Export my personal data (portability)", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusAccepted, Reply: subject.Export{}, Handler: s.startMyExport},
		{Method: "GET", Path: tp + "/my/exports/:export/download", Summary: "A signed link to my export", Area: AreaTenant, Object: "my-data", Action: "read", Reply: files.Link{}, Handler: s.downloadMyExport},
		{Method: "GET", Path: tp + "/my/children", Summary: "My children (guardians)", Area: AreaTenant, Object: "my-data", Action: "read", Reply: []consent.Child{}, Handler: s.myChildren},
		{Method: "GET", Path: tp + "/my/children/:id/consents", Summary: "My child's consents", Area: AreaTenant, Object: "my-data", Action: "read", Reply: []consent.State{}, Handler: s.childConsents},
		{Method: "POST", Path: tp + "/my/children/:id/consents", Summary: "Give or withdraw a consent for my child", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated, Request: consent.Change{}, Reply: consent.Record{}, Handler: s.setChildConsent},
		{Method: "POST", Path: tp + "/my/children/:id/requests", Summary: "Ask the school to act on my child's data", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated, Request: MyRequest{}, Reply: subject.Request{}, Handler: s.openChildRequest},
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

func (s *Server) subjectRequests(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	f := subject.Filter{Open: c.Query("open") == "true"}
	if p := c.Query("person"); p != "" {
		id, err := uuid.Parse(p)
		if err != nil {
			fail(c, errs.Field("person", "must be a person id"))
			return
		}
		f.PersonID = &id
	}
	out, err := s.Subjects.List(c.Request.Context(), scope(c), f, after, limit+1)
	reply(c, http.StatusOK, page(out, limit, func(r subject.Request) uuid.UUID { return r.ID }), err)
}

func (s *Server) openSubjectRequest(c *gin.Context) {
	var in subject.NewRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.Open(c.Request.Context(), scope(c), "admin", in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) subjectRequest(c *gin.Context) {
	id, err := pathID(c, "sreq")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.Get(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) updateSubjectRequest(c *gin.Context) {
	id, err := pathID(c, "sreq")
	if err != nil {
		fail(c, err)
		return
	}
	var in subject.Change
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.Update(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) personExports(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.Exports(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) startPersonExport(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in ExportRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.StartExport(c.Request.Context(), scope(c), id, in.RequestID)
	reply(c, http.StatusAccepted, out, err)
}

func (s *Server) getExport(c *gin.Context) {
	id, err := pathID(c, "export")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.GetExport(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) downloadExport(c *gin.Context) {
	id, err := pathID(c, "export")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.Download(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) erasePerson(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in ErasureRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	p, err := s.Identity.GetPerson(c.Request.Context(), scope(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	if in.Confirm != p.Username {
		fail(c, errs.Field("confirm", "type the person's username to confirm: erasure cannot be undone"))
		return
	}
	out, err := s.Subjects.Erase(c.Request.Context(), scope(c), id, in.RequestID)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) restrictPerson(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in RestrictionRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Subjects.Restrict(c.Request.Context(), scope(c), id, in.Reason))
}

// personFlag runs one of the subject service's flag changes on :id.
func (s *Server) personFlag(c *gin.Context, do func(uuid.UUID) error) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, do(id))
}

func (s *Server) liftRestriction(c *gin.Context) {
	s.personFlag(c, func(id uuid.UUID) error { return s.Subjects.Lift(c.Request.Context(), scope(c), id) })
}

func (s *Server) upholdObjection(c *gin.Context) {
	s.personFlag(c, func(id uuid.UUID) error { return s.Subjects.Object(c.Request.Context(), scope(c), id, true) })
}

func (s *Server) withdrawObjection(c *gin.Context) {
	s.personFlag(c, func(id uuid.UUID) error { return s.Subjects.Object(c.Request.Context(), scope(c), id, false) })
}

func (s *Server) personConsents(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Consents.States(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

// setConsentFor records a consent change for person by the caller.
func (s *Server) setConsentFor(c *gin.Context, person uuid.UUID) {
	var in consent.Change
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Consents.Set(c.Request.Context(), scope(c), person, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) setPersonConsent(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	s.setConsentFor(c, id)
}

func (s *Server) linkGuardian(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in GuardianRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Consents.LinkGuardian(c.Request.Context(), scope(c), in.GuardianID, id))
}

func (s *Server) unlinkGuardian(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	g, err := pathID(c, "guardian")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Consents.UnlinkGuardian(c.Request.Context(), scope(c), g, id))
}

func (s *Server) consentRecipients(c *gin.Context) {
	out, err := s.Consents.Recipients(c.Request.Context(), scope(c), c.Param("purpose"))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) retentionView(c *gin.Context) {
	var v RetentionView
	var err error
	if v.Periods, err = s.Retention.Settings(c.Request.Context(), scope(c)); err == nil {
		v.Status, err = s.Retention.Status(c.Request.Context(), scope(c))
	}
	reply(c, http.StatusOK, v, err)
}

func (s *Server) setRetention(c *gin.Context) {
	var in RetentionPeriod
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Retention.Set(c.Request.Context(), scope(c), c.Param("category"), *in.Months))
}

func (s *Server) retentionDryRun(c *gin.Context) {
	out, err := s.Retention.DryRun(c.Request.Context(), scope(c))
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) enableRetention(c *gin.Context) {
	noContent(c, s.Retention.Enable(c.Request.Context(), scope(c)))
}

func (s *Server) holds(c *gin.Context) {
	out, err := s.Retention.Holds(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) placeHold(c *gin.Context) {
	var in retention.NewHold
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Retention.PlaceHold(c.Request.Context(), scope(c), in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) releaseHold(c *gin.Context) {
	id, err := pathID(c, "hold")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Retention.ReleaseHold(c.Request.Context(), scope(c), id))
}

func (s *Server) recordsOfProcessing(c *gin.Context) {
	r, err := s.Ropa.For(c.Request.Context(), scope(c))
	if err != nil {
		fail(c, err)
		return
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="records-of-processing.csv"`)
		c.Status(http.StatusOK)
		_ = r.CSV(c.Writer)
		return
	}
	c.JSON(http.StatusOK, r)
}
