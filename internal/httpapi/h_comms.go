package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/request"
)

// commsRoutes are announcements and newsletters, and the one-click
// unsubscribe every optional email carries (RFC 8058).
func (s *Server) commsRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: tp + "/communications",
			Summary: "Send an announcement or newsletter to a course (teachers), a school or everyone (admins), in the app and optionally by email; optional ones only to people who consented",
			Area:    request.AreaTenant, Object: "communication", Action: "write", Status: http.StatusCreated,
			Request: comms.NewCommunication{}, Reply: comms.Communication{}, API: request.FromBody(s.Comms.Send)},
		{Method: "GET", Path: tp + "/my/inbox", Summary: "My messages", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Reply: request.Page[comms.Communication]{},
			API: request.PagedScoped(comms.Communication.At, s.Comms.InboxPage)},
		{Method: "POST", Path: v1 + "/unsubscribe/:token",
			Summary: "One-click unsubscribe from optional email (List-Unsubscribe-Post), honoured at once",
			Public:  true, Status: http.StatusNoContent, API: s.unsubscribe},
	}
}

func (s *Server) unsubscribe(c *gin.Context) (any, error) {
	return nil, s.Comms.Unsubscribe(c.Request.Context(), c.Param("token"))
}
