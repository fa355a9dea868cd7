package httpapi_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
)

// registerIntegration has the admin register an integration through the
// API and returns its client id and secret.
func registerIntegration(t *testing.T, admin *apptest.Client, tenant, name string, scopes ...string) (id, clientID, secret string) {
	r := admin.Expect(201, "POST", "/api/v1/t/"+tenant+"/integrations", map[string]any{"name": name, "scopes": scopes})
	m := r.JSON()
	require.Equal(t, "/api/v1/oauth2/token", m["token_url"])
	return m["id"].(string), m["client_id"].(string), m["client_secret"].(string)
}

// pagedSchool is the id of the tenant's first school (the list pages).
func pagedSchool(t *testing.T, c *apptest.Client, slug string) string {
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	c.Expect(200, "GET", "/api/v1/t/"+slug+"/schools", nil).Decode(&page)
	require.NotEmpty(t, page.Items)
	return page.Items[0].ID
}

// twoAdmins is a platform with tenant A's and tenant B's admins signed in.
func twoAdmins(t *testing.T) (*apptest.Env, *apptest.Client, *apptest.Client) {
	e := apptest.New(t)
	return e, e.Login("tenant-a", e.A.AdminUser, apptest.AdminPassword), e.Login("tenant-b", e.B.AdminUser, apptest.AdminPassword)
}

// basicAuth is an HTTP Basic credential.
func basicAuth(user, pw string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))
}

// integrationToken asks the token endpoint for an access token with
// client_secret_basic (basic true) or client_secret_post.
func integrationToken(t *testing.T, e *apptest.Env, clientID, secret string, basic bool) (int, map[string]any) {
	form := url.Values{"grant_type": {"client_credentials"}}
	hdr := map[string]string{}
	if basic {
		hdr["Authorization"] = "Basic " + basicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	} else {
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
	}
	r := e.Anonymous().DoWith("POST", "/api/v1/oauth2/token", form, hdr)
	return r.Status, r.JSON()
}

