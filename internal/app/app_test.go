package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/processor/backup"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The daily backup run queues one job per tenant, each worked on its own
// (so one slow or failing tenant neither holds up nor repeats the others),
// and a second run the same day queues nothing again.
func TestDailyBackupIsOneJobPerTenant(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	w, err := jobs.NewWorker(e.App.DB, e.App.JobSpec(), 4)
	require.NoError(t, err)
	wctx, cancel := context.WithCancel(ctx)
	require.NoError(t, w.Start(wctx))
	defer func() {
		cancel()
		stop, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		_ = w.Stop(stop)
	}()
	for range 2 {
		_, err = w.Insert(ctx, backup.MakeArgs{}, nil)
		require.NoError(t, err)
	}
	var perTenant int64
	require.Eventually(t, func() bool {
		var done int64
		require.NoError(t, e.App.DB.Gorm.Raw(`SELECT count(*) FROM backups WHERE status = 'done'`).Scan(&done).Error)
		require.NoError(t, e.App.DB.Gorm.Raw(`SELECT count(*) FROM river_job WHERE kind = 'backup_make_tenant'`).Scan(&perTenant).Error)
		var open int64
		require.NoError(t, e.App.DB.Gorm.Raw(`SELECT count(*) FROM river_job WHERE kind LIKE 'backup_make%' AND state <> 'completed'`).Scan(&open).Error)
		return done >= 2 && open == 0
	}, 60*time.Second, 200*time.Millisecond, "every backup job completes (none cancelled by a timeout)")
	require.EqualValues(t, 2, perTenant, "one job per tenant (tenants A and B), not one per run")
	var tenants int64
	require.NoError(t, e.App.DB.Gorm.Raw(`SELECT count(DISTINCT tenant_id) FROM backups WHERE status = 'done'`).Scan(&tenants).Error)
	require.EqualValues(t, 2, tenants)
}
