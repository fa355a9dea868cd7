package web

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// requestPages are the admins' subject request queue and one request's
// page, where the admin runs the export, erases, restricts or records the
// outcome; and a person's privacy page (consents, guardians, restriction,
// objection, exports).
func (s *Site) requestPages() []request.Route {
	a := tp + "/admin"
	return []request.Route{
		{Method: "GET", Path: a + "/requests", Summary: "Subject requests, most urgent first",
			Area: request.AreaTenant, Object: "subject-request", Action: "read",
			Handler: s.serve(s.requestsPage)},
		{Method: "POST", Path: a + "/requests", Summary: "Record a subject request",
			Area: request.AreaTenant, Object: "subject-request", Action: "write",
			Handler: s.serve(s.openRequest)},
		{Method: "GET", Path: a + "/requests/:sreq", Summary: "A subject request", Area: request.AreaTenant,
			Object: "subject-request", Action: "read", Handler: s.serve(withID("sreq", "There is no such request.", s.requestPage))},
		{Method: "POST", Path: a + "/requests/:sreq", Summary: "Update a subject request",
			Area: request.AreaTenant, Object: "subject-request", Action: "write",
			Handler: s.serve(withID("sreq", "There is no such request.", s.updateRequest))},
		{Method: "POST", Path: a + "/requests/:sreq/export",
			Summary: "Run the export for an access or portability request", Area: request.AreaTenant,
			Object: "personal-data", Action: "write", Handler: s.serve(withID("sreq", "There is no such request.", s.runRequestExport))},
		{Method: "POST", Path: a + "/requests/:sreq/erase",
			Summary: "Erase the person of an erasure request", Area: request.AreaTenant,
			Object: "personal-data", Action: "write", Handler: s.serve(withID("sreq", "There is no such request.", s.eraseForRequest))},
		{Method: "GET", Path: a + "/exports/:export/download", Summary: "Download an export",
			Area: request.AreaTenant, Object: "personal-data", Action: "read",
			Handler: s.serve(withID("export", "There is no such export.", s.downloadExport))},
		{Method: "GET", Path: a + "/people/:id/privacy",
			Summary: "A person's consents, guardians, restriction and exports", Area: request.AreaTenant,
			Object: "personal-data", Action: "read", Handler: s.serve(withID("id", "There is no such person.", s.personPrivacyPage))},
		{Method: "POST", Path: a + "/people/:id/privacy",
			Summary: "Restrict, lift, object or withdraw an objection for a person", Area: request.AreaTenant,
			Object: "personal-data", Action: "write", Handler: s.serve(withID("id", "There is no such person.", s.personPrivacyAction))},
		{Method: "POST", Path: a + "/people/:id/consents",
			Summary: "Record a consent given or withdrawn on paper", Area: request.AreaTenant,
			Object: "consent", Action: "write", Handler: s.serve(withID("id", "There is no such person.", s.recordConsent))},
		{Method: "POST", Path: a + "/people/:id/guardians", Summary: "Link a guardian to a child",
			Area: request.AreaTenant, Object: "consent", Action: "write", Handler: s.serve(withID("id", "There is no such person.", s.linkGuardian))},
	}
}

var requestKinds = map[string]string{"access": "Access (a copy of their data)", "rectification": "Rectification (correct their data)",
	"erasure": "Erasure", "restriction": "Restriction of processing", "objection": "Objection", "portability": "Portability (their data, machine-readable)"}

type requestsData struct {
	Base     string
	Requests []subject.Request
	All      bool
	Kinds    map[string]string
	Next     string
}

func (s *Site) requestsPage(c *gin.Context) (page, error) {
	return s.showRequests(c, show, view{Form: map[string]string{"received_on": s.now().In(s.zone(c)).Format("2006-01-02")}})
}

