package web_test

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/request"
)

// No route can be used after a password-only sign-in in production: every
// row of the route table (pages and API, staff, tenant and one's own
// account), called with a session that passed only the password, sends a
// page to the second step and answers the API 401 — first for an operator
// who has no authenticator yet (sent to set one up), then, once they have,
// for one whose sign-in owes a code. Only the second-step routes and
// sign-out are open to such a session.
func TestNoRouteAfterPasswordOnlyInProduction(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.Env = "prod" })
	anon := e.Anonymous()

	// The API does not leave a half-signed-in session: it refuses.
	anon.Expect(403, "POST", "/api/v1/auth/staff/login", map[string]string{"email": e.Operator, "password": apptest.OperatorPassword})

	passwordOnly := func(want string) *apptest.Client {
		t.Helper()
		r := anon.Expect(303, "POST", "/staff/signin", url.Values{"email": {e.Operator}, "password": {apptest.OperatorPassword}})
		require.Equal(t, want, r.Header.Get("Location"))
		c := e.Anonymous()
		for _, ck := range r.Cookies {
			if ck.Name == request.SessionCookie {
				c.Cookie = ck.Value
			}
		}
		require.NotEmpty(t, c.Cookie)
		c.CSRF = identity.CSRFToken(c.Cookie)
		return c
	}
	walk := func(c *apptest.Client, to string) int {
		t.Helper()
		n := 0
		for _, rt := range e.App.Kernel.Routes() {
			if rt.Public {
				continue
			}
			if rt.SecondStep {
				require.True(t, rt.Area == request.AreaSelf, "%s %s: only one's own sign-in is open to a half-signed-in session", rt.Method, rt.Path)
				continue
			}
			path := fillPath(rt.Path)
			var body any
			hdr := map[string]string{}
			switch {
			case rt.Method == "GET" || rt.Method == "HEAD":
			case rt.Upload:
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				_ = mw.WriteField("csrf_token", c.CSRF)
				_ = mw.Close()
				body, hdr["Content-Type"] = &buf, mw.FormDataContentType()
			case rt.Page:
				body = url.Values{"csrf_token": {c.CSRF}}
			default:
				body = "{}"
			}
			r := c.DoWith(rt.Method, path, body, hdr)
			if rt.Page {
				require.Equal(t, 303, r.Status, "page %s %s answered a half-signed-in session: %s", rt.Method, path, r.Text())
				require.Equal(t, to, r.Header.Get("Location"), "page %s %s", rt.Method, path)
			} else {
				require.Equal(t, 401, r.Status, "API %s %s answered a half-signed-in session: %s", rt.Method, path, r.Text())
				require.Contains(t, r.Text(), "/problems/second-step", "API %s %s", rt.Method, path)
			}
			n++
		}
		return n
	}

	// No authenticator yet: taken to set one up, and nothing else opens.
	c := passwordOnly(request.SecondStepSetupPage)
	require.Greater(t, walk(c, request.SecondStepSetupPage), 300, "the walk covers the route table")
	// Setting it up is open to this session; it then signs in.
	c.Expect(303, "POST", "/account/two-step/start", url.Values{"csrf_token": {c.CSRF}})
	page := c.Expect(200, "GET", "/account/two-step", nil).Text()
	secret := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(page)
	require.Len(t, secret, 2, page)
	c.Expect(200, "GET", "/account/two-step/qr.png", nil)
	c.Expect(303, "GET", "/platform", nil)
	code, err := totp.GenerateCode(secret[1], time.Now())
	require.NoError(t, err)
	c.Expect(200, "POST", "/account/two-step/confirm", url.Values{"csrf_token": {c.CSRF}, "code": {code}})
	c.Expect(200, "GET", "/platform", nil)

	// Now a password opens a session that owes a code, and nothing else.
	c = passwordOnly(request.SecondStepCodePage)
	walk(c, request.SecondStepCodePage)
	c.Expect(200, "GET", request.SecondStepCodePage, nil)
	c.Expect(403, "POST", "/account/two-step/start", url.Values{"csrf_token": {c.CSRF}}) // no new secret without the code
	require.Equal(t, request.SecondStepCodePage, c.Do("GET", "/account/two-step", nil).Header.Get("Location"))

	// The API signs in with the code in the same request, or not at all.
	anon.Expect(401, "POST", "/api/v1/auth/staff/login", map[string]string{"email": e.Operator, "password": apptest.OperatorPassword})
	next, err := totp.GenerateCode(secret[1], time.Now().Add(30*time.Second))
	require.NoError(t, err)
	api := e.Anonymous()
	r := api.Expect(200, "POST", "/api/v1/auth/staff/login", map[string]string{"email": e.Operator, "password": apptest.OperatorPassword, "code": next})
	for _, ck := range r.Cookies {
		if ck.Name == request.SessionCookie {
			api.Cookie = ck.Value
		}
	}
	api.CSRF = identity.CSRFToken(api.Cookie)
	api.Expect(200, "GET", "/api/v1/platform/tenants", nil)

	// A school's admin where the school requires it: the same walk, with
	// the member's half-signed-in session (tenant routes included).
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	admin.Expect(303, "POST", "/t/tenant-a/admin/two-step", url.Values{"csrf_token": {admin.CSRF}, "required": {"yes"}})
	r = anon.Expect(303, "POST", "/signin", url.Values{"tenant": {e.A.Slug}, "username": {e.A.AdminUser}, "password": {apptest.AdminPassword}})
	require.Equal(t, request.SecondStepSetupPage, r.Header.Get("Location"))
	m := e.Anonymous()
	for _, ck := range r.Cookies {
		if ck.Name == request.SessionCookie {
			m.Cookie = ck.Value
		}
	}
	m.CSRF = identity.CSRFToken(m.Cookie)
	walk(m, request.SecondStepSetupPage)
	anon.Expect(403, "POST", "/api/v1/auth/login", map[string]string{"tenant": e.A.Slug, "username": e.A.AdminUser, "password": apptest.AdminPassword})
}

var pathParam = regexp.MustCompile(`[:*][a-z_]+`)

// fillPath gives a route pattern's parameters values: tenant A's sign-in
// name, an id, a file name.
func fillPath(p string) string {
	return pathParam.ReplaceAllStringFunc(p, func(s string) string {
		switch {
		case s == ":tenant":
			return "tenant-a"
		case strings.HasPrefix(s, "*"):
			return "x"
		}
		return "0190a000-0000-7000-8000-000000000001"
	})
}
