package web

import (
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

//go:embed static
var staticFS embed.FS

// basePages are the start page, sign-in and sign-out, and the static files.
func (s *Site) basePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/", Summary: "Start: sign in, or go to one's home page",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.start)},
		{Method: "GET", Path: "/static/*file", Summary: "Style sheets and scripts",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.static)},
		{Method: "GET", Path: "/favicon.ico", Summary: "The site's icon, for browsers that ask for it here",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.favicon)},
		{Method: "GET", Path: "/signin", Summary: "Sign-in page for members of a school",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.signinForm)},
		{Method: "POST", Path: "/signin", Summary: "Sign in as a member of a school",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.signin)},
		{Method: "GET", Path: "/staff/signin", Summary: "Sign-in page for processor staff",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.staffSigninForm)},
		{Method: "POST", Path: "/staff/signin", Summary: "Sign in as processor staff",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.staffSignin)},
		{Method: "POST", Path: "/signout", Summary: "Sign out", Area: request.AreaSelf, Object: "self",
			Action: "write", SecondStep: true, Handler: s.serve(s.signout)},
		{Method: "GET", Path: "/home", Summary: "Home page", Area: request.AreaSelf, Object: "self",
			Action: "read", Handler: s.serve(s.home)},
		{Method: "GET", Path: tp, Summary: "The school's home page", Area: request.AreaTenant,
			Object: "tenant", Action: "read", Handler: s.serve(s.tenantHome)},
	}
}

func (s *Site) start(c *gin.Context) (page, error) {
	if _, err := c.Cookie(request.SessionCookie); err == nil {
		return goTo("/home"), nil
	}
	return goTo("/signin"), nil
}

// static sends an embedded file.
func (s *Site) static(c *gin.Context) (page, error) {
	name := path.Clean("static/" + strings.TrimPrefix(c.Param("file"), "/"))
	b, err := fs.ReadFile(staticFS, name)
	if err != nil || !strings.HasPrefix(name, "static/") {
		return page{}, errs.New(errs.ErrNotFound, "No such file.")
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	case ".png":
		ct = "image/png"
	}
	return send(file{contentType: ct, body: b, cache: "public, max-age=3600"}), nil
}

// favicon sends the site's icon (static/favicon.svg, which the layout
// links) to browsers that ask for /favicon.ico without reading the page.
func (s *Site) favicon(c *gin.Context) (page, error) {
	b, err := fs.ReadFile(staticFS, "static/favicon.svg")
	return send(file{contentType: "image/svg+xml", body: b, cache: "public, max-age=86400"}), err
}

// home sends members to their tenant and staff to the platform.
func (s *Site) home(c *gin.Context) (page, error) {
	p := request.Principal(c)
	if p.Kind == identity.KindStaff {
		return goTo("/platform"), nil
	}
	slug, err := s.d.Tenants.SlugOf(c.Request.Context(), p.TenantID)
	if err != nil {
		return page{}, errs.New(errs.ErrNotFound, "Your school's account is no longer available.")
	}
	return goTo("/t/" + slug), nil
}

// tenantHome sends admins to their dashboard, parents and carers to My
// children, everyone else to their courses.
func (s *Site) tenantHome(c *gin.Context) (page, error) {
	p := request.Principal(c)
	to := "/t/" + c.Param("tenant") + "/courses"
	switch {
	case s.allowed(c, p, "person", "write"):
		to = "/t/" + c.Param("tenant") + "/admin"
	case s.allowed(c, p, "course", "read"):
	case s.allowed(c, p, "children", "read"):
		to = "/t/" + c.Param("tenant") + "/my/children" // a guardian (and not staff)
	case s.allowed(c, p, "tutee", "read"):
		to = "/t/" + c.Param("tenant") + "/tutees" // a personal tutor who does not teach
	case s.allowed(c, p, "support-request", "read"):
		to = "/t/" + c.Param("tenant") + "/admin/support" // an approver only
	}
	return goTo(to), nil
}

type signinData struct {
	Staff   bool
	Next    string
	Problem string
	// The school's sign-in page (/signin?tenant=…) offers its providers.
	Slug      string
	Providers []identity.Provider
}

func (s *Site) signinForm(c *gin.Context) (page, error) {
	form := map[string]string{"tenant": c.Query("tenant")}
	d := signinData{Next: safeNext(c.Query("next"))}
	if form["tenant"] != "" {
		// From memory for half a minute: a whole school opens this page
		// at nine (identity.SignInOptions).
		_, ps, err := s.d.Identity.SignInOptions(c.Request.Context(), form["tenant"])
		switch {
		case err == nil:
			d.Slug, d.Providers = strings.ToLower(strings.TrimSpace(form["tenant"])), ps
		case !errors.Is(err, errs.ErrNotFound):
			return page{}, err
		}
	}
	return show("signin", view{Title: "Sign in", Form: form, Data: d}), nil
}