// showRequests is the queue with v's form: as is show, or again for a
// form with errors.
func (s *Site) showRequests(c *gin.Context, as func(string, view) page, v view) (page, error) {
	after, _ := uuid.Parse(c.Query("after"))
	all := c.Query("all") == "1"
	rs, err := s.d.Subjects.List(c.Request.Context(), request.Scope(c), subject.Filter{Open: !all}, database.Page{After: after, Limit: 51})
	if err != nil {
		return page{}, err
	}
	d := requestsData{Base: base(c), Requests: rs, All: all, Kinds: requestKinds}
	if len(rs) > 50 {
		d.Requests = rs[:50]
		d.Next = base(c) + "/admin/requests?after=" + rs[49].ID.String()
		if all {
			d.Next += "&all=1"
		}
	}
	v.Title, v.Fields, v.Data = "Subject requests", []string{"username", "kind", "received_on", "details"}, d
	return as("admin_requests", v), nil
}

func (s *Site) openRequest(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := posted(c, "username", "kind", "received_on", "details")
	p, err := s.d.Identity.FindByUsername(ctx, sc, form["username"])
	if err != nil {
		return s.showRequests(c, again, view{Form: form, Errors: map[string]string{"username": "There is no one with that username in your school"}})
	}
	r, err := s.d.Subjects.Open(ctx, sc, consent.ByAdmin, subject.NewRequest{PersonID: p.ID, Kind: form["kind"], ReceivedOn: form["received_on"], Details: form["details"]})
	if fe, isField := formErrors(err); isField {
		return s.showRequests(c, again, view{Form: form, Errors: refile(labelled(fe, map[string]string{"kind": "The kind of request", "received_on": "The date received", "details": "The details", "person_id": "The person"}), "person_id", "username")})
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/requests/" + r.ID.String() + "?done=request-opened"), nil
}

type requestData struct {
	Base    string
	Request subject.Request
	Person  *identity.Person
	Exports []subject.Export
	Erasure *subject.Erasure
	Kinds   map[string]string
}

func (s *Site) requestPage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showRequest(c, id, show, view{}, nil)
}

// showRequest is one request's page with v's form (as: show, or again
// for a form with errors) and, after an erasure, what was erased.
func (s *Site) showRequest(c *gin.Context, id uuid.UUID, as func(string, view) page, v view, erased *subject.Erasure) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	r, err := s.d.Subjects.Get(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	d := requestData{Base: base(c), Request: r, Kinds: requestKinds, Erasure: erased}
	if r.PersonID != nil {
		p, err := s.d.Identity.GetPerson(ctx, sc, *r.PersonID)
		if err != nil {
			return page{}, err
		}
		d.Person = &p
		if d.Exports, err = s.d.Subjects.Exports(ctx, sc, p.ID); err != nil {
			return page{}, err
		}
	}
	if v.Form == nil {
		v.Form = map[string]string{"status": string(r.Status), "notes": r.Notes, "outcome": r.Outcome}
	}
	v.Title, v.Fields, v.Data = "Subject request", []string{"status", "notes", "outcome", "extend_months", "extension_reason", "confirm"}, d
	return as("admin_request", v), nil
}

