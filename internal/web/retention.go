package web

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// retentionPages are the school's retention settings with the dry run
// report, its legal holds, and its records of processing.
func (s *Site) retentionPages() []request.Route {
	a := tp + "/admin"
	return []request.Route{
		{Method: "GET", Path: a + "/retention",
			Summary: "Retention periods, the dry run report and legal holds", Area: request.AreaTenant,
			Object: "retention", Action: "read", Handler: s.serve(s.retentionPage)},
		{Method: "POST", Path: a + "/retention",
			Summary: "Change retention periods, run a dry run or switch enforcement on",
			Area:    request.AreaTenant, Object: "retention", Action: "write",
			Handler: s.serve(s.retentionAction)},
		{Method: "POST", Path: a + "/retention/holds", Summary: "Place a legal hold",
			Area: request.AreaTenant, Object: "retention", Action: "write", Handler: s.serve(s.placeHold)},
		{Method: "POST", Path: a + "/retention/holds/:hold/release", Summary: "Release a legal hold",
			Area: request.AreaTenant, AfterEnd: true, Object: "retention", Action: "write",
			Handler: s.serve(withID("hold", "There is no such hold.", s.releaseHold))},
		{Method: "GET", Path: a + "/records", Summary: "The school's records of processing",
			Area: request.AreaTenant, Object: "records-of-processing", Action: "read",
			Handler: s.serve(s.ropaPage)},
		{Method: "GET", Path: a + "/statistics",
			Summary: "Courses' aggregate statistics, small groups suppressed", Area: request.AreaTenant,
			Object: "statistics", Action: "read", Handler: s.serve(s.statisticsPage)},
	}
}

type retentionData struct {
	Base    string
	Periods []retention.Setting
	Status  retention.Status
	Holds   []retention.Hold
	// Ended: the contract has ended, the data is read-only, and only
	// releasing a hold is still offered (a hold keeps it from deletion).
	Ended bool
}

func (s *Site) retentionPage(c *gin.Context) (page, error) {
	return s.showRetention(c, show, view{})
}

// showRetention is the retention page with v's form (as: show, or again
// for a form with errors).
func (s *Site) showRetention(c *gin.Context, as func(string, view) page, v view) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	d := retentionData{Base: base(c)}
	var err error
	if d.Periods, err = s.d.Retention.Settings(ctx, sc); err == nil {
		if d.Status, err = s.d.Retention.Status(ctx, sc); err == nil {
			d.Holds, err = s.d.Retention.Holds(ctx, sc)
		}
	}
	if err == nil {
		var ct tenant.Contract
		_, ct, err = s.d.Tenants.ForMember(ctx, sc.Tenant())
		d.Ended = ct.Ended(s.now())
	}
	if err != nil {
		return page{}, err
	}
	if v.Form == nil {
		v.Form = map[string]string{}
		for _, p := range d.Periods {
			v.Form[p.Category.Category] = strconv.Itoa(p.Effective)
		}
	}
	v.Title, v.Fields, v.Data = "Retention", []string{"person", "reason"}, d
	for _, p := range d.Periods {
		v.Fields = append(v.Fields, p.Category.Category)
	}
	return as("admin_retention", v), nil
}

func (s *Site) retentionAction(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	switch c.PostForm("action") {
	case "dry-run":
		if _, err := s.d.Retention.DryRun(ctx, sc); err != nil {
			return page{}, err
		}
		return goTo(base(c) + "/admin/retention?done=dry-run"), nil
	case "enforce":
		if err := s.d.Retention.Enable(ctx, sc); err != nil {
			return page{}, err
		}
		return goTo(base(c) + "/admin/retention?done=enforcing"), nil
	case "save":
		form, bad, months := map[string]string{}, map[string]string{}, map[string]int{}
		for _, cat := range retention.Categories() {
			raw := strings.TrimSpace(c.PostForm(cat.Category))
			form[cat.Category] = raw
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > 1200 {
				bad[cat.Category] = cat.Title + ": enter a whole number of months from 1 to 1200"
				continue
			}
			months[cat.Category] = n
		}
		if len(bad) == 0 {
			err := s.d.Retention.SetPeriods(ctx, sc, months)
			if fe, isField := formErrors(err); isField {
				bad = fe
			} else if err != nil {
				return page{}, err
			}
		}
		if len(bad) > 0 {
			return s.showRetention(c, again, view{Form: form, Errors: bad})
		}
		return goTo(base(c) + "/admin/retention?done=retention-saved"), nil
	default:
		return page{}, errs.New(errs.ErrInvalid, "Choose one of the buttons on the page.")
	}
}

func (s *Site) placeHold(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := map[string]string{"person": strings.TrimSpace(c.PostForm("person")), "reason": strings.TrimSpace(c.PostForm("reason"))}
	in := retention.NewHold{Reason: form["reason"]}
	if form["person"] != "" {
		p, err := s.d.Identity.FindByUsername(ctx, sc, form["person"])
		if err != nil {
			return s.showRetention(c, again, view{Form: form, Errors: map[string]string{"person": "There is no one with that username in your school"}})
		}
		in.PersonID = &p.ID
	}
	_, err := s.d.Retention.PlaceHold(ctx, sc, in)
	if fe, isField := formErrors(err); isField {
		return s.showRetention(c, again, view{Form: form, Errors: refile(labelled(fe, map[string]string{"person_id": "The person", "reason": "The reason"}), "person_id", "person")})
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/retention?done=hold-placed"), nil
}

func (s *Site) releaseHold(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Retention.ReleaseHold(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/admin/retention?done=hold-released"), err
}

func (s *Site) ropaPage(c *gin.Context) (page, error) {
	r, err := s.d.Ropa.For(c.Request.Context(), request.Scope(c))
	return show("admin_ropa", view{Title: "Records of processing", Data: map[string]any{"Base": base(c), "R": r, "API": "/api/v1/t/" + c.Param("tenant")}}), err
}

func (s *Site) statisticsPage(c *gin.Context) (page, error) {
	st, err := s.d.Engagement.Statistics(c.Request.Context(), request.Scope(c), s.d.Config.StatsMinGroup)
	return show("admin_statistics", view{Title: "Statistics", Data: map[string]any{"Base": base(c), "Courses": st, "Min": s.d.Config.StatsMinGroup}}), err
}