// An integration of tenant A with courses:read gets a token (both client
// authentication methods), lists A's courses, is refused a route outside
// its scopes (403, as a member without the role) and another tenant's
// routes (404); every call is in A's audit trail under its name and none
// in B's; an expired token and, once the admin revokes it, every token
// it holds are refused at the next call (401), and it gets no new one.
func TestIntegrationClientCredentials(t *testing.T) {
	t.Parallel()
	e, adminA, adminB := twoAdmins(t)
	ctx := context.Background()
	base := "/api/v1/t/tenant-a"
	course := adminA.Expect(201, "POST", base+"/courses", map[string]any{"school_id": pagedSchool(t, adminA, "tenant-a"), "title": "Chemistry"}).JSON()["id"].(string)
	adminB.Expect(201, "POST", "/api/v1/t/tenant-b/courses", map[string]any{"school_id": pagedSchool(t, adminB, "tenant-b"), "title": "B's secret course"})

	id, clientID, secret := registerIntegration(t, adminA, "tenant-a", "Timetable sync", "courses:read")
	_, clientB, secretB := registerIntegration(t, adminB, "tenant-b", "B's reporting", "courses:read", "people:read")

	status, tok := integrationToken(t, e, clientID, secret, true)
	require.Equal(t, 200, status, tok)
	require.Equal(t, "bearer", strings.ToLower(tok["token_type"].(string)))
	require.InDelta(t, 3600, tok["expires_in"], 5)
	require.Equal(t, "courses:read", tok["scope"])
	token := tok["access_token"].(string)
	require.True(t, strings.HasPrefix(token, "lms_at_"), token)
	status, tok = integrationToken(t, e, clientID, secret, false)
	require.Equal(t, 200, status, tok)
	status, _ = integrationToken(t, e, clientID, secret+"x", true)
	require.Equal(t, 401, status, "a wrong secret gets no token")
	status, _ = integrationToken(t, e, clientID, secretB, false)
	require.Equal(t, 401, status, "another integration's secret gets no token")

	in := e.Anonymous()
	in.Bearer = token
	r := in.Expect(200, "GET", base+"/courses", nil)
	require.Contains(t, r.Text(), course)
	require.NotContains(t, r.Text(), "B's secret course")
	in.Expect(200, "GET", base+"/courses/"+course, nil)
	require.Equal(t, 403, in.Do("GET", base+"/people", nil).Status, "people:read was not given")
	require.Equal(t, 403, in.Do("GET", base+"/integrations", nil).Status, "an integration does not manage integrations")
	require.Equal(t, 403, in.Do("POST", base+"/courses", map[string]any{"title": "x"}).Status, "courses:read does not write")
	require.Equal(t, 404, in.Do("GET", "/api/v1/t/tenant-b/courses", nil).Status, "another tenant is not found")
	require.Equal(t, 403, in.Do("GET", "/api/v1/me", nil).Status, "an integration has no account of its own")

	// Tenant B's integration reads B, never A.
	status, tok = integrationToken(t, e, clientB, secretB, true)
	require.Equal(t, 200, status, tok)
	inB := e.Anonymous()
	inB.Bearer = tok["access_token"].(string)
	require.Contains(t, inB.Expect(200, "GET", "/api/v1/t/tenant-b/courses", nil).Text(), "B's secret course")
	require.Equal(t, 404, inB.Do("GET", base+"/courses", nil).Status)
	require.Equal(t, 404, inB.Do("GET", base+"/courses/"+course, nil).Status)

	// The audit trail names the integration, in its own tenant only.
	var calls []struct{ ActorName, Action, Target string }
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT actor_name, action, target FROM audit_events WHERE actor_kind = 'integration' ORDER BY seq`).Scan(&calls).Error
	}))
	var targets []string
	for _, c := range calls {
		require.Equal(t, "Timetable sync", c.ActorName)
		targets = append(targets, c.Action+" "+c.Target)
	}
	require.Contains(t, targets, "integration.call GET "+base+"/courses")
	require.Contains(t, targets, "integration.token POST /api/v1/oauth2/token")
	require.NotContains(t, targets, "integration.call GET "+base+"/people", "a refused call reads nothing")
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.B.ID, "test"), func(tx *gorm.DB) error {
		var n int
		require.NoError(t, tx.Raw(`SELECT count(*) FROM audit_events WHERE actor_name = 'Timetable sync'`).Scan(&n).Error)
		require.Zero(t, n, "A's integration is not in B's trail")
		return nil
	}))

	// An expired token is refused.
	status, tok = integrationToken(t, e, clientID, secret, true)
	require.Equal(t, 200, status)
	old := e.Anonymous()
	old.Bearer = tok["access_token"].(string)
	old.Expect(200, "GET", base+"/courses", nil)
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE integration_tokens SET issued_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'`).Error
	}))
	require.Equal(t, 401, old.Do("GET", base+"/courses", nil).Status, "an expired token")

	// Revocation ends every token at once.
	status, tok = integrationToken(t, e, clientID, secret, true)
	require.Equal(t, 200, status)
	in.Bearer = tok["access_token"].(string)
	in.Expect(200, "GET", base+"/courses", nil)
	require.Equal(t, 404, adminB.Do("POST", "/api/v1/t/tenant-b/integrations/"+id+"/revoke", nil).Status, "B cannot revoke A's")
	rv := adminA.Expect(200, "POST", base+"/integrations/"+id+"/revoke", nil).JSON()
	require.NotNil(t, rv["revoked_at"])
	require.Equal(t, 401, in.Do("GET", base+"/courses", nil).Status, "the next call after revocation")
	status, _ = integrationToken(t, e, clientID, secret, true)
	require.Equal(t, 401, status, "a revoked integration gets no token")
	inB.Expect(200, "GET", "/api/v1/t/tenant-b/courses", nil) // B's goes on

	// The admin's list pages, newest first, revoked ones included.
	list := adminA.Expect(200, "GET", base+"/integrations?limit=1", nil).JSON()
	items := list["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, id, items[0].(map[string]any)["id"])
	require.NotContains(t, adminA.Expect(200, "GET", base+"/integrations", nil).Text(), "B's reporting")
	require.NotContains(t, adminA.Expect(200, "GET", base+"/integrations", nil).Text(), "secret")
}

