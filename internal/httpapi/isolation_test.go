package httpapi_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/request"
)

// bodies are valid inputs for the tenant routes that take one, so a refusal
// comes from isolation, not from validation. Pages' forms are url.Values.
var platformBodies = map[string]any{
	"POST /api/v1/t/:tenant/people":               map[string]any{"username": "intruder", "display_name": "Intruder"},
	"PATCH /api/v1/t/:tenant/people/:id":          map[string]any{"display_name": "Hacked"},
	"POST /api/v1/t/:tenant/people/:id/roles":     map[string]any{"role": "admin"},
	"POST /api/v1/platform/tenants":               apptest.Manifest("tenant-z", "uk"),
	"PATCH /api/v1/platform/tenants/:id/contract": map[string]any{"ends_on": "2030-01-01"},
}

// areaFixture makes one area's objects in tenant A for the isolation test
// (each area adds its own in isolation_<area>_test.go). It records in ids an
// id of A's for each route parameter it introduces (":course" → ids["course"])
// and may add valid request bodies keyed "METHOD path", so that a refusal
// comes from isolation, not validation. Lower order runs first.
type areaFixture struct {
	order int
	make  func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any)
}

var areaFixtures []areaFixture

// orderedFixtures is areaFixtures by order, as a copy: tests running in
// parallel (this one and the bad-input walker) share the list.
func orderedFixtures() []areaFixture {
	out := append([]areaFixture(nil), areaFixtures...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}

var routeParam = regexp.MustCompile(`:[a-z_]+`)

// sharedParams name platform-wide objects every tenant may refer to (the
// sub-processor register): B naming one in its own tenant is not a leak.
var sharedParams = map[string]bool{":sp": true}

// Invariant (isolation): for every tenant route, API or page, a member of tenant B gets
// 404 for tenant A's objects, whether B names its own tenant or A's in the
// URL; processor staff get 403; nobody changes anything of A's.
func TestTenantRoutesIsolateTenants(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	operator := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	support := e.StaffLogin(e.Support, apptest.SupportPassword)

	// A person in A with a role and a live session: every kind of id.
	r := adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "pupil", "display_name": "Pupil A", "password": "pupil-password-1"})
	personA := r.JSON()["id"].(string)
	r = adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people/"+personA+"/roles", map[string]any{"role": "learner"})
	roleA := r.JSON()["id"].(string)
	pupil := e.Login(e.A.Slug, "pupil", "pupil-password-1")
	r = adminA.Expect(200, "GET", "/api/v1/t/tenant-a/people/"+personA+"/credentials", nil)
	creds := itemsOf[map[string]any](r)
	require.Len(t, creds, 1)
	credA := creds[0]["id"].(string)

	ids := map[string]string{"id": personA, "role": roleA, "cred": credA, "session": credA}
	bodies := map[string]any{}
	for k, v := range platformBodies {
		bodies[k] = v
	}
	for _, f := range orderedFixtures() {
		f.make(t, e, adminA, ids, bodies)
	}
	fill := func(path, slug string) string {
		return routeParam.ReplaceAllStringFunc(path, func(p string) string {
			if p == ":tenant" {
				return slug
			}
			id, ok := ids[p[1:]]
			require.True(t, ok, "no fixture id for %s in %s: add one in an isolation_<area>_test.go fixture", p, path)
			return id
		})
	}
	tested := 0
	for _, rt := range e.App.Kernel.Routes() {
		if rt.Area != request.AreaTenant {
			continue
		}
		tested++
		name := rt.Method + " " + rt.Path
		body := bodies[name]
		takesID := false
		for _, p := range routeParam.FindAllString(rt.Path, -1) {
			takesID = takesID || p != ":tenant" && !sharedParams[p]
		}
		if takesID {
			got := adminB.Do(rt.Method, fill(rt.Path, e.B.Slug), body)
			require.Equal(t, 404, got.Status, "%s as B naming B: %s", name, got.Text())
			got = adminB.Do(rt.Method, fill(rt.Path, e.B.ID.String()), body)
			require.Equal(t, 404, got.Status, "%s as B naming B by id: %s", name, got.Text())
		}
		for _, slug := range []string{e.A.Slug, e.A.ID.String()} {
			got := adminB.Do(rt.Method, fill(rt.Path, slug), body)
			require.Equal(t, 404, got.Status, "%s as B naming A: %s", name, got.Text())
			if rt.Page {
				require.Contains(t, got.Header.Get("Content-Type"), "text/html", name)
			} else {
				require.Equal(t, "application/problem+json", got.Header.Get("Content-Type"))
			}
		}
		for _, staff := range []*apptest.Client{operator, support} {
			got := staff.Do(rt.Method, fill(rt.Path, e.A.Slug), body)
			require.Equal(t, 403, got.Status, "%s as processor staff: %s", name, got.Text())
		}
		got := e.Anonymous().Do(rt.Method, fill(rt.Path, e.A.Slug), body)
		if rt.Page {
			// Pages send the signed-out to the sign-in page.
			require.Equal(t, 303, got.Status, "%s anonymous: %s", name, got.Text())
			require.Contains(t, got.Header.Get("Location"), "/signin", name)
		} else {
			require.Equal(t, 401, got.Status, "%s anonymous: %s", name, got.Text())
		}
	}
	require.GreaterOrEqual(t, tested, 10)

	// Nothing of A's changed, and A's pupil is still signed in.
	r = adminA.Expect(200, "GET", "/api/v1/t/tenant-a/people/"+personA, nil)
	require.Equal(t, "Pupil A", r.JSON()["display_name"])
	r = adminA.Do("GET", "/api/v1/t/tenant-a/people/"+personA+"/roles", nil)
	roles := itemsOf[map[string]any](r)
	require.Len(t, roles, 1)
	require.Equal(t, 200, pupil.Do("GET", "/api/v1/me", nil).Status)
	// B's listing never shows A's people.
	r = adminB.Expect(200, "GET", "/api/v1/t/tenant-b/people", nil)
	require.NotContains(t, r.Text(), personA)
	require.NotContains(t, r.Text(), "pupil")
}

