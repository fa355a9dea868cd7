package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/app/apptest"
)

func TestBadInputGetsFieldErrorsNever500(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"missing fields", "POST", "/api/v1/t/tenant-a/people", map[string]any{}, 400, "username"},
		{"bad email", "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "u", "display_name": "U", "email": "not-an-email"}, 400, "email"},
		{"short password", "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "u", "display_name": "U", "password": "short"}, 400, "password"},
		{"spaces in username", "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "a b", "display_name": "U"}, 400, "username"},
		{"unknown field", "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "u", "display_name": "U", "is_admin": true}, 400, "is_admin"},
		{"wrong type", "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": 7, "display_name": "U"}, 400, "username"},
		{"not json", "POST", "/api/v1/t/tenant-a/people", "{nope", 400, "body"},
		{"empty body", "POST", "/api/v1/t/tenant-a/people", "", 400, "body"},
		{"bad status", "PATCH", "/api/v1/t/tenant-a/people/" + e.A.AdminID.String(), map[string]any{"status": "deleted"}, 400, "status"},
		{"bad role", "POST", "/api/v1/t/tenant-a/people/" + e.A.AdminID.String() + "/roles", map[string]any{"role": "god"}, 400, "role"},
		{"foreign school", "POST", "/api/v1/t/tenant-a/people/" + e.A.AdminID.String() + "/roles", map[string]any{"role": "teacher", "school_id": e.B.ID.String()}, 400, "school_id"},
		{"bad limit", "GET", "/api/v1/t/tenant-a/people?limit=0", nil, 400, "limit"},
		{"huge limit", "GET", "/api/v1/t/tenant-a/people?limit=100000", nil, 400, "limit"},
		{"bad cursor", "GET", "/api/v1/t/tenant-a/people?cursor=abc", nil, 400, "cursor"},
		{"malformed id", "GET", "/api/v1/t/tenant-a/people/not-a-uuid", nil, 404, ""},
		{"unknown id", "GET", "/api/v1/t/tenant-a/people/01a20000-0000-7000-8000-000000000000", nil, 404, ""},
		{"unknown tenant", "GET", "/api/v1/t/no-such-tenant/people", nil, 404, ""},
		{"unknown route", "GET", "/api/v1/nothing-here", nil, 404, ""},
		{"wrong method", "PUT", "/api/v1/t/tenant-a/people", map[string]any{}, 405, ""},
	}
	for _, tc := range cases {
		r := admin.Do(tc.method, tc.path, tc.body)
		require.Equal(t, tc.status, r.Status, "%s: %s", tc.name, r.Text())
		require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), tc.name)
		if tc.field != "" {
			require.Contains(t, r.Text(), fmt.Sprintf(`"field":%q`, tc.field), tc.name)
		}
	}
	// Duplicates are conflicts.
	require.Equal(t, 201, admin.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "dup", "display_name": "D"}).Status)
	require.Equal(t, 409, admin.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "DUP", "display_name": "D"}).Status)
	// The same username is free in another tenant.
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	require.Equal(t, 201, adminB.Do("POST", "/api/v1/t/tenant-b/people", map[string]any{"username": "dup", "display_name": "D"}).Status)
	// The last tenant-wide admin cannot lose the role.
	r := admin.Do("GET", "/api/v1/t/tenant-a/people/"+e.A.AdminID.String()+"/roles", nil)
	roles := itemsOf[map[string]any](r)
	require.Equal(t, 409, admin.Do("DELETE", "/api/v1/t/tenant-a/people/"+e.A.AdminID.String()+"/roles/"+roles[0]["id"].(string), nil).Status)
}

func TestPeopleArePagedByCursor(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	for i := 0; i < 6; i++ {
		require.Equal(t, 201, admin.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": fmt.Sprintf("p%d", i), "display_name": "P"}).Status)
	}
	seen := map[string]bool{}
	cursor, pages := "", 0
	for {
		r := admin.Expect(200, "GET", "/api/v1/t/tenant-a/people?limit=3&cursor="+cursor, nil)
		var pg struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		r.Decode(&pg)
		pages++
		for _, it := range pg.Items {
			require.False(t, seen[it.ID], "an item came twice")
			seen[it.ID] = true
		}
		if pg.NextCursor == "" {
			break
		}
		cursor = pg.NextCursor
	}
	require.Len(t, seen, 7, "six people and the admin")
	require.Equal(t, 3, pages)
}

// A role change made through one API process reaches another process's
// authorization cache (PostgreSQL NOTIFY), as with several replicas.
func TestRoleChangesReachOtherProcesses(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	other, err := app.Build(e.App.Config, e.DB.App, e.App.Store)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go other.Authz.Listen(ctx, e.DB.App.Pool)
	srv2 := httptest.NewServer(other.Handler)
	defer srv2.Close()

	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := admin.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "deputy", "display_name": "Deputy", "password": "deputy-pass-123"})
	id := r.JSON()["id"].(string)
	deputy := e.Login(e.A.Slug, "deputy", "deputy-pass-123")
	on2 := func() int { // the deputy's request served by the second process
		c := *deputy
		return apptest.OnServer(&c, srv2.URL).Do("GET", "/api/v1/t/tenant-a/people", nil).Status
	}
	require.Equal(t, 403, on2()) // loads tenant A into process 2's cache
	r = admin.Expect(201, "POST", "/api/v1/t/tenant-a/people/"+id+"/roles", map[string]any{"role": "admin"})
	roleID := r.JSON()["id"].(string)
	require.Eventually(t, func() bool { return on2() == 200 }, 5*time.Second, 20*time.Millisecond)
	require.Equal(t, 204, admin.Do("DELETE", "/api/v1/t/tenant-a/people/"+id+"/roles/"+roleID, nil).Status)
	require.Eventually(t, func() bool { return on2() == 403 }, 5*time.Second, 20*time.Millisecond)
}

// A person's date of birth and leaving date are set, checked and cleared
// through the person's record; tenant B cannot set them on A's person.
func TestPersonDates(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "kid", "display_name": "Kid"})
	p := "/api/v1/t/tenant-a/people/" + r.JSON()["id"].(string)
	for _, bad := range []map[string]any{{"birth_date": "2999-01-01"}, {"birth_date": "01/02/2017"}, {"left_on": "2026-13-01"}, {"birth_date": 12}} {
		r = adminA.Do("PATCH", p, bad)
		require.Equal(t, 400, r.Status, "%v: %s", bad, r.Text())
	}
	r = adminA.Expect(200, "PATCH", p, map[string]any{"birth_date": "2017-05-01", "left_on": "2027-07-20"})
	require.Contains(t, r.Text(), `"birth_date":"2017-05-01`)
	require.Contains(t, r.Text(), `"left_on":"2027-07-20`)
	r = adminA.Expect(200, "PATCH", p, map[string]any{"left_on": ""})
	require.NotContains(t, r.Text(), `"left_on"`)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	r = adminB.Expect(404, "PATCH", strings.Replace(p, "tenant-a", "tenant-b", 1), map[string]any{"birth_date": "2010-01-01"})
}
