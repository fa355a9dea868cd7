package rostersync_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func testFiles(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	for _, n := range []string{"users.csv", "roles.csv", "classes.csv", "enrollments.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "roster", "testdata", n))
		require.NoError(t, err)
		out[n] = b
	}
	return out
}

// With the platform's real workers running, a delivery is applied by the
// job it queues, within seconds and without anyone asking: the schedule
// "as soon as delivered".
func TestDeliveryIsAppliedByTheWorker(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	w, err := jobs.NewWorker(e.App.DB, e.App.JobSpec(), 2)
	require.NoError(t, err)
	wctx, cancel := context.WithCancel(ctx)
	require.NoError(t, w.Start(wctx))
	defer func() {
		cancel()
		stop, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		_ = w.Stop(stop)
	}()
	admin := access.Member(e.A.ID, e.A.AdminID)
	iss, err := e.App.RosterSync.Create(ctx, admin, "MIS")
	require.NoError(t, err)
	caller, err := e.App.RosterSync.Authenticate(ctx, iss.Secret)
	require.NoError(t, err)
	require.Equal(t, e.A.ID, caller.TenantID)
	d, err := e.App.RosterSync.Deliver(ctx, caller, testFiles(t))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ds, err := e.App.RosterSync.Deliveries(ctx, admin, 5)
		require.NoError(t, err)
		return len(ds) == 1 && ds[0].ID == d.ID && ds[0].Status == rostersync.Applied
	}, 30*time.Second, 200*time.Millisecond, "the run job applied the delivery")
}