// A learner holds no admin permissions in their own tenant; members cannot
// reach platform routes; support staff cannot change tenants.
func TestRolesLimitWhatMembersAndStaffDo(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "kid", "display_name": "Kid", "password": "kid-password-12"})
	kidID := r.JSON()["id"].(string)
	require.Equal(t, 201, adminA.Do("POST", "/api/v1/t/tenant-a/people/"+kidID+"/roles", map[string]any{"role": "learner"}).Status)
	kid := e.Login(e.A.Slug, "kid", "kid-password-12")

	require.Equal(t, 200, kid.Do("GET", "/api/v1/t/tenant-a", nil).Status)
	require.Equal(t, 200, kid.Do("GET", "/api/v1/t/tenant-a/schools", nil).Status)
	require.Equal(t, 403, kid.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	require.Equal(t, 403, kid.Do("GET", "/api/v1/t/tenant-a/people/"+kidID, nil).Status)
	require.Equal(t, 403, kid.Do("POST", "/api/v1/t/tenant-a/people/"+kidID+"/roles", map[string]any{"role": "admin"}).Status)

	for _, rt := range e.App.Kernel.Routes() {
		if rt.Area != request.AreaPlatform {
			continue
		}
		path := strings.ReplaceAll(rt.Path, ":id", e.A.ID.String())
		require.Equal(t, 403, adminA.Do(rt.Method, path, platformBodies[rt.Method+" "+rt.Path]).Status, "member on %s %s", rt.Method, rt.Path)
	}
	support := e.StaffLogin(e.Support, apptest.SupportPassword)
	require.Equal(t, 200, support.Do("GET", "/api/v1/platform/tenants", nil).Status)
	require.Equal(t, 403, support.Do("POST", "/api/v1/platform/tenants", apptest.Manifest("tenant-s", "uk")).Status)
	require.Equal(t, 403, support.Do("PATCH", "/api/v1/platform/tenants/"+e.A.ID.String()+"/contract", map[string]any{"ends_on": "2030-01-01"}).Status)
}
