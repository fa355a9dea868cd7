package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/breach"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// legalPages are the operators' pages for legal obligations and the breach
// register.
func (s *Site) legalPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/platform/legal",
			Summary: "Legal obligations recorded, and the form to record one", Area: request.AreaPlatform,
			Object: "legal-order", Action: "read", Handler: s.serve(s.legalPage)},
		{Method: "POST", Path: "/platform/legal", Summary: "Record a legal obligation",
			Area: request.AreaPlatform, Object: "legal-order", Action: "write",
			Handler: s.serve(s.recordOrder)},
		{Method: "POST", Path: "/platform/legal/:id/confirm",
			Summary: "Confirm a legal obligation another operator recorded", Area: request.AreaPlatform,
			Object: "legal-order", Action: "write", Handler: s.serve(withID("id", "There is no such order.", s.confirmOrder))},
		{Method: "POST", Path: "/platform/legal/:id/notice",
			Summary: "Give a deferred notice to the school", Area: request.AreaPlatform, Object: "legal-order",
			Action: "write", Handler: s.serve(withID("id", "There is no such order.", s.giveNotice))},
		{Method: "GET", Path: "/platform/breaches",
			Summary: "The breach register, and the form to record a breach", Area: request.AreaPlatform,
			Object: "breach-register", Action: "read", Handler: s.serve(s.breachRegisterPage)},
		{Method: "POST", Path: "/platform/breaches",
			Summary: "Record a breach and tell the schools affected", Area: request.AreaPlatform,
			Object: "breach-register", Action: "write", Handler: s.serve(s.recordBreach)},
	}
}

var orderFields = []string{"tenant", "reference", "issuing_body", "order_date", "scope", "areas", "document_sha256", "valid_days", "deferral_reason", "notice_by"}

type legalData struct {
	Orders []support.Order
	Chosen map[string]bool
	Me     uuid.UUID
}

func (s *Site) legalPage(c *gin.Context) (page, error) {
	return s.showLegal(c, http.StatusOK, view{Form: map[string]string{"valid_days": "30"}}, nil)
}

// showLegal is the legal obligations page with status; v carries the
// order form's values and errors when it comes back with a problem.
func (s *Site) showLegal(c *gin.Context, status int, v view, chosen map[string]bool) (page, error) {
	os, err := s.d.Support.Orders(c.Request.Context(), uuid.Nil, 100)
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields, v.Data = "Legal obligations", orderFields, legalData{Orders: os, Chosen: chosen, Me: request.Principal(c).ID}
	return page{status: status, name: "platform_legal", view: v}, nil
}

func (s *Site) recordOrder(c *gin.Context) (page, error) {
	form := posted(c, orderFields...)
	areas := c.PostFormArray("areas")
	chosen := ticked(areas)
	days, err := strconv.Atoi(form["valid_days"])
	if err != nil || days < 1 {
		days = -1 // the service's message: 1 to 30
	}
	in := support.NewOrder{Reference: form["reference"], IssuingBody: form["issuing_body"], OrderDate: form["order_date"], Scope: form["scope"],
		Areas: areas, DocumentSHA256: form["document_sha256"], ValidDays: days, Deferred: c.PostForm("deferred") == "yes", DeferralReason: form["deferral_reason"], NoticeBy: form["notice_by"]}
	if in.Deferred {
		form["deferred"] = "yes"
	}
	ctx := c.Request.Context()
	fe := map[string]string{}
	t, terr := s.d.Tenants.BySlug(ctx, form["tenant"])
	if terr != nil {
		fe["tenant"] = "Enter the school's sign-in name"
	}
	if len(fe) == 0 {
		_, err := s.d.Support.RecordOrder(ctx, request.Principal(c).ID, t.ID, in)
		if m, isField := formErrors(err); isField {
			fe = labelled(m, map[string]string{"reference": "The reference", "issuing_body": "The issuing body", "order_date": "The date",
				"scope": "The scope", "areas": "What may be read", "document_sha256": "The document hash", "valid_days": "The time to read", "deferral_reason": "The reason for deferring", "notice_by": "The latest day of notice"})
		} else if err != nil {
			return page{}, err
		} else {
			return goTo("/platform/legal?done=order-recorded"), nil
		}
	}
	return s.showLegal(c, http.StatusBadRequest, view{Form: form, Errors: fe}, chosen)
}

