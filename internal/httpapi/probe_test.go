package httpapi_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// Regressions from the outside-in probe: hostile input is a 4xx, never a 500.
func TestHostileInputIsRefusedCleanly(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	anon := e.Anonymous()
	for _, tc := range []struct {
		name   string
		c      *apptest.Client
		method string
		path   string
		body   any
		status int
	}{
		{"NUL in sign-in", anon, "POST", "/api/v1/auth/login", `{"tenant":"tenant-a\u0000","username":"x","password":"y"}`, 400},
		{"NUL in staff sign-in", anon, "POST", "/api/v1/auth/staff/login", `{"email":"a\u0000@b.c","password":"y"}`, 400},
		{"invalid UTF-8", admin, "POST", "/api/v1/t/tenant-a/people", "{\"username\":\"a\xff\",\"display_name\":\"x\"}", 400},
		{"control character", admin, "POST", "/api/v1/t/tenant-a/people", `{"username":"a\u0007b","display_name":"x"}`, 400},
		{"bidi override in name", admin, "POST", "/api/v1/t/tenant-a/people", `{"username":"ab","display_name":"x\u202ey"}`, 400},
		{"two JSON values", admin, "POST", "/api/v1/t/tenant-a/people", `{"username":"ab","display_name":"x"} {"x":1}`, 400},
		// Not text: refused before anything reads it (a 400 names it).
		{"NUL in tenant path", admin, "GET", "/api/v1/t/%00/people", nil, 400},
		{"bad UTF-8 in tenant path", admin, "GET", "/api/v1/t/%ff/people", nil, 400},
		{"token lifetime overflow", admin, "POST", "/api/v1/me/tokens", `{"name":"t","expires_in_days":213504}`, 400},
		{"token lifetime huge", admin, "POST", "/api/v1/me/tokens", `{"name":"t","expires_in_days":9223372036854775807}`, 400},
		{"trailing slash", admin, "GET", "/api/v1/openapi.json/", nil, 404},
		{"huge body", admin, "POST", "/api/v1/t/tenant-a/people", `{"username":"` + strings.Repeat("a", 2<<20) + `"}`, 400},
	} {
		r := tc.c.Do(tc.method, tc.path, tc.body)
		require.Equal(t, tc.status, r.Status, "%s: %s", tc.name, r.Text())
		require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), tc.name)
	}
	// Unknown and foreign tenants get the same answer.
	a := admin.Do("GET", "/api/v1/t/no-such-tenant/people", nil).JSON()
	b := admin.Do("GET", "/api/v1/t/tenant-b/people", nil).JSON()
	require.Equal(t, a["detail"], b["detail"])
	// Request ids are echoed only when plain.
	r := anon.DoWith("GET", "/healthz", nil, map[string]string{"X-Request-Id": "<script>x</script>"})
	require.NotContains(t, r.Header.Get("X-Request-Id"), "<")
	r = anon.DoWith("GET", "/healthz", nil, map[string]string{"X-Request-Id": "trace-42.a_b"})
	require.Equal(t, "trace-42.a_b", r.Header.Get("X-Request-Id"))
}

// An operator cannot add or promote admins of an existing tenant through a
// manifest, nor learn who exists; concurrent creation is never a 500.
func TestManifestsCannotAddAdminsToExistingTenants(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, 201, adminA.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "teacher-x", "display_name": "T", "password": "teacher-pass-12"}).Status)

	m := apptest.Manifest("tenant-a", "uk")
	m.Admins[0].Username, m.Admins[0].Email, m.Admins[0].InitialPassword = "op-backdoor", "", "operator-chosen-pass"
	r := op.Expect(200, "POST", "/api/v1/platform/tenants", m)
	require.NotContains(t, r.Text(), "op-backdoor")
	require.Equal(t, 401, e.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"tenant": "tenant-a", "username": "op-backdoor", "password": "operator-chosen-pass"}).Status)
	m.Admins[0].Username = "teacher-x"
	require.Equal(t, 200, op.Do("POST", "/api/v1/platform/tenants", m).Status)
	teacher := e.Login("tenant-a", "teacher-x", "teacher-pass-12")
	require.Equal(t, 403, teacher.Do("GET", "/api/v1/t/tenant-a/people", nil).Status, "not promoted")

	bad := apptest.Manifest("year-zero", "uk")
	bad.Contract.StartsOn = "0000-01-01"
	r = op.Expect(400, "POST", "/api/v1/platform/tenants", bad)

	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = op.Do("POST", "/api/v1/platform/tenants", apptest.Manifest("race-tenant", "uk")).Status
		}(i)
	}
	wg.Wait()
	for _, c := range codes {
		require.Contains(t, []int{200, 201, 409}, c, "%v", codes)
	}
}
