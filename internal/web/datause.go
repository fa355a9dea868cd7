package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/datause"
	"github.com/schoolcloud/lms/internal/request"
)

// dataUsePages are the school's data use agreements and its alert webhook
// (admins), and the operator's pseudonymised copies of a tenant.
func (s *Site) dataUsePages() []request.Route {
	a := tp + "/admin"
	return []request.Route{
		{Method: "GET", Path: a + "/data-use", Summary: "Data use agreements", Area: request.AreaTenant,
			Object: "data-use", Action: "read", Handler: s.serve(s.dataUsePage)},
		{Method: "POST", Path: a + "/data-use", Summary: "Sign a data use agreement",
			Area: request.AreaTenant, Object: "data-use", Action: "write", Handler: s.serve(s.signAgreement)},
		{Method: "POST", Path: a + "/data-use/:agreement/withdraw",
			Summary: "Withdraw a data use agreement", Area: request.AreaTenant, Object: "data-use",
			Action: "write", Handler: s.serve(withID("agreement", "There is no such agreement.", s.withdrawAgreement))},
		{Method: "GET", Path: a + "/webhook", Summary: "Where alerts are posted", Area: request.AreaTenant,
			Object: "webhook", Action: "read", Handler: s.serve(s.webhookPage)},
		{Method: "POST", Path: a + "/webhook", Summary: "Set where alerts are posted",
			Area: request.AreaTenant, Object: "webhook", Action: "write", Handler: s.serve(s.setWebhook)},
		{Method: "POST", Path: "/platform/tenants/:id/extracts",
			Summary: "Queue a pseudonymised copy of a tenant", Area: request.AreaPlatform,
			Object: "data-extract", Action: "write", Handler: s.serve(withID("id", "There is no such tenant.", s.requestExtract))},
	}
}

var agreementFields = []string{"purpose", "terms", "starts_on", "ends_on"}

type dataUseData struct {
	Base       string
	Agreements []datause.Agreement
}

func (s *Site) dataUsePage(c *gin.Context) (page, error) {
	return s.showDataUse(c, http.StatusOK, view{Form: map[string]string{}})
}

// showDataUse is the agreements page with v's form (its values and errors).
func (s *Site) showDataUse(c *gin.Context, status int, v view) (page, error) {
	as, err := s.d.DataUse.List(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields, v.Data = "Data use agreements", agreementFields, dataUseData{Base: base(c), Agreements: as}
	return page{status: status, name: "data_use", view: v}, nil
}

func (s *Site) signAgreement(c *gin.Context) (page, error) {
	form := posted(c, agreementFields...)
	_, err := s.d.DataUse.Sign(c.Request.Context(), request.Scope(c), datause.NewAgreement{Terms: form["terms"], Purpose: form["purpose"], StartsOn: form["starts_on"], EndsOn: form["ends_on"]})
	if fe, isField := formErrors(err); isField {
		return s.showDataUse(c, http.StatusBadRequest, view{Form: form, Errors: labelled(fe, map[string]string{"terms": "The terms", "purpose": "The purpose", "starts_on": "The start", "ends_on": "The end"})})
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/data-use?done=agreement-signed"), nil
}

func (s *Site) withdrawAgreement(c *gin.Context, id uuid.UUID) (page, error) {
	_, err := s.d.DataUse.Withdraw(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/admin/data-use?done=agreement-withdrawn"), err
}

type webhookData struct {
	Base string
	Hook alert.Webhook
	Set  bool
}

func (s *Site) webhookPage(c *gin.Context) (page, error) {
	w, ok, err := s.d.Alerts.GetWebhook(c.Request.Context(), request.Scope(c))
	return show("webhook", view{Title: "Alerts by webhook", Form: map[string]string{"url": w.URL}, Fields: []string{"url"}, Data: webhookData{Base: base(c), Hook: w, Set: ok}}), err
}

// setWebhook saves the address and shows the new signing secret once.
func (s *Site) setWebhook(c *gin.Context) (page, error) {
	form := map[string]string{"url": strings.TrimSpace(c.PostForm("url"))}
	w, err := s.d.Alerts.SetWebhook(c.Request.Context(), request.Scope(c), form["url"])
	if fe, isField := formErrors(err); isField {
		return again("webhook", view{Title: "Alerts by webhook", Form: form, Errors: map[string]string{"url": "The address " + fe["url"]}, Fields: []string{"url"}, Data: webhookData{Base: base(c)}}), nil
	} else if err != nil {
		return page{}, err
	}
	return show("webhook", view{Title: "Alerts by webhook", Form: form, Fields: []string{"url"}, Data: webhookData{Base: base(c), Hook: w, Set: w.URL != ""}}), nil
}

func (s *Site) requestExtract(c *gin.Context, id uuid.UUID) (page, error) {
	ctx := c.Request.Context()
	if _, err := s.d.Tenants.SlugOf(ctx, id); err != nil {
		return page{}, err
	}
	_, err := s.d.DataUse.RequestExtract(ctx, request.Principal(c).ID, id)
	return goTo("/platform/tenants/" + id.String() + "?done=extract-queued"), err
}
