package web

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/usage"
)

// usagePages are how the platform is used at the school (counts only).
func (s *Site) usagePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/admin/usage", Summary: "How the platform is used (counts only)",
			Area: request.AreaTenant, Object: "usage", Action: "read", Handler: s.serve(s.usagePage)},
	}
}

// usageRow is one day's use of one part of the platform, named by what
// the part does ("My courses"), not by its address.
type usageRow struct {
	Day      string
	Part     string
	App      bool // through the app or an integration (the API), not a page
	Requests int64
}

func (s *Site) usagePage(c *gin.Context) (page, error) {
	rows, err := usage.Of(c.Request.Context(), s.d.DB, request.Scope(c))
	out := make([]usageRow, 0, len(rows))
	for _, r := range rows {
		_, path, _ := strings.Cut(r.Area, " ")
		day := r.Day
		if t, err := time.Parse(time.DateOnly, r.Day); err == nil {
			day = localtime.CalendarDate(t) // a calendar day: no time zone moves it
		}
		out = append(out, usageRow{Day: day, Part: s.words.area(r.Area), App: strings.HasPrefix(path, "/api/"), Requests: r.Requests})
	}
	return show("usage", view{Title: "How the platform is used", Data: map[string]any{"Base": base(c), "Rows": out}}), err
}
