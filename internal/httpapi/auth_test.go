package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
)

func login(c *apptest.Client, tenant, user, pw string) *apptest.Response {
	return c.Do("POST", "/api/v1/auth/login", map[string]string{"tenant": tenant, "username": user, "password": pw})
}

func TestSessionCookieIsTheOnlyCookieAndIsLockedDown(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	r := login(e.Anonymous(), e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, 200, r.Status, r.Text())
	require.Len(t, r.Cookies, 1)
	ck := r.Cookies[0]
	require.Equal(t, "lms_session", ck.Name)
	require.True(t, ck.HttpOnly)
	require.True(t, ck.Secure, "Secure outside dev")
	require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	require.Equal(t, "/", ck.Path)
	// Reads need no CSRF token; anything else sent with the cookie does.
	c := &apptest.Client{}
	*c = *e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, 200, c.DoWith("GET", "/api/v1/me", nil, map[string]string{"X-CSRF-Token": ""}).Status)
	r = c.DoWith("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "x1", "display_name": "X"}, map[string]string{"X-CSRF-Token": ""})
	require.Equal(t, 403, r.Status, r.Text())
	r = c.DoWith("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "x1", "display_name": "X"}, map[string]string{"X-CSRF-Token": "forged"})
	require.Equal(t, 403, r.Status, r.Text())
	require.Equal(t, 201, c.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "x1", "display_name": "X"}).Status)
	// A form post (not JSON) never reaches a handler.
	r = c.DoWith("POST", "/api/v1/t/tenant-a/people", "username=x2&display_name=X", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	require.Equal(t, 400, r.Status, r.Text())
}

func TestDevCookieIsNotSecure(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.Env = "dev" })
	r := login(e.Anonymous(), e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, 200, r.Status)
	require.False(t, r.Cookies[0].Secure)
}

func TestWrongPasswordsLockTheAccount(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.LoginMaxFailures = 3; c.LoginLockout = 2 * time.Second })
	anon := e.Anonymous()
	// Unknown tenant, unknown user and wrong password all look the same.
	for _, r := range []*apptest.Response{
		login(anon, "no-such-school", e.A.AdminUser, apptest.AdminPassword),
		login(anon, e.A.Slug, "nobody@x.example", apptest.AdminPassword),
		login(anon, e.A.Slug, e.A.AdminUser, "wrong-password-1"),
	} {
		require.Equal(t, 401, r.Status, r.Text())
		require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
		require.Equal(t, r.JSON()["detail"], "Sign in first, or the username or password is wrong.")
	}
	require.Equal(t, 401, login(anon, e.A.Slug, e.A.AdminUser, "wrong-password-2").Status)
	r := login(anon, e.A.Slug, e.A.AdminUser, "wrong-password-3")
	require.Equal(t, 429, r.Status, "third failure locks")
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	require.Contains(t, r.JSON()["detail"], "locked")
	// Even the right password is refused while locked…
	require.Equal(t, 429, login(anon, e.A.Slug, e.A.AdminUser, apptest.AdminPassword).Status)
	// …the other tenant's admin is unaffected…
	require.Equal(t, 200, login(anon, e.B.Slug, e.B.AdminUser, apptest.AdminPassword).Status)
	// …and the lock lifts by itself.
	time.Sleep(2100 * time.Millisecond)
	require.Equal(t, 200, login(anon, e.A.Slug, e.A.AdminUser, apptest.AdminPassword).Status)
}

func TestStaffLockout(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.LoginMaxFailures = 2 })
	anon := e.Anonymous()
	bad := map[string]string{"email": e.Operator, "password": "nope-nope-nope"}
	require.Equal(t, 401, anon.Do("POST", "/api/v1/auth/staff/login", bad).Status)
	require.Equal(t, 429, anon.Do("POST", "/api/v1/auth/staff/login", bad).Status)
	require.Equal(t, 429, anon.Do("POST", "/api/v1/auth/staff/login", map[string]string{"email": e.Operator, "password": apptest.OperatorPassword}).Status)
}

