package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// unsubscribePages are the page every optional email links to: opening it
// shows one button (link scanners open links; only a person presses), and
// the button, or a mail client's one-click POST, unsubscribes at once.
func (s *Site) unsubscribePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/unsubscribe/:token", Summary: "Unsubscribe from optional email", Area: request.AreaPublic, Public: true, Handler: s.unsubscribeForm},
		{Method: "POST", Path: "/unsubscribe/:token", Summary: "Unsubscribe from optional email, at once", Area: request.AreaPublic, Public: true, Handler: s.unsubscribe},
	}
}

type unsubscribeData struct {
	Token string
	Done  bool
}

func (s *Site) unsubscribeForm(c *gin.Context) {
	s.render(c, http.StatusOK, "unsubscribe", view{Title: "Unsubscribe", Data: unsubscribeData{Token: c.Param("token")}})
}

func (s *Site) unsubscribe(c *gin.Context) {
	err := s.d.Comms.Unsubscribe(c.Request.Context(), c.Param("token"))
	if errors.Is(err, errs.ErrNotFound) {
		s.Error(c, http.StatusNotFound, "This unsubscribe link is not valid. Ask your school to stop the messages.")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "unsubscribe", view{Title: "Unsubscribed", Data: unsubscribeData{Done: true}})
}
