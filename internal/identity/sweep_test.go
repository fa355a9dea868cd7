package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The worker process, wired to River, sweeps dead credentials in every
// tenant and leaves live ones alone.
func TestSweepJobRunsOnTheWorker(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	live := map[string]*apptest.Client{}
	for _, s := range []apptest.Seeded{e.A, e.B} {
		live[s.Slug] = e.Login(s.Slug, s.AdminUser, apptest.AdminPassword)
		old := e.Login(s.Slug, s.AdminUser, apptest.AdminPassword)
		require.Equal(t, 204, old.Do("POST", "/api/v1/auth/logout", nil).Status)
		// Pretend the logout happened long ago.
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(s.ID, "test"), func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE member_credentials SET revoked_at = now() - interval '40 days' WHERE revoked_at IS NOT NULL`).Error
		}))
	}
	count := func() (n int64) {
		for _, s := range []apptest.Seeded{e.A, e.B} {
			var c int64
			require.NoError(t, access.Transact(ctx, e.DB.App, access.System(s.ID, "test"), func(tx *gorm.DB) error {
				return tx.Raw(`SELECT count(*) FROM member_credentials`).Scan(&c).Error
			}))
			n += c
		}
		return n
	}
	require.EqualValues(t, 4, count())

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.App.Work(wctx, 2) }()
	ins, err := jobs.NewInserter(e.DB.App, e.App.JobSpec().Workers)
	require.NoError(t, err)
	_, err = ins.Insert(ctx, identity.SweepArgs{}, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return count() == 2 }, 20*time.Second, 100*time.Millisecond)
	for slug, c := range live {
		require.Equal(t, 200, c.Do("GET", "/api/v1/me", nil).Status, slug)
	}
	cancel()
	require.NoError(t, <-done)
}
