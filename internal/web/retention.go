package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// retentionPages are the school's retention settings with the dry run
// report, its legal holds, and its records of processing.
func (s *Site) retentionPages() []request.Route {
	a := tp + "/admin"
	return []request.Route{
		{Method: "GET", Path: a + "/retention", Summary: "Retention periods, the dry run report and legal holds", Area: request.AreaTenant, Object: "retention", Action: "read", Handler: s.retentionPage},
		{Method: "POST", Path: a + "/retention", Summary: "Change retention periods, run a dry run or switch enforcement on", Area: request.AreaTenant, Object: "retention", Action: "write", Handler: s.retentionAction},
		{Method: "POST", Path: a + "/retention/holds", Summary: "Place a legal hold", Area: request.AreaTenant, Object: "retention", Action: "write", Handler: s.placeHold},
		{Method: "POST", Path: a + "/retention/holds/:hold/release", Summary: "Release a legal hold", Area: request.AreaTenant, Object: "retention", Action: "write", AfterEnd: true, Handler: s.releaseHold},
		{Method: "GET", Path: a + "/records", Summary: "The school's records of processing", Area: request.AreaTenant, Object: "records-of-processing", Action: "read", Handler: s.ropaPage},
		{Method: "GET", Path: a + "/statistics", Summary: "Courses' aggregate statistics, small groups suppressed", Area: request.AreaTenant, Object: "statistics", Action: "read", Handler: s.statisticsPage},
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

func (s *Site) retentionPage(c *gin.Context) {
	s.showRetention(c, http.StatusOK, view{})
}

func (s *Site) showRetention(c *gin.Context, status int, v view) {
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
		s.fail(c, err)
		return
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
	s.render(c, status, "admin_retention", v)
}

func (s *Site) retentionAction(c *gin.Context) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	switch c.PostForm("action") {
	case "dry-run":
		if _, err := s.d.Retention.DryRun(ctx, sc); err != nil {
			s.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, base(c)+"/admin/retention?done=dry-run")
	case "enforce":
		if err := s.d.Retention.Enable(ctx, sc); err != nil {
			s.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, base(c)+"/admin/retention?done=enforcing")
	case "save":
		form, errs, months := map[string]string{}, map[string]string{}, map[string]int{}
		for _, cat := range retention.Categories() {
			raw := strings.TrimSpace(c.PostForm(cat.Category))
			form[cat.Category] = raw
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > 1200 {
				errs[cat.Category] = cat.Title + ": enter a whole number of months from 1 to 1200"
				continue
			}
			months[cat.Category] = n
		}
		if len(errs) == 0 {
			err := s.d.Retention.SetPeriods(ctx, sc, months)
			if fe, isField := formErrors(err); isField {
				errs = fe
			} else if err != nil {
				s.fail(c, err)
				return
			}
		}
		if len(errs) > 0 {
			s.showRetention(c, http.StatusBadRequest, view{Form: form, Errors: errs})
			return
		}
		c.Redirect(http.StatusSeeOther, base(c)+"/admin/retention?done=retention-saved")
	default:
		s.Error(c, http.StatusBadRequest, "Choose one of the buttons on the page.")
	}
}

func (s *Site) placeHold(c *gin.Context) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := map[string]string{"person": strings.TrimSpace(c.PostForm("person")), "reason": strings.TrimSpace(c.PostForm("reason"))}
	in := retention.NewHold{Reason: form["reason"]}
	if form["person"] != "" {
		p, err := s.d.Identity.FindByUsername(ctx, sc, form["person"])
		if err != nil {
			s.showRetention(c, http.StatusBadRequest, view{Form: form, Errors: map[string]string{"person": "There is no one with that username in your school"}})
			return
		}
		in.PersonID = &p.ID
	}
	_, err := s.d.Retention.PlaceHold(ctx, sc, in)
	if fe, isField := formErrors(err); isField {
		s.showRetention(c, http.StatusBadRequest, view{Form: form, Errors: refile(labelled(fe, map[string]string{"person_id": "The person", "reason": "The reason"}), "person_id", "person")})
		return
	} else if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/retention?done=hold-placed")
}

func (s *Site) releaseHold(c *gin.Context) {
	id, ok := pathID(c, "hold")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such hold.")
		return
	}
	if err := s.d.Retention.ReleaseHold(c.Request.Context(), request.Scope(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/retention?done=hold-released")
}

func (s *Site) ropaPage(c *gin.Context) {
	r, err := s.d.Ropa.For(c.Request.Context(), request.Scope(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_ropa", view{Title: "Records of processing", Data: map[string]any{"Base": base(c), "R": r, "API": "/api/v1/t/" + c.Param("tenant")}})
}

func (s *Site) statisticsPage(c *gin.Context) {
	st, err := s.d.Engagement.Statistics(c.Request.Context(), request.Scope(c), s.d.Config.StatsMinGroup)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_statistics", view{Title: "Statistics", Data: map[string]any{"Base": base(c), "Courses": st, "Min": s.d.Config.StatsMinGroup}})
}
