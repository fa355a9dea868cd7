package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Sign-in over plain HTTP: field errors, a wrong password that does not say
// which part was wrong, the session cookie as the only cookie, a strict CSP,
// forms refused without their CSRF token or from another site, sign-out.
func TestSignInAndForms(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	anon := e.Anonymous()

	r := anon.Expect(200, "GET", "/signin", nil)
	require.Contains(t, r.Header.Get("Content-Type"), "text/html")
	csp := r.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self'")
	require.NotContains(t, csp, "unsafe-inline")
	require.Empty(t, r.Cookies)

	r = anon.Expect(400, "POST", "/signin", url.Values{"tenant": {"tenant-a"}})
	require.Contains(t, r.Text(), "Enter your username")
	require.Contains(t, r.Text(), `aria-invalid="true"`)

	r = anon.Expect(401, "POST", "/signin", url.Values{"tenant": {"tenant-a"}, "username": {e.A.AdminUser}, "password": {"wrong-password"}})
	require.Contains(t, r.Text(), "Those details are not right")
	r = anon.Expect(401, "POST", "/signin", url.Values{"tenant": {"no-such-school"}, "username": {e.A.AdminUser}, "password": {"wrong-password"}})

	// Another site's form is refused before anything is checked.
	r = anon.DoWith("POST", "/signin", url.Values{"tenant": {"tenant-a"}, "username": {e.A.AdminUser}, "password": {apptest.AdminPassword}},
		map[string]string{"Origin": "https://evil.example"})
	require.Equal(t, 403, r.Status)
	require.Empty(t, r.Cookies)

	r = anon.Expect(303, "POST", "/signin", url.Values{"tenant": {"tenant-a"}, "username": {e.A.AdminUser}, "password": {apptest.AdminPassword}, "next": {"//evil.example/x"}})
	require.Equal(t, "/t/tenant-a", r.Header.Get("Location"))
	require.Len(t, r.Cookies, 1)
	require.Equal(t, "lms_session", r.Cookies[0].Name)
	require.True(t, r.Cookies[0].HttpOnly)
	session := r.Cookies[0].Value

	// Signed out: pages send you to sign in and come back.
	r = anon.Expect(303, "GET", "/t/tenant-a", nil)
	require.Equal(t, "/signin?next="+url.QueryEscape("/t/tenant-a"), r.Header.Get("Location"))
	r = anon.Expect(404, "GET", "/no/such/page", nil)
	require.Contains(t, r.Text(), "Page not found")

	// A form without the session's token is refused; with it, sign-out works.
	page := &apptest.Client{}
	*page = *e.Anonymous()
	page.Cookie = session
	r = page.DoWith("POST", "/signout", url.Values{}, map[string]string{"X-CSRF-Token": ""})
	require.Equal(t, 403, r.Status)
	require.Contains(t, r.Text(), "expired")
	r = page.DoWith("POST", "/signout", url.Values{"csrf_token": {"not-the-token"}}, map[string]string{"X-CSRF-Token": ""})
	require.Equal(t, 403, r.Status)
	r = page.Expect(303, "GET", "/home", nil)
	require.Equal(t, "/t/tenant-a", r.Header.Get("Location"))
	token := csrfOf(t, e, session)
	r = page.DoWith("POST", "/signout", url.Values{"csrf_token": {token}}, map[string]string{"X-CSRF-Token": ""})
	require.Equal(t, 303, r.Status, r.Text())
	require.Equal(t, "/signin?done=signed-out", r.Header.Get("Location"))
	r = page.Expect(303, "GET", "/home", nil)
	require.True(t, strings.HasPrefix(r.Header.Get("Location"), "/signin"))
}

// csrfOf reads the session's CSRF token the way a page does: from /me.
func csrfOf(t *testing.T, e *apptest.Env, session string) string {
	c := e.Anonymous()
	c.Cookie = session
	r := c.Expect(200, "GET", "/api/v1/me", nil)
	return r.JSON()["csrf_token"].(string)
}

// In the browser: the sign-in page passes axe-core on a desktop and a
// phone, says when details are wrong and when the account is locked.
func TestSignInInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	b := webtest.New(t, e.Server.URL)
	b.Go("/signin", "signin")
	b.Viewport(webtest.Phone)
	b.Go("/signin", "signin-phone")
	b.Viewport(webtest.Desktop)

	b.Submit("main button[type=submit]", "signin-empty")
	require.Contains(t, b.Text(".error-summary"), "Enter your school's sign-in name")
	for i := 0; i < 5; i++ {
		b.Fill("#tenant", "tenant-a")
		b.Fill("#username", e.A.AdminUser)
		b.Fill("#password", "not-the-password")
		b.Submit("main button[type=submit]", "")
	}
	require.Contains(t, b.Text(".error-summary"), "locked")
	b.Screenshot("signin-locked")

	b.StaffSignIn(e.Operator, apptest.OperatorPassword)
	require.True(t, strings.HasPrefix(b.Path(), "/platform"), b.Path())
}
