package lifecycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/processor/alert"
)

// The contract watch tells a school's admins 60 and 14 days ahead (once
// per end date and notice, however often it runs), makes the full export
// when the contract ends, once, and leaves other schools alone.
func TestContractWatchNoticesAndEndExport(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	setEnd := func(days int) {
		_, err := conn.Exec(ctx, `UPDATE contracts SET starts_on = current_date - 400, ends_on = current_date + $2::int, updated_at = now() - interval '1 day' WHERE tenant_id = $1`, e.A.ID, days)
		require.NoError(t, err)
	}
	alerts := func(tn apptest.Seeded) []alert.Alert {
		out, err := e.App.Alerts.List(ctx, access.Member(tn.ID, tn.AdminID), "admin", 50)
		require.NoError(t, err)
		var mine []alert.Alert
		for _, a := range out {
			if a.Kind == "contract-ending" {
				mine = append(mine, a)
			}
		}
		return mine
	}
	exports := func() []handback.TenantExport {
		out, err := e.App.Handback.Exports(ctx, access.Member(e.A.ID, e.A.AdminID))
		require.NoError(t, err)
		return out
	}

	setEnd(90)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.Empty(t, alerts(e.A), "90 days ahead: nothing yet")
	setEnd(45)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	got := alerts(e.A)
	require.Len(t, got, 1, "the 60-day notice, once")
	require.Contains(t, got[0].Title, "in 45 days")
	setEnd(10)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.Len(t, alerts(e.A), 2, "the 14-day notice for the new date")
	require.Empty(t, exports(), "no export before the end")
	require.Empty(t, alerts(e.B))

	setEnd(0)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	xs := exports()
	require.Len(t, xs, 1, "one contract-end export")
	require.Equal(t, handback.ReasonContractEnd, xs[0].Reason)
	require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, xs[0].ID))
	xs = exports()
	require.Equal(t, "done", string(xs[0].Status))
	require.Greater(t, xs[0].Rows, int64(0))
	require.Equal(t, time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly), xs[0].ExpiresAt.UTC().Format(time.DateOnly),
		"downloadable for the 30-day return window")
	_, err = e.App.Handback.DownloadExport(ctx, access.Member(e.A.ID, e.A.AdminID), xs[0].ID)
	require.NoError(t, err)
	_, err = e.App.Handback.DownloadExport(ctx, access.Member(e.B.ID, e.B.AdminID), xs[0].ID)
	require.Error(t, err, "not another school's")

	// Erasing someone retires the export that holds them (probe finding).
	adminA := access.Member(e.A.ID, e.A.AdminID)
	p, err := e.App.Identity.CreatePerson(ctx, adminA, identity.NewPerson{Username: "leaver", DisplayName: "Leaver"})
	require.NoError(t, err)
	_, err = e.App.Subjects.Erase(ctx, adminA, p.ID, nil)
	require.NoError(t, err)
	_, err = e.App.Handback.DownloadExport(ctx, adminA, xs[0].ID)
	require.Error(t, err, "the export made before the erasure is gone")
	var live int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM files WHERE tenant_id = $1 AND id = $2 AND status = 'ready'`, e.A.ID, xs[0].FileID).Scan(&live))
	require.Zero(t, live)
	var status string
	require.NoError(t, conn.QueryRow(ctx, `SELECT status FROM contracts WHERE tenant_id = $1`, e.A.ID).Scan(&status))
	require.Equal(t, "ended", status, "the watch marks an ended contract")

	// When the window has passed, the watch retires the zip.
	_, err = conn.Exec(ctx, `UPDATE tenant_exports SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM files WHERE tenant_id = $1 AND id = $2`, e.A.ID, xs[0].FileID).Scan(&live))
	require.Zero(t, live, "the expired zip is purged")
}
