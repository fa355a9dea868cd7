package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// timeZonePages are where a school's admins choose the time zone its pages,
// emails and calendars speak: the tenant's (an admin of the whole trust)
// and, for a trust whose schools are in different places, a school's own.
func (s *Site) timeZonePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/admin/time-zone", Summary: "The time zone the school's times are shown in",
			Area: request.AreaTenant, Object: "person", Action: "read", Handler: s.serve(s.timeZonePage)},
		{Method: "POST", Path: tp + "/admin/time-zone", Summary: "Change the school's time zone",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.saveTimeZone)},
	}
}

type timeZoneData struct {
	Base       string
	TenantWide bool
	Zones      tenant.Zones
	Choices    []localtime.Choice
}

func (s *Site) timeZonePage(c *gin.Context) (page, error) {
	return s.showTimeZone(c, view{})
}

func (s *Site) showTimeZone(c *gin.Context, v view) (page, error) {
	sc := request.Scope(c)
	z, err := s.d.Tenants.ZonesOf(c.Request.Context(), sc)
	if err != nil {
		return page{}, err
	}
	if v.Form == nil {
		v.Form = map[string]string{"time_zone": z.Tenant}
		for _, sch := range z.Schools {
			v.Form["school-"+sch.ID.String()] = deref(sch.TimeZone)
		}
	}
	v.Title = "Time zone"
	v.Data = timeZoneData{Base: base(c), TenantWide: sc.TenantWide(), Zones: z, Choices: localtime.Choices}
	if len(v.Errors) > 0 {
		return again("admin_time_zone", v), nil
	}
	return show("admin_time_zone", v), nil
}

func (s *Site) saveTimeZone(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	form := map[string]string{}
	schools := map[uuid.UUID]string{}
	for _, v := range c.PostFormArray("school") {
		id, err := uuid.Parse(v)
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "The form named a school that is not one.")
		}
		schools[id] = c.PostForm("school-" + v)
		form["school-"+v] = schools[id]
	}
	zone := ""
	if sc.TenantWide() {
		zone = c.PostForm("time_zone")
		form["time_zone"] = zone
	}
	fe, err := formOutcome(s.d.Tenants.SetZones(c.Request.Context(), sc, zone, schools), nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showTimeZone(c, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/admin/time-zone?done=saved"), nil
}
