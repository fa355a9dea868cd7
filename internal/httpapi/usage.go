package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/usage"
)

func (s *Server) usageRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/usage", Summary: "How the platform is used, per day and part, over 30 days (counts only; people who ask not to be tracked are not counted)",
			Area: request.AreaTenant, Object: "usage", Action: "read", Reply: []usage.Row{}, API: s.usageReport},
	}
}

func (s *Server) usageReport(c *gin.Context) (any, error) {
	return usage.Of(c.Request.Context(), s.DB, request.Scope(c))
}
