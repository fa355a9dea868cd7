package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// twoStepPages are two-step sign-in: the code asked for after the
// password, setting up an authenticator app (with its recovery codes) and
// turning it off, for members and processor staff alike; and the tenant's
// rule that its admins and approvers must use it. The code and set-up
// pages are open to a session that passed only the password (SecondStep):
// nothing else is.
func (s *Site) twoStepPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: request.SecondStepCodePage, Summary: "The second step of signing in: a code from the authenticator app",
			Area: request.AreaSelf, Object: "self", Action: "read", SecondStep: true, Handler: s.serve(s.codeForm)},
		{Method: "POST", Path: request.SecondStepCodePage, Summary: "Finish signing in with a code",
			Area: request.AreaSelf, Object: "self", Action: "write", SecondStep: true, Handler: s.serve(s.enterCode)},
		{Method: "GET", Path: request.SecondStepSetupPage, Summary: "Two-step sign-in: set it up or turn it off",
			Area: request.AreaSelf, Object: "self", Action: "read", SecondStep: true, Handler: s.serve(s.twoStepPage)},
		{Method: "GET", Path: request.SecondStepSetupPage + "/qr.png", Summary: "The QR code of the authenticator being set up",
			Area: request.AreaSelf, Object: "self", Action: "read", SecondStep: true, Handler: s.serve(s.twoStepQR)},
		{Method: "POST", Path: request.SecondStepSetupPage + "/start", Summary: "Start setting up two-step sign-in",
			Area: request.AreaSelf, Object: "self", Action: "write", SecondStep: true, Handler: s.serve(s.startTwoStep)},
		{Method: "POST", Path: request.SecondStepSetupPage + "/confirm", Summary: "Turn two-step sign-in on with a first code",
			Area: request.AreaSelf, Object: "self", Action: "write", SecondStep: true, Handler: s.serve(s.confirmTwoStep)},
		{Method: "POST", Path: request.SecondStepSetupPage + "/codes", Summary: "Make new recovery codes",
			Area: request.AreaSelf, Object: "self", Action: "write", Handler: s.serve(s.renewCodes)},
		{Method: "POST", Path: request.SecondStepSetupPage + "/off", Summary: "Turn two-step sign-in off",
			Area: request.AreaSelf, Object: "self", Action: "write", Handler: s.serve(s.turnOffTwoStep)},
		{Method: "GET", Path: tp + "/admin/two-step", Summary: "Whether the school's admins must sign in in two steps",
			Area: request.AreaTenant, Object: "person", Action: "read", Handler: s.serve(s.adminsTwoStepPage)},
		{Method: "POST", Path: tp + "/admin/two-step", Summary: "Require two-step sign-in of the school's admins, or not",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.saveAdminsTwoStep)},
		{Method: "POST", Path: tp + "/admin/two-step/:id/reset", Summary: "Reset a person's two-step sign-in (a lost phone)",
			Area: request.AreaTenant, Object: "person", Action: "write", Handler: s.serve(withID("id", "No such person.", s.resetTwoStep))},
	}
}

// halfChrome is the layout of a page a half-signed-in session may see:
// its name and sign-out, no menu (nothing else opens yet).
func (s *Site) halfChrome(c *gin.Context, v *view) {
	p := request.Principal(c)
	if p.SecondFactor == "" {
		return // fillChrome gives the whole menu
	}
	v.CSRF = p.CSRF
	v.Me = &viewer{Name: "Signing in", Staff: p.Kind == identity.KindStaff}
}

type codeData struct{ Next string }

func (s *Site) codeForm(c *gin.Context) (page, error) {
	p := request.Principal(c)
	if p.SecondFactor != identity.SecondStepCode {
		return goTo(s.after(c, safeNext(c.Query("next")))), nil
	}
	v := view{Title: "Enter your code", Form: map[string]string{}, Data: codeData{Next: safeNext(c.Query("next"))}}
	s.halfChrome(c, &v)
	return show("signin_code", v), nil
}

func (s *Site) enterCode(c *gin.Context) (page, error) {
	p := request.Principal(c)
	next := safeNext(c.PostForm("next"))
	if p.SecondFactor != identity.SecondStepCode {
		return goTo(s.after(c, next)), nil
	}
	err := s.d.Identity.SecondStep(c.Request.Context(), p, c.PostForm("code"), request.Client(c))
	v := view{Title: "Enter your code", Form: map[string]string{}, Fields: []string{"code"}, Data: codeData{Next: next}}
	s.halfChrome(c, &v)
	if errors.Is(err, errs.ErrLocked) {
		v.Errors = map[string]string{"code": errs.Public(err)}
		return page{status: http.StatusTooManyRequests, name: "signin_code", view: v}, nil
	}
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		v.Errors = fe
		return page{status: http.StatusUnauthorized, name: "signin_code", view: v}, nil
	}
	return goTo(s.after(c, next)), nil
}