func (s *Site) staffSigninForm(c *gin.Context) (page, error) {
	return show("signin", view{Title: "Processor staff sign-in", Form: map[string]string{}, Data: signinData{Staff: true, Next: safeNext(c.Query("next"))}}), nil
}

func (s *Site) signin(c *gin.Context) (page, error) {
	in := map[string]string{"tenant": strings.TrimSpace(c.PostForm("tenant")), "username": strings.TrimSpace(c.PostForm("username"))}
	pw := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	fe := map[string]string{}
	for field, label := range map[string]string{"tenant": "Enter your school's sign-in name", "username": "Enter your username"} {
		if in[field] == "" || len(in[field]) > 254 {
			fe[field] = label
		}
	}
	if pw == "" || len(pw) > 1024 {
		fe["password"] = "Enter your password"
	}
	if len(fe) > 0 {
		return again("signin", view{Title: "Sign in", Form: in, Errors: fe, Fields: []string{"tenant", "username", "password"}, Data: signinData{Next: next}}), nil
	}
	iss, p, err := s.d.Identity.SignIn(c.Request.Context(), in["tenant"], in["username"], pw, request.Client(c))
	if status, msg, ok := signinProblem(err); ok {
		return page{status: status, name: "signin", view: view{Title: "Sign in", Form: in, Data: signinData{Next: next, Problem: msg}}}, nil
	} else if err != nil {
		return page{}, err
	}
	request.SetSessionCookie(c, iss.Secret, !s.d.Config.IsDev())
	if iss.SecondFactor != "" {
		return goTo(secondStepAddress(iss.SecondFactor, next)), nil
	}
	if next == "" {
		slug, err := s.d.Tenants.SlugOf(c.Request.Context(), p.TenantID)
		if err != nil {
			return page{}, err
		}
		next = "/t/" + slug
	}
	return goTo(next), nil
}

func (s *Site) staffSignin(c *gin.Context) (page, error) {
	in := map[string]string{"email": strings.TrimSpace(c.PostForm("email"))}
	pw := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	fe := map[string]string{}
	if in["email"] == "" || len(in["email"]) > 254 {
		fe["email"] = "Enter your work email address"
	}
	if pw == "" || len(pw) > 1024 {
		fe["password"] = "Enter your password"
	}
	d := signinData{Staff: true, Next: next}
	if len(fe) > 0 {
		return again("signin", view{Title: "Processor staff sign-in", Form: in, Errors: fe, Fields: []string{"email", "password"}, Data: d}), nil
	}
	iss, _, err := s.d.Identity.StaffLogin(c.Request.Context(), in["email"], pw, request.Client(c))
	if status, msg, ok := signinProblem(err); ok {
		d.Problem = msg
		return page{status: status, name: "signin", view: view{Title: "Processor staff sign-in", Form: in, Data: d}}, nil
	} else if err != nil {
		return page{}, err
	}
	request.SetSessionCookie(c, iss.Secret, !s.d.Config.IsDev())
	if iss.SecondFactor != "" {
		return goTo(secondStepAddress(iss.SecondFactor, next)), nil
	}
	if next == "" {
		next = "/platform"
	}
	return goTo(next), nil
}

// signinProblem turns a failed sign-in into what the person is told: never
// which of school, username or password was wrong.
func signinProblem(err error) (int, string, bool) {
	switch {
	case errors.Is(err, tenant.ErrContractEnded):
		return http.StatusForbidden, errs.Public(err), true
	case errors.Is(err, errs.ErrLocked), errors.Is(err, errs.ErrBusy):
		return http.StatusTooManyRequests, errs.Public(err), true
	case errors.Is(err, errs.ErrUnauthenticated):
		return http.StatusUnauthorized, "Those details are not right. Check them and try again. After several failed attempts the account is locked for a while.", true
	case errors.Is(err, errs.ErrForbidden):
		if msg := errs.Public(err); msg != "" {
			return http.StatusForbidden, msg, true
		}
		return http.StatusForbidden, "This account cannot sign in at the moment. Ask your administrator.", true
	}
	return 0, "", false
}

func (s *Site) signout(c *gin.Context) (page, error) {
	p := request.Principal(c)
	if err := s.d.Identity.Logout(c.Request.Context(), p); err != nil && !errors.Is(err, errs.ErrNotFound) {
		return page{}, err
	}
	request.SetSessionCookie(c, "", !s.d.Config.IsDev())
	to := "/signin?done=signed-out"
	if p.Kind == identity.KindStaff {
		to = "/staff/signin?done=signed-out"
	}
	return goTo(to), nil
}

// safeNext keeps a return address only when it is a path on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func accessMember(p identity.Principal) access.Scope { return access.Member(p.TenantID, p.ID) }
