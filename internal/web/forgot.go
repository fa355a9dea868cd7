package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// recoverPages are the pages of passwords people can recover: Forgot
// password?, codes, sign-in cards (signin_cards.go).
func (s *Site) recoverPages() []request.Route {
	return append(s.forgotPages(), s.cardPages()...)
}

// forgotPages are Forgot password? (a link by email) and /set-password
// with a one-time code (from a sign-in card, or from an admin or teacher).
// Neither needs a session: the link or code is the credential.
func (s *Site) forgotPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/forgot-password", Summary: "Ask for a link to set a new password",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.forgotForm)},
		{Method: "POST", Path: "/forgot-password", Summary: "Ask for a link to set a new password",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.forgot)},
		{Method: "GET", Path: "/set-password", Summary: "Set my password with a one-time code",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.setPasswordCodeForm)},
		{Method: "POST", Path: "/set-password", Summary: "Set my password with a one-time code",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.setPasswordCode)},
	}
}

// forgotFloor is the least time Forgot password? takes to answer, so that
// how long it takes does not tell whether an account exists or has an
// email address: the work for an account (a link and its audit row) is
// far shorter, and the email is sent later, by the outbox's job.
const forgotFloor = 400 * time.Millisecond

func (s *Site) forgotForm(c *gin.Context) (page, error) {
	return show("forgot", view{Title: "Forgot your password?", Form: map[string]string{"tenant": c.Query("tenant")}, Data: map[string]any{}}), nil
}

func (s *Site) forgot(c *gin.Context) (page, error) {
	start := time.Now()
	in := map[string]string{"tenant": strings.TrimSpace(c.PostForm("tenant")), "login": strings.TrimSpace(c.PostForm("login"))}
	fe := map[string]string{}
	if in["tenant"] == "" || len(in["tenant"]) > 254 {
		fe["tenant"] = "Enter your school's sign-in name"
	}
	if in["login"] == "" || len(in["login"]) > 254 {
		fe["login"] = "Enter your username or email address"
	}
	if len(fe) > 0 {
		return again("forgot", view{Title: "Forgot your password?", Form: in, Errors: fe, Fields: []string{"tenant", "login"}, Data: map[string]any{}}), nil
	}
	ctx := c.Request.Context()
	tenant, sent, err := s.d.Identity.ForgotPassword(ctx, in["tenant"], in["login"])
	if err != nil {
		return page{}, err
	}
	if sent {
		s.d.Comms.QueueDelivery(ctx, tenant)
	}
	select {
	case <-time.After(time.Until(start.Add(forgotFloor))):
	case <-ctx.Done():
	}
	return show("forgot", view{Title: "Check your email", Data: map[string]any{"Asked": true, "Tenant": in["tenant"]}}), nil
}

var setPasswordCodeFields = []string{"tenant", "username", "code", "password", "confirm"}

func (s *Site) setPasswordCodeForm(c *gin.Context) (page, error) {
	form := map[string]string{"tenant": c.Query("tenant"), "username": c.Query("username")}
	return show("set_password_code", view{Title: "Set your password with a code", Form: form}), nil
}

func (s *Site) setPasswordCode(c *gin.Context) (page, error) {
	in := map[string]string{}
	for _, f := range []string{"tenant", "username", "code"} {
		in[f] = strings.TrimSpace(c.PostForm(f))
	}
	pw := c.PostForm("password")
	fe := map[string]string{}
	for field, label := range map[string]string{"tenant": "Enter your school's sign-in name", "username": "Enter your username", "code": "Enter the code from your card"} {
		if in[field] == "" || len(in[field]) > 254 {
			fe[field] = label
		}
	}
	if pw != c.PostForm("confirm") {
		fe["confirm"] = "The two passwords are not the same"
	}
	if len(fe) == 0 {
		slug, err := s.d.Identity.UsePasswordCode(c.Request.Context(), in["tenant"], in["username"], in["code"], pw)
		if err == nil {
			return show("set_password", view{Title: "Password set", Data: map[string]any{"Done": true, "Tenant": slug}}), nil
		}
		m, isField := formErrors(err)
		switch {
		case isField:
			fe = m
		case errors.Is(err, errs.ErrNotFound): // any reason the code does not work
			fe = map[string]string{"code": errs.Public(err)}
		default:
			return page{}, err
		}
	}
	return again("set_password_code", view{Title: "Set your password with a code", Form: in, Errors: fe, Fields: setPasswordCodeFields}), nil
}
