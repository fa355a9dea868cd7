package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// passwordLinkPages are where a set-password link leads (a first admin's
// invitation, or a link an admin sent), and the admin's button that sends
// one. The link itself is the credential: no session is needed to use it.
func (s *Site) passwordLinkPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/set-password/:token", Summary: "Set my password from a link sent by email",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.setPasswordForm)},
		{Method: "POST", Path: "/set-password/:token", Summary: "Set my password from a link sent by email",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.setPassword)},
		{Method: "POST", Path: tp + "/admin/people/:id/password-link",
			Summary: "Email a person a link to set their password", Area: request.AreaTenant, Object: "person",
			Action: "write", Handler: s.serve(withID("id", "", s.sendPasswordLinkPage))},
	}
}

var setPasswordFields = []string{"password", "confirm"}

func (s *Site) setPasswordForm(c *gin.Context) (page, error) {
	return s.showSetPassword(c, show, nil)
}

// showSetPassword is the set-password form (as: show, or again with the
// form's errors fe).
func (s *Site) showSetPassword(c *gin.Context, as func(string, view) page, fe map[string]string) (page, error) {
	username, err := s.d.Identity.LinkHolder(c.Request.Context(), c.Param("token"))
	if errors.Is(err, errs.ErrNotFound) { // used, replaced, too old or never made: say so, and what to do
		return page{status: http.StatusNotFound, name: "set_password", view: view{Title: "This link does not work any more",
			Data: map[string]any{"Gone": errs.Public(err)}}}, nil
	}
	if err != nil {
		return page{}, err
	}
	return as("set_password", view{Title: "Set your password", Errors: fe, Fields: setPasswordFields,
		Data: map[string]any{"Token": c.Param("token"), "Username": username}}), nil
}

func (s *Site) setPassword(c *gin.Context) (page, error) {
	pw := c.PostForm("password")
	if pw != c.PostForm("confirm") {
		return s.showSetPassword(c, again, map[string]string{"confirm": "The two passwords are not the same"})
	}
	slug, err := s.d.Identity.UsePasswordLink(c.Request.Context(), c.Param("token"), pw)
	if m, ok := formErrors(err); ok {
		return s.showSetPassword(c, again, m)
	}
	return show("set_password", view{Title: "Password set", Data: map[string]any{"Done": true, "Tenant": slug}}), err
}

func (s *Site) sendPasswordLinkPage(c *gin.Context, id uuid.UUID) (page, error) {
	sc := request.Scope(c)
	_, err := s.d.Identity.SendPasswordLink(c.Request.Context(), sc, id)
	if m, isField := formErrors(err); isField {
		return s.showPersonErrors(c, id, renameFields(m, map[string]string{"email": "password_link"}), "password_link")
	}
	if err != nil {
		return page{}, err
	}
	s.d.Comms.QueueDelivery(c.Request.Context(), sc.Tenant())
	return goTo(base(c) + "/admin/people/" + id.String() + "?done=password-link-sent"), nil
}