// Registering checks its input field by field.
func TestIntegrationRegisterInput(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	r := admin.Expect(400, "POST", "/api/v1/t/tenant-a/integrations", map[string]any{"name": "x", "scopes": []string{"everything:write"}})
	require.Contains(t, r.Text(), "scopes")
	registerIntegration(t, admin, "tenant-a", "Nightly", "grades:read")
	r = admin.Expect(400, "POST", "/api/v1/t/tenant-a/integrations", map[string]any{"name": "nightly", "scopes": []string{"grades:read"}})
	require.Contains(t, r.Text(), "name")
}

// An integration with roster:write delivers roster files as an MIS sync
// tool's credential does (to its own tenant only); one without the scope
// is refused (403), and revoking the integration stops its deliveries.
func TestIntegrationDeliversRoster(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	id, clientID, secret := registerIntegration(t, admin, "tenant-a", "Wonde", "roster:write")
	_, readerID, readerSecret := registerIntegration(t, admin, "tenant-a", "Reports", "courses:read")
	status, tok := integrationToken(t, e, clientID, secret, true)
	require.Equal(t, 200, status, tok)
	token := tok["access_token"].(string)
	zipped := rosterZip(t, rosterFiles(t))
	r := deliverZip(e, e.A.Slug, token, zipped)
	require.Equal(t, 202, r.Status, r.Text())
	var d rostersync.Delivery
	r.Decode(&d)
	require.Equal(t, rostersync.Delivered, d.Status)
	require.Equal(t, 404, deliverZip(e, e.B.Slug, token, zipped).Status, "another tenant")
	require.Equal(t, 403, e.Anonymous().DoWith("GET", "/api/v1/t/tenant-a/courses", nil, map[string]string{"Authorization": "Bearer " + token}).Status,
		"roster:write reads nothing")

	status, tok = integrationToken(t, e, readerID, readerSecret, false)
	require.Equal(t, 200, status, tok)
	require.Equal(t, 403, deliverZip(e, e.A.Slug, tok["access_token"].(string), zipped).Status, "courses:read does not deliver")

	admin.Expect(200, "POST", "/api/v1/t/tenant-a/integrations/"+id+"/revoke", nil)
	require.Equal(t, 401, deliverZip(e, e.A.Slug, token, zipped).Status, "revoked")
}

