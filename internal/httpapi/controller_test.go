package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// The controller routes answer bad input with field errors, and a
// learner cannot use the admins' routes or another person's export.
func TestControllerRoutesInput(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := admin.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "lee", "display_name": "Lee", "password": "lee-password-123"})
	lee := r.JSON()["id"].(string)
	require.Equal(t, 201, admin.Do("POST", "/api/v1/t/tenant-a/people/"+lee+"/roles", map[string]any{"role": "learner"}).Status)
	p := "/api/v1/t/tenant-a/people/" + lee
	for _, c := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"POST", p + "/guardians", map[string]any{}, "guardian_id"},
		{"PUT", "/api/v1/t/tenant-a/retention/activity", map[string]any{}, "months"},
		{"PUT", "/api/v1/t/tenant-a/retention/activity", map[string]any{"months": 99999}, "months"},
		{"POST", p + "/erasure", map[string]any{"confirm": "not-lee"}, "confirm"},
		{"POST", p + "/restriction", map[string]any{"reason": ""}, "reason"},
		{"POST", p + "/consents", map[string]any{"purpose": "optional-communications", "given": true}, "method"},
		{"POST", "/api/v1/t/tenant-a/subject-requests", map[string]any{"person_id": lee, "kind": "access", "received_on": "2999-01-01"}, "received_on"},
	} {
		r = admin.Do(c.method, c.path, c.body)
		require.Equal(t, 400, r.Status, "%s %s: %s", c.method, c.path, r.Text())
		require.Contains(t, r.Text(), `"field":"`+c.field+`"`, r.Text())
	}
	require.Equal(t, 404, admin.Do("PUT", "/api/v1/t/tenant-a/retention/nonsense", map[string]any{"months": 3}).Status)
	require.Equal(t, 404, admin.Do("GET", "/api/v1/t/tenant-a/consents/nonsense/people", nil).Status)

	r = admin.Expect(202, "POST", p+"/exports", map[string]any{})
	export := r.JSON()["id"].(string)
	learner := e.Login(e.A.Slug, "lee", "lee-password-123")
	for _, path := range []string{"/api/v1/t/tenant-a/subject-requests", p + "/exports", "/api/v1/t/tenant-a/exports/" + export, "/api/v1/t/tenant-a/statistics", "/api/v1/t/tenant-a/retention"} {
		require.Equal(t, 403, learner.Do("GET", path, nil).Status, path)
	}
	// Their own export is theirs on the my-data routes; the admin's own is not.
	r = learner.Expect(200, "GET", "/api/v1/t/tenant-a/my/exports", nil)
	require.Contains(t, r.Text(), export)
	r = admin.Do("GET", "/api/v1/t/tenant-a/my/exports/"+export+"/download", nil)
	require.Equal(t, 404, r.Status, "an admin's my-data route shows only the admin's own exports")
	r = learner.Expect(201, "POST", "/api/v1/t/tenant-a/my/requests", map[string]any{"kind": "erasure", "details": "Please delete my account"})
	require.Equal(t, "self", r.JSON()["asked_by_relation"])
	require.Equal(t, "Lee", r.JSON()["person_name"])
}
