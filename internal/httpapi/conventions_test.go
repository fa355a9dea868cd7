package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/request"
)

// The API's conventions on real courses, against the real database (the
// kernel's own tests, internal/request, hold each rule): two POSTs with
// one Idempotency-Key make one course, another body under it is 422, and
// B's admin's same key is B's own; a course's Location reads it back; a
// change with a stale ETag is 412, with the fresh one 200.
func TestCourseConventions(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login("tenant-b", e.B.AdminUser, apptest.AdminPassword)
	base := "/api/v1/t/tenant-a"
	body := map[string]any{"school_id": firstSchool(t, admin, "tenant-a"), "title": "Chemistry"}
	key := map[string]string{"Idempotency-Key": "c0ffee00-chemistry"}

	first := admin.DoWith("POST", base+"/courses", body, key)
	require.Equal(t, http.StatusCreated, first.Status, first.Text())
	again := admin.DoWith("POST", base+"/courses", body, key)
	require.Equal(t, http.StatusCreated, again.Status, again.Text())
	require.Equal(t, first.JSON()["id"], again.JSON()["id"])
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, 1, strings.Count(admin.Expect(200, "GET", base+"/courses?limit=200", nil).Text(), `"Chemistry"`), "one course")

	body["title"] = "Physics"
	r := admin.DoWith("POST", base+"/courses", body, key)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Text())

	bBody := map[string]any{"school_id": firstSchool(t, adminB, "tenant-b"), "title": "Chemistry"}
	rb := adminB.DoWith("POST", "/api/v1/t/tenant-b/courses", bBody, key)
	require.Equal(t, http.StatusCreated, rb.Status, rb.Text())
	require.NotEqual(t, first.JSON()["id"], rb.JSON()["id"])
	require.Equal(t, http.StatusNotFound, adminB.Do("GET", first.Header.Get("Location"), nil).Status, "A's course is not B's to read")

	loc := first.Header.Get("Location")
	require.Equal(t, base+"/courses/"+first.JSON()["id"].(string), loc)
	read := admin.Expect(200, "GET", loc, nil)
	stale := read.Header.Get("ETag")
	require.NotEmpty(t, stale)
	require.Equal(t, http.StatusNotModified, admin.DoWith("GET", loc, nil, map[string]string{"If-None-Match": stale}).Status)

	r = admin.DoWith("PATCH", loc, map[string]any{"title": "Chemistry 1"}, map[string]string{"If-Match": stale})
	require.Equal(t, http.StatusOK, r.Status, r.Text())
	r = admin.DoWith("PATCH", loc, map[string]any{"title": "Chemistry 2"}, map[string]string{"If-Match": stale})
	require.Equal(t, http.StatusPreconditionFailed, r.Status, r.Text())
	fresh := admin.Expect(200, "GET", loc, nil).Header.Get("ETag")
	require.NotEqual(t, stale, fresh)
	r = admin.DoWith("PATCH", loc, map[string]any{"title": "Chemistry 2"}, map[string]string{"If-Match": fresh})
	require.Equal(t, http.StatusOK, r.Status, r.Text())
	require.Equal(t, "Chemistry 2", r.JSON()["title"])
}

// Every route that answers 201 names what it made: the route table has a
// GET that reads it (request.Conventions finds it) and its reply has the
// id that fills that GET's path, or, for a thing no route reads alone, a
// GET of the create's own path lists it.
func TestEveryCreateHasALocation(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	table := e.App.Kernel.Routes()
	conv := request.Conventions(table)
	var missing []string
	for _, rt := range table {
		if rt.Page || rt.API == nil || rt.Status != http.StatusCreated {
			continue
		}
		c := conv[rt.Method+" "+rt.Path]
		if unreadCreates[rt.Method+" "+rt.Path] {
			require.Empty(t, c.Location, "%s %s has a reader now: take it off unreadCreates", rt.Method, rt.Path)
			continue
		}
		switch {
		case c.Location == "":
			missing = append(missing, rt.Method+" "+rt.Path+": no GET route reads what it makes")
		case c.Location != rt.Path && !request.HasJSONField(rt.Reply, "id"):
			missing = append(missing, rt.Method+" "+rt.Path+": its reply has no \"id\" for "+c.Location)
		}
	}
	require.Empty(t, missing)
}

// unreadCreates are the creates that no GET reads yet, alone or in a list
// of the create's own path, so their 201 has no Location. Each needs a GET
// route; none may join them.
var unreadCreates = map[string]bool{
	"POST /api/v1/me/tokens":                                         true, // the token is listed in GET /me/credentials
	"POST /api/v1/t/:tenant/courses/:course/sections":                true, // read in GET …/courses/:course
	"POST /api/v1/t/:tenant/files":                                   true, // read through the item that attaches it
	"POST /api/v1/t/:tenant/courses/:course/copy":                    true,
	"POST /api/v1/t/:tenant/assignments/:assignment/peer-assessment": true,
	"POST /api/v1/t/:tenant/my/disclosures":                          true,
	"POST /api/v1/t/:tenant/communications":                          true,
	"POST /api/v1/t/:tenant/posts/:post/reports":                     true,
	"POST /api/v1/platform/tenants/:id/support-requests":             true,
	"POST /api/v1/platform/tenants/:id/legal-orders":                 true,
	"POST /api/v1/t/:tenant/retention/dry-run":                       true,
	"POST /api/v1/t/:tenant/my/children/:id/requests":                true,
}

// API tokens and sign-in announce their limits (RateLimit-Policy and
// RateLimit) and are refused past them with 429 and Retry-After.
func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.TokenRatePerMinute, c.LoginRatePerMinute = 3, 5 })
	login := map[string]string{"tenant": "tenant-a", "username": e.A.AdminUser, "password": apptest.AdminPassword}
	r := e.Anonymous().Do("POST", "/api/v1/auth/login", login)
	require.Equal(t, http.StatusOK, r.Status, r.Text())
	require.Equal(t, `"sign-in";q=5;w=60`, r.Header.Get("RateLimit-Policy"))
	require.Regexp(t, `^"sign-in";r=5;t=\d+$`, r.Header.Get("RateLimit"), "a success spends none of the quota of failures")
	bad := map[string]string{"tenant": "tenant-a", "username": e.A.AdminUser, "password": "not-the-password"}
	require.Equal(t, http.StatusUnauthorized, e.Anonymous().Do("POST", "/api/v1/auth/login", bad).Status)
	r = e.Anonymous().Do("POST", "/api/v1/auth/login", login)
	require.Regexp(t, `^"sign-in";r=4;t=\d+$`, r.Header.Get("RateLimit"), "a failure spends one")

	admin := e.Login("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	tok := e.Anonymous()
	tok.Bearer = admin.Expect(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "limits"}).JSON()["secret"].(string)
	for i := 2; i >= 0; i-- {
		r := tok.Expect(200, "GET", "/api/v1/me", nil)
		require.Equal(t, `"token";q=3;w=60`, r.Header.Get("RateLimit-Policy"))
		require.Regexp(t, `^"token";r=`+strconv.Itoa(i)+`;t=\d+$`, r.Header.Get("RateLimit"))
	}
	r = tok.Expect(http.StatusTooManyRequests, "GET", "/api/v1/me", nil)
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	require.Equal(t, "/problems/rate-limited", r.JSON()["type"])
	require.Empty(t, admin.Expect(200, "GET", "/api/v1/me", nil).Header.Get("RateLimit"), "sessions are not limited")
}
