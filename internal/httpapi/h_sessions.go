package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/request"
)

// endOtherSessions ends every session of the caller's but the one making
// the request; their API tokens stay.
func (s *Server) endOtherSessions(c *gin.Context) (any, error) {
	return nil, s.Identity.EndOtherSessions(c.Request.Context(), request.Principal(c))
}