func TestTokensSessionsLogoutAndRevocation(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	other := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword) // a second device

	r := admin.Expect(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "sis-sync", "expires_in_days": 30})
	tok := r.JSON()["secret"].(string)
	tokID := r.JSON()["id"].(string)
	script := &apptest.Client{}
	*script = *e.Anonymous()
	script.Bearer = tok
	require.Equal(t, 200, script.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	// A bearer token needs no CSRF token.
	require.Equal(t, 201, script.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "by-script", "display_name": "S"}).Status)
	// The token is only usable in its own tenant.
	require.Equal(t, 404, script.Do("GET", "/api/v1/t/tenant-b/people", nil).Status)

	r = admin.Expect(200, "GET", "/api/v1/me/credentials", nil)
	creds := itemsOf[map[string]any](r)
	require.Len(t, creds, 3, "two sessions and one token")
	require.NotContains(t, r.Text(), tok, "secrets are never listed")

	require.Equal(t, 204, admin.Do("DELETE", "/api/v1/me/credentials/"+tokID, nil).Status)
	require.Equal(t, 401, script.Do("GET", "/api/v1/me", nil).Status)
	require.Equal(t, 404, admin.Do("DELETE", "/api/v1/me/credentials/"+tokID, nil).Status)

	// Validation of token requests.
	r = admin.Expect(400, "POST", "/api/v1/me/tokens", map[string]any{"name": "", "expires_in_days": 99999})
	require.Contains(t, r.Text(), `"field":"name"`)

	require.Equal(t, 204, admin.Do("POST", "/api/v1/auth/logout", nil).Status)
	require.Equal(t, 401, admin.Do("GET", "/api/v1/me", nil).Status)
	require.Equal(t, 200, other.Do("GET", "/api/v1/me", nil).Status, "logout ends only this session")

	// Garbage credentials of every shape are 401, never 500.
	for _, s := range []string{"x", "lms_m_zz_zz", "lms_p_" + tok[6:], tok + "x", "lms_m_00000000000000000000000000000000_" + tok[len(tok)-43:]} {
		c := &apptest.Client{}
		*c = *e.Anonymous()
		c.Bearer = s
		require.Equal(t, 401, c.Do("GET", "/api/v1/me", nil).Status, s)
	}
	require.Equal(t, 401, e.Anonymous().DoWith("GET", "/api/v1/me", nil, map[string]string{"Authorization": "Basic abc"}).Status)
}

func TestAdminSuspendingAPersonEndsTheirSessions(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := admin.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "teach", "display_name": "T", "password": "teacher-pass-12"})
	id := r.JSON()["id"].(string)
	teacher := e.Login(e.A.Slug, "teach", "teacher-pass-12")
	require.Equal(t, 200, teacher.Do("GET", "/api/v1/me", nil).Status)
	r = admin.Expect(200, "PATCH", "/api/v1/t/tenant-a/people/"+id, map[string]any{"status": "suspended"})
	require.Equal(t, 401, teacher.Do("GET", "/api/v1/me", nil).Status)
	require.Equal(t, 401, login(e.Anonymous(), e.A.Slug, "teach", "teacher-pass-12").Status)

	// An admin can also end one session of someone.
	r = admin.Expect(200, "PATCH", "/api/v1/t/tenant-a/people/"+id, map[string]any{"status": "active"})
	teacher = e.Login(e.A.Slug, "teach", "teacher-pass-12")
	r = admin.Do("GET", "/api/v1/t/tenant-a/people/"+id+"/credentials", nil)
	creds := itemsOf[map[string]any](r)
	require.Len(t, creds, 1)
	require.Equal(t, 204, admin.Do("DELETE", "/api/v1/t/tenant-a/people/"+id+"/credentials/"+creds[0]["id"].(string), nil).Status)
	require.Equal(t, 401, teacher.Do("GET", "/api/v1/me", nil).Status)
}

// One client address cannot spray passwords across many accounts: the
// per-address throttle of failures stops it before any single account
// locks, and a forged X-Forwarded-For does not reset it. Successful
// sign-ins never count: a school's pupils share one address.
func TestSignInAttemptsAreThrottledPerClient(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.LoginRatePerMinute = 3 })
	anon := e.Anonymous()
	for range 6 {
		require.Equal(t, 200, login(anon, e.A.Slug, e.A.AdminUser, apptest.AdminPassword).Status, "successes do not count")
	}
	for i := 0; i < 3; i++ {
		require.Equal(t, 401, login(anon, e.A.Slug, fmt.Sprintf("user%d", i), "guess-guess-guess").Status)
	}
	r := anon.DoWith("POST", "/api/v1/auth/login", map[string]string{"tenant": e.B.Slug, "username": e.B.AdminUser, "password": apptest.AdminPassword},
		map[string]string{"X-Forwarded-For": "203.0.113.9"})
	require.Equal(t, 429, r.Status, r.Text())
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	require.Equal(t, 429, anon.Do("POST", "/api/v1/auth/staff/login", map[string]string{"email": e.Operator, "password": apptest.OperatorPassword}).Status)
}

// Unknown usernames lock exactly like real ones, so the answers do not tell
// which accounts exist (probe finding).
func TestUnknownAccountsLockLikeRealOnes(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.LoginMaxFailures = 3 })
	seq := func(user string) []int {
		var out []int
		for i := 0; i < 4; i++ {
			out = append(out, login(e.Anonymous(), e.A.Slug, user, "wrong-password-x").Status)
		}
		return out
	}
	require.Equal(t, []int{401, 401, 429, 429}, seq(e.A.AdminUser))
	require.Equal(t, []int{401, 401, 429, 429}, seq("nobody-at-all"))
}
