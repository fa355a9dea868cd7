package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// Usage is counted in aggregate (no person, device or address), not at
// all for a browser sending Global Privacy Control or Do Not Track, and
// seen only by the school's tenant-wide admins.
func TestUsageIsAggregateAndHonoursGPC(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "use-")
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)
	course := "/api/v1/t/tenant-a/courses/" + fx.ID.String()
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	// Counts are kept 13 months: the day's first flush removes older ones.
	_, err = conn.Exec(ctx, `INSERT INTO usage_daily (tenant_id, day, area, requests) VALUES
		($1, current_date - interval '13 months' - interval '1 day', 'GET /old', 5), ($1, current_date - interval '12 months', 'GET /recent', 5)`, e.A.ID)
	require.NoError(t, err)
	for range 3 {
		require.Equal(t, http.StatusOK, learner.Do("GET", course, nil).Status)
	}
	for _, h := range []string{"Sec-GPC", "DNT"} {
		require.Equal(t, http.StatusOK, learner.DoWith("GET", course, nil, map[string]string{h: "1"}).Status)
	}
	require.NoError(t, e.App.Kernel.FlushUsage(ctx))
	var kept []string
	rows, err := conn.Query(ctx, `SELECT area FROM usage_daily WHERE tenant_id = $1 AND area IN ('GET /old', 'GET /recent')`, e.A.ID)
	require.NoError(t, err)
	kept, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"GET /recent"}, kept, "counts older than 13 months are removed")

	var n int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT requests FROM usage_daily WHERE tenant_id = $1 AND area = 'GET /api/v1/t/:tenant/courses/:course'`, e.A.ID).Scan(&n))
	require.EqualValues(t, 3, n, "the two requests with GPC or DNT are not counted")
	var cols []string
	rows, err = conn.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_name = 'usage_daily'`)
	require.NoError(t, err)
	cols, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"tenant_id", "day", "area", "requests"}, cols, "no person, device or address")

	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := admin.Expect(http.StatusOK, "GET", "/api/v1/t/tenant-a/usage", nil)
	require.Contains(t, r.Text(), ":course")
	require.Equal(t, http.StatusForbidden, learner.Do("GET", "/api/v1/t/tenant-a/usage", nil).Status)
	r = e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword).Do("GET", "/api/v1/t/tenant-b/usage", nil)
	require.NotContains(t, r.Text(), ":course", "tenant B sees only its own")
}
