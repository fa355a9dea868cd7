package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/metrics/metricstest"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
)

func TestOperatorManagesTenantsWithoutSeeingPersonalData(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)

	m := apptest.Manifest("new-school", "de")
	r := op.Expect(201, "POST", "/api/v1/platform/tenants", m)
	id := r.JSON()["tenant_id"].(string)
	// Applying again changes nothing.
	r = op.Expect(200, "POST", "/api/v1/platform/tenants", m)
	require.Empty(t, r.JSON()["changes"])
	// The region is fixed at creation; regions outside UK/EEA are refused.
	m.Region = "uk"
	r = op.Expect(400, "POST", "/api/v1/platform/tenants", m)
	require.Contains(t, r.Text(), `"field":"region"`)
	for _, bad := range []string{"us", "ch", "", "UK "} {
		m2 := apptest.Manifest("other-"+strings.ToLower(strings.TrimSpace(bad))+"x", bad)
		r = op.Do("POST", "/api/v1/platform/tenants", m2)
		if bad == "UK " {
			require.Equal(t, 201, r.Status, "region is case- and space-insensitive: %s", r.Text())
			continue
		}
		require.Equal(t, 400, r.Status, "region %q: %s", bad, r.Text())
	}
	// Field errors carry paths into the manifest.
	bad := apptest.Manifest("x", "uk")
	bad.Schools[0].Slug = "Bad Slug"
	bad.Admins[0].Email = "nope"
	bad.Admins[0].InitialPassword = "short"
	r = op.Expect(400, "POST", "/api/v1/platform/tenants", bad)
	for _, f := range []string{"slug", "schools[0].slug", "admins[0].email", "admins[0].initial_password"} {
		require.Contains(t, r.Text(), `"field":"`+f+`"`)
	}

	// Listing shows contract and figures, never a person.
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, 201, adminA.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "secret-pupil", "display_name": "Zebedee Secretname", "email": "zeb@a.example"}).Status)
	r = op.Expect(200, "GET", "/api/v1/platform/tenants?limit=200", nil)
	for _, personal := range []string{"Zebedee", "secret-pupil", "zeb@a.example", e.A.AdminUser, "Admin of"} {
		require.NotContains(t, r.Text(), personal)
	}
	require.Contains(t, r.Text(), `"people":2`)
	r = op.Expect(200, "GET", "/api/v1/platform/tenants/"+e.A.ID.String(), nil)
	require.NotContains(t, r.Text(), "Zebedee")
	require.Equal(t, 404, op.Do("GET", "/api/v1/platform/tenants/01a20000-0000-7000-8000-000000000000", nil).Status)

	// Contract end date: set (ending), refuse before start, clear (active).
	r = op.Expect(200, "PATCH", "/api/v1/platform/tenants/"+id+"/contract", map[string]any{"ends_on": "2027-08-31"})
	require.Equal(t, "ending", r.JSON()["status"])
	r = op.Expect(400, "PATCH", "/api/v1/platform/tenants/"+id+"/contract", map[string]any{"ends_on": "2020-01-01"})
	r = op.Expect(400, "PATCH", "/api/v1/platform/tenants/"+id+"/contract", map[string]any{"ends_on": "31/08/2027"})
	r = op.Do("PATCH", "/api/v1/platform/tenants/"+id+"/contract", map[string]any{})
	require.Equal(t, 400, r.Status, "an empty patch changes nothing: %s", r.Text())
	require.Contains(t, r.Text(), `"field":"ends_on"`)
	r = op.Expect(200, "PATCH", "/api/v1/platform/tenants/"+id+"/contract", map[string]any{"ends_on": nil})
	require.Equal(t, "active", r.JSON()["status"])
	// Members see their contract's status.
	r = adminA.Do("GET", "/api/v1/t/tenant-a", nil)
	require.Equal(t, "active", r.JSON()["contract_status"])
}

func TestHealthReadinessMetrics(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	anon := e.Anonymous()
	require.Equal(t, 200, anon.Do("GET", "/healthz", nil).Status)
	r := anon.Expect(200, "GET", "/readyz", nil)
	require.Contains(t, r.Text(), `"object_store":"ok"`)
	anon.Do("GET", "/api/v1/me", nil)
	r = anon.Expect(200, "GET", "/metrics", nil)
	require.Contains(t, r.Text(), `lms_http_requests_total{method="GET",route="/api/v1/me",status="401"}`)
	require.NotEmpty(t, r.Header.Get("X-Request-Id"))
	require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
	// Through the ingress (a proxy), the metrics are not public.
	require.Equal(t, 404, anon.DoWith("GET", "/metrics", nil, map[string]string{"X-Forwarded-For": "203.0.113.9"}).Status)
}

// Production tells browsers to use HTTPS only (HSTS); a laptop does not,
// or a developer's browser would refuse http://localhost for two years.
func TestHSTSInProdOnly(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	cfg := e.App.Config
	cfg.Env = "prod"
	a, err := app.Build(cfg, e.App.DB, e.App.Store)
	require.NoError(t, err)
	prod := httptest.NewServer(a.Handler)
	t.Cleanup(prod.Close)
	for _, path := range []string{"/healthz", "/signin", "/api/v1/me"} {
		res, err := http.Get(prod.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, "max-age=63072000; includeSubDomains", res.Header.Get("Strict-Transport-Security"), path)
	}
	require.Empty(t, e.Anonymous().Do("GET", "/healthz", nil).Header.Get("Strict-Transport-Security"))
}

// A replica whose object store does not answer reports not ready, naming it.
func TestReadinessFailsWhenObjectStoreIsDown(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	cfg := objtest.Config()
	cfg.Endpoint = "http://127.0.0.1:1" // nothing listens there
	down, err := app.Build(e.App.Config, e.DB.App, objstore.New(cfg))
	require.NoError(t, err)
	srv := httptest.NewServer(down.Handler)
	defer srv.Close()
	c := apptest.OnServer(e.Anonymous(), srv.URL)
	r := c.Expect(503, "GET", "/readyz", nil)
	require.Contains(t, r.Text(), `"database":"ok"`)
	require.Contains(t, r.Text(), `"object_store":"down"`)
	require.NotContains(t, r.Text(), "127.0.0.1", "the reason is logged, not shown")
	require.Equal(t, "30", r.Header.Get("Retry-After"), "a probe or client knows when to ask again")
	require.Equal(t, 200, c.Do("GET", "/healthz", nil).Status)
	// The failed call is counted, which the operations guide's alert watches.
	r = c.Expect(200, "GET", "/metrics", nil)
	metricstest.Lint(t, r.Text())
	v, ok := metricstest.Value(metricstest.Families(t, r.Text()), "lms_objstore_requests_total",
		map[string]string{"operation": "ListBuckets", "outcome": "network_error"})
	require.True(t, ok, r.Text())
	require.EqualValues(t, 1, v, "one call, however many retries")
}
