package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

const (
	leePassword = "lee-password-1234"
	wrong       = "not-the-password"
)

// idBundle is a fresh database with tenants A and B, each holding a
// person called "lee" (the same username in both), and the service under
// test with its own settings.
type idBundle struct {
	db     *dbtest.DB
	svc    *identity.Service
	a, b   uuid.UUID // tenants
	leeA   uuid.UUID
	leeB   uuid.UUID
	admins map[uuid.UUID]uuid.UUID // tenant -> its tenant-wide admin
}

func idSetup(t *testing.T, cfg identity.Settings) *idBundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	b := &idBundle{db: db, svc: identity.NewService(db.App, cfg), admins: map[uuid.UUID]uuid.UUID{}}
	tenants := tenant.NewService(db.App, nil, true)
	for i, slug := range []string{"tenant-a", "tenant-b"} {
		res, err := tenants.Apply(ctx, apptest.Manifest(slug, "uk"), uuid.Nil)
		require.NoError(t, err)
		var lee uuid.UUID
		require.NoError(t, access.Transact(ctx, db.App, access.System(res.TenantID, "test-setup"), func(tx *gorm.DB) error {
			p, err := identity.CreatePersonTx(tx, res.TenantID, identity.NewPerson{Username: "lee", DisplayName: "Lee " + slug, Password: leePassword})
			lee = p.ID
			if err != nil {
				return err
			}
			admin, err := identity.FindByUsernameTx(tx, "admin@"+slug+".example")
			b.admins[res.TenantID] = admin.ID
			return err
		}))
		if i == 0 {
			b.a, b.leeA = res.TenantID, lee
		} else {
			b.b, b.leeB = res.TenantID, lee
		}
	}
	return b
}

// exec runs sql in tenant's scope, as a platform job would.
func (b *idBundle) exec(t *testing.T, tenant uuid.UUID, sql string, args ...any) {
	t.Helper()
	require.NoError(t, access.Transact(context.Background(), b.db.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
		return tx.Exec(sql, args...).Error
	}))
}

// count runs a count query in tenant's scope.
func (b *idBundle) count(t *testing.T, tenant uuid.UUID, sql string, args ...any) (n int64) {
	t.Helper()
	require.NoError(t, access.Transact(context.Background(), b.db.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
		return tx.Raw(sql, args...).Scan(&n).Error
	}))
	return n
}

// Consecutive failed sign-ins lock an account for the configured time; a
// success resets the count; the lock ends on its own.
func TestLockout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const lockAfter, lockFor = 3, 10 * time.Minute

	setup := func(t *testing.T) *idBundle {
		return idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: lockAfter, LockFor: lockFor})
	}
	login := func(b *idBundle, tenant uuid.UUID, user, pw string) error {
		_, _, err := b.svc.Login(ctx, tenant, user, pw, identity.Client{})
		return err
	}
	fail := func(t *testing.T, b *idBundle, tenant uuid.UUID, user string, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			require.ErrorIs(t, login(b, tenant, user, wrong), errs.ErrUnauthenticated, "failure %d", i+1)
		}
	}

	t.Run("ConsecutiveFailuresLock", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		fail(t, b, b.a, "lee", lockAfter-1)
		err := login(b, b.a, "lee", wrong)
		var locked errs.LockedError
		require.ErrorAs(t, err, &locked)
		require.Equal(t, int(lockFor.Seconds()), locked.RetryAfterSeconds)
		// Locked, the right password is refused too, with the time left.
		err = login(b, b.a, "lee", leePassword)
		require.ErrorAs(t, err, &locked)
		require.InDelta(t, lockFor.Seconds(), locked.RetryAfterSeconds, 60)
	})

	t.Run("SuccessResetsTheCount", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		fail(t, b, b.a, "lee", lockAfter-1)
		require.NoError(t, login(b, b.a, "lee", leePassword))
		fail(t, b, b.a, "lee", lockAfter-1)
		require.NoError(t, login(b, b.a, "lee", leePassword))
	})

	t.Run("LockExpires", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		fail(t, b, b.a, "lee", lockAfter-1)
		require.ErrorIs(t, login(b, b.a, "lee", wrong), errs.ErrLocked)
		// The lock's time passes.
		b.exec(t, b.a, `UPDATE people SET locked_until = now() - interval '1 second' WHERE id = ?`, b.leeA)
		require.NoError(t, login(b, b.a, "lee", leePassword))
		// And the count starts again from nothing.
		fail(t, b, b.a, "lee", lockAfter-1)
	})

	t.Run("LockIsPerTenant", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		fail(t, b, b.a, "lee", lockAfter-1)
		require.ErrorIs(t, login(b, b.a, "lee", wrong), errs.ErrLocked)
		require.NoError(t, login(b, b.b, "lee", leePassword), "B's lee is another person")
		// The lock is signalled to A's admins only.
		const signals = `SELECT count(*) FROM security_events WHERE kind = 'failed-logins'`
		require.EqualValues(t, 1, b.count(t, b.a, signals))
		require.EqualValues(t, 0, b.count(t, b.b, signals))
		// Unknown usernames lock per tenant too.
		fail(t, b, b.a, "nobody", lockAfter-1)
		require.ErrorIs(t, login(b, b.a, "nobody", wrong), errs.ErrLocked)
		require.ErrorIs(t, login(b, b.b, "nobody", wrong), errs.ErrUnauthenticated)
	})

	// Neither the answers nor the count tell which usernames exist: an
	// unknown or suspended account is refused and locks like a real one.
	t.Run("UnknownAndSuspendedLikeReal", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		fail(t, b, b.a, "nobody", lockAfter-1)
		require.ErrorIs(t, login(b, b.a, "nobody", wrong), errs.ErrLocked)
		b.exec(t, b.a, `UPDATE people SET status = 'suspended' WHERE id = ?`, b.leeA)
		require.ErrorIs(t, login(b, b.a, "lee", leePassword), errs.ErrUnauthenticated)
	})

	t.Run("StaffLockToo", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, _, err := b.svc.EnsureStaff(ctx, "sam@processor.example", "Sam", "support", leePassword)
		require.NoError(t, err)
		staffLogin := func(pw string) error {
			_, _, err := b.svc.StaffLogin(ctx, "sam@processor.example", pw, identity.Client{})
			return err
		}
		for i := 0; i < lockAfter-1; i++ {
			require.ErrorIs(t, staffLogin(wrong), errs.ErrUnauthenticated)
		}
		require.ErrorIs(t, staffLogin(wrong), errs.ErrLocked)
		require.ErrorIs(t, staffLogin(leePassword), errs.ErrLocked)
		require.NoError(t, login(b, b.a, "lee", leePassword), "a staff lock touches no member")
	})
}