func (s *Site) updateRequest(c *gin.Context, id uuid.UUID) (page, error) {
	form := posted(c, "status", "notes", "outcome", "extend_months", "extension_reason")
	status := subject.Status(form["status"])
	ch := subject.Change{Status: &status, Notes: ptr(form["notes"]), Outcome: ptr(form["outcome"])}
	if form["extend_months"] != "" && form["extend_months"] != "0" {
		n, err := strconv.Atoi(form["extend_months"])
		if err != nil {
			n = -1
		}
		ch.ExtendMonths, ch.ExtensionReason = &n, ptr(form["extension_reason"])
	}
	_, err := s.d.Subjects.Update(c.Request.Context(), request.Scope(c), id, ch)
	if fe, isField := formErrors(err); isField {
		return s.showRequest(c, id, again, view{Form: form, Errors: labelled(fe, map[string]string{"status": "The status", "notes": "The notes",
			"outcome": "The outcome", "extend_months": "The extension", "extension_reason": "The reason for the extension", "assignee_id": "The assignee"})}, nil)
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/requests/" + id.String() + "?done=request-updated"), nil
}

func ptr(s string) *string { return &s }

// refile moves a service's message about field from to the form's field
// to (the service names an id; the form asks for a username).
func refile(m map[string]string, from, to string) map[string]string {
	if msg, ok := m[from]; ok {
		m[to] = msg
		delete(m, from)
	}
	return m
}

func (s *Site) runRequestExport(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	r, err := s.d.Subjects.Get(ctx, sc, id)
	if err == nil && r.PersonID == nil {
		return page{}, errs.New(errs.ErrConflict, "The person of this request has been erased.")
	}
	if err == nil {
		_, err = s.d.Subjects.StartExport(ctx, sc, *r.PersonID, &r.ID)
	}
	return goTo(base(c) + "/admin/requests/" + id.String() + "?done=export-started"), err
}

func (s *Site) eraseForRequest(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	r, err := s.d.Subjects.Get(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	if r.PersonID == nil || r.Kind != "erasure" {
		return page{}, errs.New(errs.ErrConflict, "Only an open erasure request of a person not yet erased can erase them.")
	}
	p, err := s.d.Identity.GetPerson(ctx, sc, *r.PersonID)
	if err != nil {
		return page{}, err
	}
	confirm := strings.TrimSpace(c.PostForm("confirm"))
	if confirm != p.Username {
		return s.showRequest(c, id, again, view{Form: map[string]string{"confirm": confirm},
			Errors: map[string]string{"confirm": "Type the person's username exactly, to confirm: erasure cannot be undone"}}, nil)
	}
	out, err := s.d.Subjects.Erase(ctx, sc, p.ID, &r.ID)
	if err != nil {
		return page{}, err
	}
	return s.showRequest(c, id, show, view{Flash: flashes["erased"]}, &out)
}

// downloadExport sends the browser to the export's signed link.
func (s *Site) downloadExport(c *gin.Context, id uuid.UUID) (page, error) {
	link, err := s.d.Subjects.Download(c.Request.Context(), request.Scope(c), id)
	return goTo(link.URL), err
}

type personPrivacyData struct {
	Base     string
	Person   identity.Person
	Consents []consent.State
	Exports  []subject.Export
	Requests []subject.Request
}

func (s *Site) personPrivacyPage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showPersonPrivacy(c, id, show, view{Form: map[string]string{}})
}

// showPersonPrivacy is a person's privacy page with v's form (as: show,
// or again for a form with errors).
func (s *Site) showPersonPrivacy(c *gin.Context, id uuid.UUID, as func(string, view) page, v view) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	p, err := s.d.Identity.GetPerson(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	d := personPrivacyData{Base: base(c), Person: p}
	if d.Consents, err = s.d.Consents.States(ctx, sc, id); err == nil {
		if d.Exports, err = s.d.Subjects.Exports(ctx, sc, id); err == nil {
			d.Requests, err = s.d.Subjects.List(ctx, sc, subject.Filter{PersonID: &id}, database.Page{Limit: 50})
		}
	}
	if err != nil {
		return page{}, err
	}
	if v.Form == nil || (v.Form["birth_date"] == "" && v.Form["left_on"] == "" && len(v.Errors) == 0) {
		if v.Form == nil {
			v.Form = map[string]string{}
		}
		if p.BirthDate != nil {
			v.Form["birth_date"] = p.BirthDate.Format("2006-01-02")
		}
		if p.LeftOn != nil {
			v.Form["left_on"] = p.LeftOn.Format("2006-01-02")
		}
	}
	v.Title, v.Fields, v.Data = "Privacy: "+p.DisplayName, []string{"birth_date", "left_on", "reason", "guardian", "purpose", "method"}, d
	return as("admin_privacy", v), nil
}

func (s *Site) personPrivacyAction(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	if _, err := s.d.Identity.GetPerson(ctx, sc, id); err != nil {
		return page{}, err
	}
	var err error
	switch c.PostForm("action") {
	case "restrict":
		err = s.d.Subjects.Restrict(ctx, sc, id, c.PostForm("reason"))
		if fe, isField := formErrors(err); isField {
			return s.showPersonPrivacy(c, id, again, view{Form: map[string]string{"reason": c.PostForm("reason")}, Errors: labelled(fe, map[string]string{"reason": "The reason"})})
		}
	case "lift":
		err = s.d.Subjects.Lift(ctx, sc, id)
	case "object":
		err = s.d.Subjects.Object(ctx, sc, id, true)
	case "withdraw-objection":
		err = s.d.Subjects.Object(ctx, sc, id, false)
	case "export":
		_, err = s.d.Subjects.StartExport(ctx, sc, id, nil)
	case "dates":
		form := map[string]string{"birth_date": strings.TrimSpace(c.PostForm("birth_date")), "left_on": strings.TrimSpace(c.PostForm("left_on"))}
		_, err = s.d.Identity.UpdatePerson(ctx, sc, id, identity.PersonPatch{BirthDate: ptr(form["birth_date"]), LeftOn: ptr(form["left_on"])})
		if fe, isField := formErrors(err); isField {
			return s.showPersonPrivacy(c, id, again, view{Form: form, Errors: labelled(fe, map[string]string{"birth_date": "The date of birth", "left_on": "The leaving date"})})
		}
	default:
		return page{}, errs.New(errs.ErrInvalid, "Choose one of the buttons on the page.")
	}
	return goTo(base(c) + "/admin/people/" + id.String() + "/privacy?done=privacy-updated"), err
}

func (s *Site) recordConsent(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := map[string]string{"purpose": c.PostForm("purpose"), "method": c.PostForm("method"), "guardian": strings.TrimSpace(c.PostForm("guardian"))}
	if g := c.PostForm("given"); g != "yes" && g != "no" {
		return s.showPersonPrivacy(c, id, again, view{Form: form, Errors: map[string]string{"given": "Choose whether consent was given or withdrawn"}})
	}
	ch := consent.Change{Purpose: form["purpose"], Given: c.PostForm("given") == "yes", Method: form["method"]}
	if form["guardian"] != "" {
		g, err := s.d.Identity.FindByUsername(ctx, sc, form["guardian"])
		if err != nil {
			return s.showPersonPrivacy(c, id, again, view{Form: form, Errors: map[string]string{"guardian": "There is no one with that username in your school"}})
		}
		ch.GuardianID = &g.ID
	}
	_, err := s.d.Consents.Set(ctx, sc, id, ch)
	if fe, isField := formErrors(err); isField {
		return s.showPersonPrivacy(c, id, again, view{Form: form, Errors: refile(labelled(fe, map[string]string{"purpose": "The purpose", "method": "How it was given", "guardian_id": "The guardian"}), "guardian_id", "guardian")})
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/people/" + id.String() + "/privacy?done=consent-recorded"), nil
}

func (s *Site) linkGuardian(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := map[string]string{"guardian": strings.TrimSpace(c.PostForm("guardian"))}
	g, err := s.d.Identity.FindByUsername(ctx, sc, form["guardian"])
	if err != nil {
		return s.showPersonPrivacy(c, id, again, view{Form: form, Errors: map[string]string{"guardian": "There is no one with that username in your school"}})
	}
	err = s.d.Consents.LinkGuardian(ctx, sc, g.ID, id)
	if fe, isField := formErrors(err); isField {
		return s.showPersonPrivacy(c, id, again, view{Form: form, Errors: refile(labelled(fe, map[string]string{"guardian_id": "The guardian"}), "guardian_id", "guardian")})
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/people/" + id.String() + "/privacy?done=guardian-linked"), nil
}
