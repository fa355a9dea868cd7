package httpapi_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// trust creates a trust with two schools, a trust-wide admin (boss) and an
// admin of school B only (sb), and returns the school ids by slug.
func trust(t *testing.T, e *apptest.Env) map[string]string {
	m := apptest.Manifest("trust-t", "uk")
	m.Kind = "trust"
	m.Schools = []tenant.SchoolSpec{{Slug: "school-a", Name: "A"}, {Slug: "school-b", Name: "B"}}
	m.Admins = []tenant.AdminSpec{
		{Username: "boss", DisplayName: "Boss", InitialPassword: apptest.AdminPassword},
		{Username: "sb", DisplayName: "School B admin", School: "school-b", InitialPassword: apptest.AdminPassword},
	}
	_, err := e.App.Tenants.Apply(context.Background(), m, uuid.Nil)
	require.NoError(t, err)
	boss := e.Login("trust-t", "boss", apptest.AdminPassword)
	r := boss.Do("GET", "/api/v1/t/trust-t/schools", nil)
	schools := itemsOf[map[string]any](r)
	ids := map[string]string{}
	for _, s := range schools {
		ids[s["slug"].(string)] = s["id"].(string)
	}
	return ids
}

// A school-scoped admin manages only the people of their school and can
// never reach the trust-wide admin or grant a trust-wide role (probe finding).
func TestSchoolAdminIsLimitedToTheirSchool(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	schools := trust(t, e)
	boss := e.Login("trust-t", "boss", apptest.AdminPassword)
	sb := e.Login("trust-t", "sb", apptest.AdminPassword)
	bossID, sbID := boss.Me().ID.String(), sb.Me().ID.String()

	mk := func(c *apptest.Client, user, school string) (string, *apptest.Response) {
		r := c.Do("POST", "/api/v1/t/trust-t/people", map[string]any{"username": user, "display_name": user, "role": "teacher", "school_id": schools[school]})
		if r.Status != 201 {
			return "", r
		}
		return r.JSON()["id"].(string), r
	}
	teacherA, r := mk(boss, "teacher-a", "school-a")
	require.NotEmpty(t, teacherA, r.Text())
	teacherB, r := mk(sb, "teacher-b", "school-b")
	require.NotEmpty(t, teacherB, r.Text())
	_, r = mk(sb, "sneaky", "school-a")
	require.Equal(t, 400, r.Status, r.Text())
	r = sb.Do("POST", "/api/v1/t/trust-t/people", map[string]any{"username": "noschool", "display_name": "N"})
	require.Equal(t, 400, r.Status, "a school admin must place new people in a school: %s", r.Text())

	// The whole trust's full export is not theirs to take (probe finding).
	require.Equal(t, 403, sb.Do("POST", "/api/v1/t/trust-t/full-exports", nil).Status)
	require.Equal(t, 403, sb.Do("GET", "/api/v1/t/trust-t/full-exports", nil).Status)

	// Listing shows only school B's people.
	r = sb.Expect(200, "GET", "/api/v1/t/trust-t/people", nil)
	require.Contains(t, r.Text(), teacherB)
	require.NotContains(t, r.Text(), teacherA)
	require.NotContains(t, r.Text(), bossID)

	// Nothing of the boss or of school A is reachable.
	for _, id := range []string{bossID, teacherA} {
		require.Equal(t, 404, sb.Do("GET", "/api/v1/t/trust-t/people/"+id, nil).Status)
		require.Equal(t, 404, sb.Do("PATCH", "/api/v1/t/trust-t/people/"+id, map[string]any{"status": "suspended"}).Status)
		require.Equal(t, 404, sb.Do("GET", "/api/v1/t/trust-t/people/"+id+"/credentials", nil).Status)
		require.Equal(t, 404, sb.Do("GET", "/api/v1/t/trust-t/people/"+id+"/roles", nil).Status)
	}
	// No trust-wide role, for themselves or anyone, and no role in school A.
	r = sb.Expect(400, "POST", "/api/v1/t/trust-t/people/"+sbID+"/roles", map[string]any{"role": "admin"})
	require.Contains(t, r.Text(), `"field":"school_id"`)
	require.Equal(t, 400, sb.Do("POST", "/api/v1/t/trust-t/people/"+teacherB+"/roles", map[string]any{"role": "admin", "school_id": schools["school-a"]}).Status)
	// Within school B they work normally.
	require.Equal(t, 200, sb.Do("PATCH", "/api/v1/t/trust-t/people/"+teacherB, map[string]any{"display_name": "Renamed"}).Status)
	require.Equal(t, 201, sb.Do("POST", "/api/v1/t/trust-t/people/"+teacherB+"/roles", map[string]any{"role": "learner", "school_id": schools["school-b"]}).Status)

	// A person who also teaches in school A is visible to sb but not changeable.
	require.Equal(t, 201, boss.Do("POST", "/api/v1/t/trust-t/people/"+teacherA+"/roles", map[string]any{"role": "teacher", "school_id": schools["school-b"]}).Status)
	require.Equal(t, 200, sb.Do("GET", "/api/v1/t/trust-t/people/"+teacherA, nil).Status)
	require.Equal(t, 403, sb.Do("PATCH", "/api/v1/t/trust-t/people/"+teacherA, map[string]any{"status": "suspended"}).Status)
	r = sb.Do("GET", "/api/v1/t/trust-t/people/"+teacherA+"/roles", nil)
	require.NotContains(t, r.Text(), schools["school-a"], "roles elsewhere are not shown")

	// The boss is untouched and still in charge.
	require.Equal(t, 200, boss.Do("GET", "/api/v1/t/trust-t/people/"+teacherB, nil).Status)
}

