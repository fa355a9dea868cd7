package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/comms"
)

// commsRoutes are announcements and newsletters, and the one-click
// unsubscribe every optional email carries (RFC 8058).
func (s *Server) commsRoutes() []Route {
	return []Route{
		{Method: "POST", Path: tp + "/communications", Summary: "Send an announcement or newsletter to a course (teachers), a school or everyone (admins), in the app and optionally by email; optional ones only to people who consented", Area: AreaTenant, Object: "communication", Action: "write", Status: http.StatusCreated, Request: comms.NewCommunication{}, Reply: comms.Communication{}, Handler: s.sendCommunication},
		{Method: "GET", Path: tp + "/my/inbox", Summary: "My messages", Area: AreaTenant, Object: "my-data", Action: "read", Reply: []comms.Communication{}, Handler: s.myInbox},
		{Method: "POST", Path: v1 + "/unsubscribe/:token", Summary: "One-click unsubscribe from optional email (List-Unsubscribe-Post), honoured at once", Public: true, Status: http.StatusNoContent, Handler: s.unsubscribe},
	}
}

func (s *Server) sendCommunication(c *gin.Context) {
	var in comms.NewCommunication
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Comms.Send(c.Request.Context(), scope(c), in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) myInbox(c *gin.Context) {
	out, err := s.Comms.Inbox(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) unsubscribe(c *gin.Context) {
	if err := s.Comms.Unsubscribe(c.Request.Context(), c.Param("token")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
