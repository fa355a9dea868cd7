package httpapi

import (
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/usage"
)

func (s *Server) usageRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/usage", Summary: "How the platform is used, per day and part, over 30 days (counts only; people who ask not to be tracked are not counted)",
			Area: request.AreaTenant, Object: "usage", Action: "read", Reply: request.Page[usage.Row]{}, API: s.usageReport},
	}
}
