package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// passwordLinkPages are where a set-password link leads (a first admin's
// invitation, or a link an admin sent), and the admin's button that sends
// one. The link itself is the credential: no session is needed to use it.
func (s *Site) passwordLinkPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/set-password/:token", Summary: "Set my password from a link sent by email", Area: request.AreaPublic, Public: true, Handler: s.setPasswordForm},
		{Method: "POST", Path: "/set-password/:token", Summary: "Set my password from a link sent by email", Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.setPassword},
		{Method: "POST", Path: tp + "/admin/people/:id/password-link", Summary: "Email a person a link to set their password", Area: request.AreaTenant, Object: "person", Action: "write", Handler: s.sendPasswordLinkPage},
	}
}

var setPasswordFields = []string{"password", "confirm"}

func (s *Site) setPasswordForm(c *gin.Context) {
	s.showSetPassword(c, http.StatusOK, nil)
}

func (s *Site) showSetPassword(c *gin.Context, status int, fe map[string]string) {
	username, err := s.d.Identity.LinkHolder(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "set_password", view{Title: "Set your password", Errors: fe, Fields: setPasswordFields,
		Data: map[string]any{"Token": c.Param("token"), "Username": username}})
}

func (s *Site) setPassword(c *gin.Context) {
	pw := c.PostForm("password")
	if pw != c.PostForm("confirm") {
		s.showSetPassword(c, http.StatusBadRequest, map[string]string{"confirm": "The two passwords are not the same"})
		return
	}
	slug, err := s.d.Identity.UsePasswordLink(c.Request.Context(), c.Param("token"), pw)
	if m, ok := formErrors(err); ok {
		s.showSetPassword(c, http.StatusBadRequest, m)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "set_password", view{Title: "Password set", Data: map[string]any{"Done": true, "Tenant": slug}})
}

func (s *Site) sendPasswordLinkPage(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		s.fail(c, errs.ErrNotFound)
		return
	}
	sc := request.Scope(c)
	_, err := s.d.Identity.SendPasswordLink(c.Request.Context(), sc, id)
	if m, isField := formErrors(err); isField {
		s.showPersonErrors(c, renameFields(m, map[string]string{"email": "password_link"}), "password_link")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.d.Comms.QueueDelivery(c.Request.Context(), sc.Tenant())
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+id.String()+"?done=password-link-sent")
}
