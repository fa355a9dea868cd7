package web

import (
	"github.com/gin-gonic/gin"

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

func (s *Site) usagePage(c *gin.Context) (page, error) {
	rows, err := usage.Of(c.Request.Context(), s.d.DB, request.Scope(c))
	return show("usage", view{Title: "How the platform is used", Data: map[string]any{"Base": base(c), "Rows": rows}}), err
}