func (s *Site) confirmOrder(c *gin.Context, id uuid.UUID) (page, error) {
	_, err := s.d.Support.ConfirmOrder(c.Request.Context(), request.Principal(c).ID, id)
	return goTo("/platform/legal?done=order-confirmed"), err
}

func (s *Site) giveNotice(c *gin.Context, id uuid.UUID) (page, error) {
	_, err := s.d.Support.GiveNotice(c.Request.Context(), id)
	return goTo("/platform/legal?done=notice-given"), err
}

var breachFields = []string{"title", "description", "detected_at", "tenants"}

type breachRegisterData struct {
	Breaches []breach.Breach
	Slugs    map[uuid.UUID]string
}

func (s *Site) breachRegisterPage(c *gin.Context) (page, error) {
	return s.showBreaches(c, http.StatusOK, view{Form: map[string]string{"detected_at": s.now().In(s.zone(c)).Format(dateTimeLocal)}})
}

// showBreaches is the breach register with status; v carries the breach
// form's values and errors when it comes back with a problem.
func (s *Site) showBreaches(c *gin.Context, status int, v view) (page, error) {
	ctx := c.Request.Context()
	bs, err := s.d.Breaches.List(ctx, 100)
	if err != nil {
		return page{}, err
	}
	slugs := map[uuid.UUID]string{}
	for _, b := range bs {
		for _, a := range b.Tenants {
			if _, ok := slugs[a.TenantID]; !ok {
				slugs[a.TenantID], _ = s.d.Tenants.SlugOf(ctx, a.TenantID)
			}
		}
	}
	v.Title, v.Fields, v.Data = "Breach register", breachFields, breachRegisterData{Breaches: bs, Slugs: slugs}
	return page{status: status, name: "platform_breaches", view: v}, nil
}

// recordBreach reads the affected schools one per line as
// "sign-in-name: what of its data was affected".
func (s *Site) recordBreach(c *gin.Context) (page, error) {
	form := posted(c, breachFields...)
	ctx := c.Request.Context()
	fe := map[string]string{}
	in := breach.NewBreach{Title: form["title"], Description: form["description"]}
	if at, err := time.ParseInLocation(dateTimeLocal, form["detected_at"], time.UTC); err != nil {
		fe["detected_at"] = "Enter when it was detected, date and time (UTC)"
	} else {
		in.DetectedAt = at
	}
	for i, line := range strings.Split(strings.ReplaceAll(form["tenants"], "\r", ""), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		slug, what, ok := strings.Cut(line, ":")
		t, err := s.d.Tenants.BySlug(ctx, strings.TrimSpace(slug))
		if !ok || err != nil {
			fe["tenants"] = "Line " + strconv.Itoa(i+1) + ": write the school's sign-in name, a colon, then what of its data was affected"
			break
		}
		in.Tenants = append(in.Tenants, breach.Affected{TenantID: t.ID, DataAffected: strings.TrimSpace(what)})
	}
	if len(fe) == 0 {
		_, err := s.d.Breaches.Record(ctx, request.Principal(c).ID, in)
		if m, isField := formErrors(err); isField {
			for f, msg := range m {
				if strings.HasPrefix(f, "tenants") {
					f = "tenants"
				}
				fe[f] = msg
			}
		} else if err != nil {
			return page{}, err
		} else {
			return goTo("/platform/breaches?done=breach-recorded"), nil
		}
	}
	return s.showBreaches(c, http.StatusBadRequest, view{Form: form, Errors: fe})
}
