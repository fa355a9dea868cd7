package web

import (
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// unsubscribePages are the page every optional email links to: opening it
// shows one button (link scanners open links; only a person presses), and
// the button, or a mail client's one-click POST, unsubscribes at once.
func (s *Site) unsubscribePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/unsubscribe/:token", Summary: "Unsubscribe from optional email",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.unsubscribeForm)},
		{Method: "POST", Path: "/unsubscribe/:token", Summary: "Unsubscribe from optional email, at once",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.unsubscribe)},
	}
}

type unsubscribeData struct {
	Token string
	Done  bool
}

func (s *Site) unsubscribeForm(c *gin.Context) (page, error) {
	return show("unsubscribe", view{Title: "Unsubscribe", Data: unsubscribeData{Token: c.Param("token")}}), nil
}

func (s *Site) unsubscribe(c *gin.Context) (page, error) {
	err := s.d.Comms.Unsubscribe(c.Request.Context(), c.Param("token"))
	if errors.Is(err, errs.ErrNotFound) {
		return page{}, errs.New(errs.ErrNotFound, "This unsubscribe link is not valid. Ask your school to stop the messages.")
	}
	return show("unsubscribe", view{Title: "Unsubscribed", Data: unsubscribeData{Done: true}}), err
}