// An integration with courses:write makes and changes courses and their
// content as the school's admins do, under the API's conventions (an
// Idempotency-Key makes one course of two POSTs, a stale If-Match is 412),
// and nothing else: not enrolments, not copies, not people, not another
// tenant's courses. Its writes are in the audit trail under its name.
func TestIntegrationWritesCourses(t *testing.T) {
	t.Parallel()
	e, adminA, adminB := twoAdmins(t)
	ctx := context.Background()
	base := "/api/v1/t/tenant-a"
	school := pagedSchool(t, adminA, "tenant-a")
	courseB := adminB.Expect(201, "POST", "/api/v1/t/tenant-b/courses", map[string]any{"school_id": pagedSchool(t, adminB, "tenant-b"), "title": "B's course"}).JSON()["id"].(string)

	_, clientID, secret := registerIntegration(t, adminA, "tenant-a", "Curriculum planner", "courses:write")
	status, tok := integrationToken(t, e, clientID, secret, true)
	require.Equal(t, 200, status, tok)
	in := e.Anonymous()
	in.Bearer = tok["access_token"].(string)

	key := map[string]string{"Idempotency-Key": "planner-course-1"}
	body := map[string]any{"school_id": school, "title": "Year 9 Physics"}
	first := in.DoWith("POST", base+"/courses", body, key)
	require.Equal(t, 201, first.Status, first.Text())
	again := in.DoWith("POST", base+"/courses", body, key)
	require.Equal(t, 201, again.Status, again.Text())
	course := first.JSON()["id"].(string)
	require.Equal(t, course, again.JSON()["id"], "the same key replays the first answer")
	require.Equal(t, base+"/courses/"+course, first.Header.Get("Location"))
	var page struct {
		Items []struct{ ID, Title string } `json:"items"`
	}
	adminA.Expect(200, "GET", base+"/courses?limit=200", nil).Decode(&page)
	n := 0
	for _, c := range page.Items {
		if c.Title == "Year 9 Physics" {
			n++
		}
	}
	require.Equal(t, 1, n, "two POSTs with one key make one course")

	read := in.Expect(200, "GET", base+"/courses/"+course, nil)
	etag := read.Header.Get("ETag")
	require.NotEmpty(t, etag)
	ok := in.DoWith("PATCH", base+"/courses/"+course, map[string]any{"title": "Year 9 Physics (set 2)"}, map[string]string{"If-Match": etag})
	require.Equal(t, 200, ok.Status, ok.Text())
	stale := in.DoWith("PATCH", base+"/courses/"+course, map[string]any{"title": "Lost update"}, map[string]string{"If-Match": etag})
	require.Equal(t, 412, stale.Status, stale.Text())
	require.Equal(t, "/problems/precondition-failed", stale.JSON()["type"])
	section := in.Expect(201, "POST", base+"/courses/"+course+"/sections", map[string]any{"title": "Forces"}).JSON()["id"].(string)
	in.Expect(201, "POST", base+"/courses/"+course+"/items", map[string]any{"section_id": section, "kind": "page", "title": "Newton's laws", "body_html": "<p>Every action…</p>"})

	require.Equal(t, 403, in.Do("POST", base+"/courses/"+course+"/enrolments", map[string]any{"person_id": e.A.AdminID, "role": "teacher"}).Status, "courses:write does not enrol")
	require.Equal(t, 403, in.Do("GET", base+"/people", nil).Status)
	require.Equal(t, 404, in.Do("PATCH", "/api/v1/t/tenant-b/courses/"+courseB, map[string]any{"title": "x"}).Status, "another tenant is not found")
	require.Equal(t, 404, in.Do("PATCH", base+"/courses/"+courseB, map[string]any{"title": "x"}).Status, "another tenant's course is not found")
	require.Contains(t, adminB.Expect(200, "GET", "/api/v1/t/tenant-b/courses/"+courseB, nil).Text(), `"title":"B's course"`)
	copied := in.Do("POST", base+"/courses/"+course+"/copy", map[string]any{"title": "Copy"})
	require.Contains(t, []int{403, 404}, copied.Status, "an integration is no course's teacher: it does not copy courses (%s)", copied.Text())

	var actions []string
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT action || ' ' || target FROM audit_events WHERE actor_kind = 'integration' AND actor_name = 'Curriculum planner' ORDER BY seq`).Scan(&actions).Error
	}))
	require.Contains(t, actions, "integration.call POST "+base+"/courses")
	require.Contains(t, actions, "integration.call PATCH "+base+"/courses/"+course)
}

// A token asked for some of an integration's scopes holds those (and
// works for them); one asked for a scope it was not given is refused
// with OAuth2's invalid_scope. (A token asked for with a scope once held
// none: the generated Go client, which asks for its scopes, caught it.)
func TestIntegrationTokenScopesAskedFor(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	_, clientID, secret := registerIntegration(t, admin, "tenant-a", "Reports", "courses:read", "people:read")
	ask := func(scope string) *apptest.Response {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
		return e.Anonymous().DoWith("POST", "/api/v1/oauth2/token", form, map[string]string{"Authorization": "Basic " + basicAuth(clientID, secret)})
	}
	r := ask("courses:read")
	require.Equal(t, 200, r.Status, r.Text())
	require.Equal(t, "courses:read", r.JSON()["scope"])
	in := e.Anonymous()
	in.Bearer = r.JSON()["access_token"].(string)
	in.Expect(200, "GET", "/api/v1/t/tenant-a/courses", nil)
	require.Equal(t, 403, in.Do("GET", "/api/v1/t/tenant-a/people", nil).Status, "people:read was not asked for")
	r = ask("courses:read grades:read")
	require.Equal(t, 400, r.Status, r.Text())
	require.Equal(t, "invalid_scope", r.JSON()["error"])
}
