package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// myDataPages are every member's own privacy page (their requests,
// consents and exports). They act on the signed-in person alone; a
// guardian's pages for their children are childrenPages.
func (s *Site) myDataPages() []request.Route {
	m := tp + "/my"
	return []request.Route{
		{Method: "GET", Path: m + "/privacy", Summary: "My data: requests, consents and downloads",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.serve(s.myPrivacyPage)},
		{Method: "POST", Path: m + "/privacy/requests", Summary: "Make a request about my data",
			Area: request.AreaTenant, Object: "my-data", Action: "write", Handler: s.serve(s.makeMyRequest)},
		{Method: "POST", Path: m + "/privacy/consents", Summary: "Give or withdraw a consent",
			Area: request.AreaTenant, Object: "my-data", Action: "write", Handler: s.serve(s.changeMyConsent)},
		{Method: "POST", Path: m + "/privacy/exports", Summary: "Export my data", Area: request.AreaTenant,
			Object: "my-data", Action: "write", Handler: s.serve(s.exportMine)},
		{Method: "GET", Path: m + "/exports/:export/download", Summary: "Download my export",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.serve(withID("export", "There is no such export.", s.downloadMine))},
	}
}

type myPrivacyData struct {
	Base     string
	Requests []subject.Request
	Consents []consent.State
	Exports  []subject.Export
	Kinds    map[string]string
	Children bool
	// Child is set for a learner under consent.ChildAge: their parent or
	// carer gives consent, so their page offers no buttons for it.
	Child bool
}

func (s *Site) myPrivacyPage(c *gin.Context) (page, error) {
	return s.showMyPrivacy(c, http.StatusOK, view{Form: map[string]string{}})
}

// showMyPrivacy is one's privacy page with v's form (its values and errors).
func (s *Site) showMyPrivacy(c *gin.Context, status int, v view) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	me := sc.Actor().ID
	d := myPrivacyData{Base: base(c), Kinds: requestKinds}
	var err error
	if d.Requests, err = s.d.Subjects.List(ctx, sc, subject.Filter{PersonID: &me}, database.Page{Limit: 100}); err == nil {
		if d.Consents, err = s.d.Consents.States(ctx, sc, me); err == nil {
			d.Exports, err = s.d.Subjects.Exports(ctx, sc, me)
		}
	}
	if err != nil {
		return page{}, err
	}
	kids, err := s.d.Consents.Children(ctx, sc)
	if err != nil {
		return page{}, err
	}
	d.Children = len(kids) > 0
	if d.Child, err = s.isChild(c); err != nil {
		return page{}, err
	}
	v.Title, v.Fields, v.Data = "My data", []string{"kind", "details"}, d
	return page{status: status, name: "my_privacy", view: v}, nil
}

func (s *Site) makeMyRequest(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	form := map[string]string{"kind": c.PostForm("kind"), "details": strings.TrimSpace(c.PostForm("details"))}
	_, err := s.d.Subjects.Open(c.Request.Context(), sc, consent.BySelf, subject.NewRequest{PersonID: sc.Actor().ID, Kind: form["kind"], Details: form["details"]})
	if fe, isField := formErrors(err); isField {
		return s.showMyPrivacy(c, http.StatusBadRequest, view{Form: form, Errors: labelled(fe, map[string]string{"kind": "What you ask", "details": "The details"})})
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/my/privacy?done=my-request"), nil
}

// consentChange reads a give/withdraw button's form: given is yes or no,
// and anything else is refused, never taken for a withdrawal.
func consentChange(c *gin.Context) (consent.Change, error) {
	given := c.PostForm("given")
	if given != "yes" && given != "no" {
		return consent.Change{}, errs.New(errs.ErrInvalid, "Use the Give or Withdraw button.")
	}
	return consent.Change{Purpose: c.PostForm("purpose"), Given: given == "yes"}, nil
}

func (s *Site) changeMyConsent(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	ch, err := consentChange(c)
	if err != nil {
		return page{}, err
	}
	_, err = s.d.Consents.Set(c.Request.Context(), sc, sc.Actor().ID, ch)
	return goTo(base(c) + "/my/privacy?done=my-consent"), err
}

func (s *Site) exportMine(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	_, err := s.d.Subjects.StartExport(c.Request.Context(), sc, sc.Actor().ID, nil)
	return goTo(base(c) + "/my/privacy?done=my-export"), err
}

func (s *Site) downloadMine(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	e, err := s.d.Subjects.GetExport(ctx, sc, id)
	if err == nil && e.PersonID != sc.Actor().ID {
		return page{}, errs.New(errs.ErrNotFound, "There is no such export.")
	}
	if err != nil {
		return page{}, err
	}
	link, err := s.d.Subjects.Download(ctx, sc, id)
	return goTo(link.URL), err
}

// isChild reports whether the signed-in person is under consent.ChildAge,
// the age below which a parent or carer gives consent for them (the same
// rule consent.Service applies: no birth date recorded is an adult).
func (s *Site) isChild(c *gin.Context) (bool, error) {
	sc := request.Scope(c)
	me, err := s.d.Identity.GetPerson(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil {
		return false, err
	}
	return me.BirthDate != nil && me.BirthDate.AddDate(consent.ChildAge, 0, 0).After(s.now()), nil
}