// after is where a finished sign-in goes: next, or one's home.
func (s *Site) after(c *gin.Context, next string) string {
	if next != "" {
		return next
	}
	return "/home"
}

type twoStepData struct {
	identity.TwoStep
	Codes    []string // recovery codes, shown once
	Staff    bool
	Pending  bool // the session waits for this set-up
	Continue string
}

func (s *Site) twoStepPage(c *gin.Context) (page, error) {
	return s.showTwoStep(c, view{}, nil)
}

func (s *Site) showTwoStep(c *gin.Context, v view, codes []string) (page, error) {
	p := request.Principal(c)
	if p.SecondFactor == identity.SecondStepCode {
		return goTo(request.SecondStepCodePage), nil
	}
	ts, err := s.d.Identity.TwoStepOf(c.Request.Context(), p)
	if err != nil {
		return page{}, err
	}
	v.Title = "Two-step sign-in"
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	v.Fields = []string{"renew_code", "code"}
	v.Data = twoStepData{TwoStep: ts, Codes: codes, Staff: p.Kind == identity.KindStaff,
		Pending: p.SecondFactor == identity.SecondStepSetup && codes == nil, Continue: "/home"}
	if codes == nil {
		s.halfChrome(c, &v)
	}
	if len(v.Errors) > 0 {
		return again("two_step", v), nil
	}
	return show("two_step", v), nil
}

func (s *Site) twoStepQR(c *gin.Context) (page, error) {
	b, err := s.d.Identity.TwoStepQR(c.Request.Context(), request.Principal(c))
	if err != nil {
		return page{}, err
	}
	return send(file{contentType: "image/png", body: b}), nil
}

func (s *Site) startTwoStep(c *gin.Context) (page, error) {
	err := s.d.Identity.StartTwoStep(c.Request.Context(), request.Principal(c))
	return goTo(request.SecondStepSetupPage), err
}

func (s *Site) confirmTwoStep(c *gin.Context) (page, error) {
	p := request.Principal(c)
	codes, err := s.d.Identity.ConfirmTwoStep(c.Request.Context(), p, c.PostForm("code"), request.Client(c))
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showTwoStep(c, view{Errors: fe}, nil)
	}
	return s.showTwoStep(c, view{Flash: "Two-step sign-in is on."}, codes)
}

func (s *Site) renewCodes(c *gin.Context) (page, error) {
	codes, err := s.d.Identity.RenewRecoveryCodes(c.Request.Context(), request.Principal(c), c.PostForm("renew_code"), request.Client(c))
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showTwoStep(c, view{Errors: fe}, nil)
	}
	return s.showTwoStep(c, view{Flash: "New recovery codes are made; the old ones no longer work."}, codes)
}

func (s *Site) turnOffTwoStep(c *gin.Context) (page, error) {
	err := s.d.Identity.TurnOffTwoStep(c.Request.Context(), request.Principal(c), c.PostForm("code"), request.Client(c))
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showTwoStep(c, view{Errors: fe}, nil)
	}
	return goTo(request.SecondStepSetupPage + "?done=two-step-off"), nil
}

type adminsTwoStepData struct {
	Base       string
	On         bool
	TenantWide bool
	People     []identity.TwoStepPerson
}

func (s *Site) adminsTwoStepPage(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	on, err := s.d.Identity.AdminsTwoStep(c.Request.Context(), sc)
	if err != nil {
		return page{}, err
	}
	people, err := s.d.Identity.PeopleWithTwoStep(c.Request.Context(), sc)
	if err != nil {
		return page{}, err
	}
	return show("admin_two_step", view{Title: "Two-step sign-in",
		Data: adminsTwoStepData{Base: base(c), On: on, TenantWide: sc.TenantWide(), People: people}}), nil
}

func (s *Site) saveAdminsTwoStep(c *gin.Context) (page, error) {
	on := strings.TrimSpace(c.PostForm("required")) == "yes"
	err := s.d.Identity.SetAdminsTwoStep(c.Request.Context(), request.Scope(c), on)
	return goTo(base(c) + "/admin/two-step?done=saved"), err
}

func (s *Site) resetTwoStep(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Identity.ResetTwoStep(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/admin/two-step?done=two-step-reset"), err
}

// secondStepAddress is where a sign-in that owes a second step goes next.
func secondStepAddress(step, next string) string {
	to := request.SecondStepCodePage
	if step == identity.SecondStepSetup {
		to = request.SecondStepSetupPage
	}
	if next != "" && step == identity.SecondStepCode {
		to += "?next=" + url.QueryEscape(next)
	}
	return to
}