// The tenant always keeps an active tenant-wide admin: removal, suspension,
// a suspended survivor and a race all fail to get rid of the last one.
func TestLastActiveAdminCannotBeRemoved(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	a1 := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	a1ID := e.A.AdminID.String()
	r := a1.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "a2", "display_name": "A2", "password": "second-admin-pw", "role": "admin"})
	a2ID := r.JSON()["id"].(string)
	roleOf := func(id string) string {
		r := a1.Do("GET", "/api/v1/t/tenant-a/people/"+id+"/roles", nil)
		return itemsOf[map[string]any](r)[0]["id"].(string)
	}
	a2 := e.Login(e.A.Slug, "a2", "second-admin-pw")

	// (b) a suspended admin does not count: a1 suspends a2, then cannot leave.
	require.Equal(t, 200, a1.Do("PATCH", "/api/v1/t/tenant-a/people/"+a2ID, map[string]any{"status": "suspended"}).Status)
	require.Equal(t, 409, a1.Do("DELETE", "/api/v1/t/tenant-a/people/"+a1ID+"/roles/"+roleOf(a1ID), nil).Status)
	// (a) nor suspend themselves.
	require.Equal(t, 409, a1.Do("PATCH", "/api/v1/t/tenant-a/people/"+a1ID, map[string]any{"status": "suspended"}).Status)
	require.Equal(t, 200, a1.Do("PATCH", "/api/v1/t/tenant-a/people/"+a2ID, map[string]any{"status": "active"}).Status)
	a2 = e.Login(e.A.Slug, "a2", "second-admin-pw")

	// (c) two admins removing each other at once: exactly one succeeds.
	r1, r2 := roleOf(a1ID), roleOf(a2ID)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, c := range []struct {
		who  *apptest.Client
		path string
	}{{a1, "/api/v1/t/tenant-a/people/" + a2ID + "/roles/" + r2}, {a2, "/api/v1/t/tenant-a/people/" + a1ID + "/roles/" + r1}} {
		wg.Add(1)
		go func(i int, who *apptest.Client, path string) {
			defer wg.Done()
			codes[i] = who.Do("DELETE", path, nil).Status
		}(i, c.who, c.path)
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		if c == 204 {
			ok++
		} else {
			// 409 from the guard, or 403 if its sender had already lost admin.
			require.Contains(t, []int{403, 409}, c)
		}
	}
	require.Equal(t, 1, ok, "exactly one removal succeeds: %v", codes)
}
