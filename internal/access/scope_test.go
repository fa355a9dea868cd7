package access_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type testBundle struct {
	db       *dbtest.DB
	tenantA  uuid.UUID
	tenantB  uuid.UUID
	personsA []uuid.UUID
}

// setup seeds two tenants with people, each through its own scope.
func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	b := &testBundle{db: dbtest.New(t), tenantA: uuid.New(), tenantB: uuid.New()}
	for i, id := range []uuid.UUID{b.tenantA, b.tenantB} {
		require.NoError(t, b.db.App.Gorm.Exec(`INSERT INTO tenants (id, slug, name, kind, region) VALUES (?, ?, 'T', 'school', 'uk')`,
			id, []string{"tenant-a", "tenant-b"}[i]).Error)
		for j := 0; j < 2+i; j++ { // A has 2 people, B has 3
			pid := uuid.New()
			err := access.Transact(ctx, b.db.App, access.System(id, "test"), func(tx *gorm.DB) error {
				return tx.Exec(`INSERT INTO people (tenant_id, id, username, display_name) VALUES (?, ?, ?, 'P')`, id, pid, pid.String()).Error
			})
			require.NoError(t, err)
			if id == b.tenantA {
				b.personsA = append(b.personsA, pid)
			}
		}
	}
	return b
}

func countPeople(t *testing.T, db *database.DB, s access.Scope) int64 {
	var n int64
	require.NoError(t, access.Transact(context.Background(), db, s, func(tx *gorm.DB) error {
		// Deliberately no WHERE tenant_id: row-level security must filter.
		return tx.Raw(`SELECT count(*) FROM people`).Scan(&n).Error
	}))
	return n
}

func TestForgottenWhereSeesOnlyScopedTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.EqualValues(t, 2, countPeople(t, b.db.App, access.System(b.tenantA, "test")))
	require.EqualValues(t, 3, countPeople(t, b.db.App, access.System(b.tenantB, "test")))

	// Reading A's person by id from B's scope finds nothing.
	var n int64
	require.NoError(t, access.Transact(context.Background(), b.db.App, access.System(b.tenantB, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM people WHERE id = ?`, b.personsA[0]).Scan(&n).Error
	}))
	require.Zero(t, n)
}

func TestWriteIntoOtherTenantRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	err := access.Transact(ctx, b.db.App, access.System(b.tenantB, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO people (tenant_id, id, username, display_name) VALUES (?, ?, 'x', 'X')`, b.tenantA, uuid.New()).Error
	})
	require.ErrorContains(t, err, "row-level security")
	// Updates and deletes of A's rows from B's scope touch nothing.
	var affected int64
	require.NoError(t, access.Transact(ctx, b.db.App, access.System(b.tenantB, "test"), func(tx *gorm.DB) error {
		r := tx.Exec(`UPDATE people SET display_name = 'hacked' WHERE id = ?`, b.personsA[0])
		affected = r.RowsAffected
		return r.Error
	}))
	require.Zero(t, affected)
}

func TestNoScopeSeesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var n int64
	require.NoError(t, b.db.App.Gorm.Raw(`SELECT count(*) FROM people`).Scan(&n).Error)
	require.Zero(t, n)
	require.ErrorIs(t, access.Transact(context.Background(), b.db.App, access.Scope{}, func(*gorm.DB) error { return nil }), access.ErrNoScope)
}

// A pooled connection must not carry one request's tenant into the next.
func TestPooledConnectionForgetsTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(b.db.AppURL)
	require.NoError(t, err)
	cfg.MaxConns = 1 // every transaction below reuses the same connection
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	var pidBefore, pidAfter int
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, b.tenantA.String())
	require.NoError(t, err)
	require.NoError(t, tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pidBefore))
	var inside int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM people`).Scan(&inside))
	require.Equal(t, 2, inside)
	require.NoError(t, tx.Commit(ctx))

	var setting string
	var after int
	require.NoError(t, pool.QueryRow(ctx, `SELECT pg_backend_pid(), current_setting('app.tenant_id', true), (SELECT count(*) FROM people)`).Scan(&pidAfter, &setting, &after))
	require.Equal(t, pidBefore, pidAfter, "test must reuse the same connection")
	require.Empty(t, setting)
	require.Zero(t, after)
}

// The scope helper over gorm's shared pool gives the same guarantee under load:
// alternating scopes on a small pool never see each other's rows.
func TestAlternatingScopesOnSharedPool(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i := 0; i < 50; i++ {
		require.EqualValues(t, 2, countPeople(t, b.db.App, access.System(b.tenantA, "test")))
		require.EqualValues(t, 3, countPeople(t, b.db.App, access.System(b.tenantB, "test")))
		var n int64
		require.NoError(t, b.db.App.Gorm.Raw(`SELECT count(*) FROM people`).Scan(&n).Error)
		require.Zero(t, n)
	}
}

func TestAppRoleCannotSwitchRLSOff(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	pool := b.db.App.Pool
	var super, bypass bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass))
	require.False(t, super, "application role must not be superuser")
	require.False(t, bypass, "application role must not have BYPASSRLS")
	var owned int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM pg_class c WHERE pg_has_role(current_user, c.relowner, 'USAGE') AND c.relnamespace = 'public'::regnamespace`).Scan(&owned))
	require.Zero(t, owned, "application role must own nothing")

	for _, stmt := range []string{
		`ALTER TABLE people DISABLE ROW LEVEL SECURITY`,
		`ALTER TABLE people NO FORCE ROW LEVEL SECURITY`,
		`DROP POLICY tenant_isolation ON people`,
		`SET ROLE lms_owner`,
		`CREATE OR REPLACE FUNCTION app_tenant_id() RETURNS uuid LANGUAGE sql AS $$ SELECT NULL::uuid $$`,
	} {
		_, err := pool.Exec(ctx, stmt)
		require.Error(t, err, stmt)
	}
	// row_security=off makes PostgreSQL raise an error rather than filter.
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, `SET row_security = off`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SELECT * FROM people`)
	require.ErrorContains(t, err, "row-level security")
	_, err = conn.Exec(ctx, `RESET row_security`)
	require.NoError(t, err)
}

// The one-round-trip read is scoped like Transact and leaves nothing behind.
func TestReadIsScopedAndLeavesNoSetting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	count := func(s access.Scope) (n int) {
		require.NoError(t, access.Read(ctx, b.db.App, s, `SELECT count(*) FROM people`, nil, func(rows pgx.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					return err
				}
			}
			return rows.Err()
		}))
		return n
	}
	for i := 0; i < 20; i++ {
		require.Equal(t, 2, count(access.System(b.tenantA, "test")))
		require.Equal(t, 3, count(access.System(b.tenantB, "test")))
		var n int
		require.NoError(t, b.db.App.Pool.QueryRow(ctx, `SELECT count(*) FROM people`).Scan(&n))
		require.Zero(t, n)
	}
	require.ErrorIs(t, access.Read(ctx, b.db.App, access.Scope{}, `SELECT 1`, nil, func(pgx.Rows) error { return nil }), access.ErrNoScope)
}

func TestTransactRollsBackOnErrorAndPanic(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	sA := access.System(b.tenantA, "test")
	insert := func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO people (tenant_id, id, username, display_name) VALUES (?, ?, ?, 'X')`, b.tenantA, uuid.New(), uuid.NewString()).Error
	}
	boom := errors.New("boom")
	require.ErrorIs(t, access.Transact(ctx, b.db.App, sA, func(tx *gorm.DB) error {
		require.NoError(t, insert(tx))
		return boom
	}), boom)
	require.Panics(t, func() {
		_ = access.Transact(ctx, b.db.App, sA, func(tx *gorm.DB) error {
			require.NoError(t, insert(tx))
			panic("bad")
		})
	})
	require.EqualValues(t, 2, countPeople(t, b.db.App, sA))

	// A nested gorm transaction is a savepoint: its failure undoes only itself.
	require.NoError(t, access.Transact(ctx, b.db.App, sA, func(tx *gorm.DB) error {
		if err := insert(tx); err != nil {
			return err
		}
		require.ErrorIs(t, tx.Transaction(func(inner *gorm.DB) error {
			require.NoError(t, insert(inner))
			return boom
		}), boom)
		return nil
	}))
	require.EqualValues(t, 3, countPeople(t, b.db.App, sA))

	// No connection goes back to the pool inside a transaction or a scope.
	idle := b.db.App.Pool.AcquireAllIdle(ctx)
	require.NotEmpty(t, idle)
	for _, c := range idle {
		require.Equal(t, byte('I'), c.Conn().PgConn().TxStatus(), "idle connection must not be in a transaction")
		var setting string
		require.NoError(t, c.QueryRow(ctx, `SELECT coalesce(current_setting('app.tenant_id', true), '')`).Scan(&setting))
		require.Empty(t, setting)
		c.Release()
	}
}

// A support grant's scope reads its tenant only and can write nothing, in
// Transact and in Read alike: PostgreSQL refuses the write, whatever the
// code path that tried it.
func TestSupportScopeIsReadOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	sc := access.Support(b.tenantA, uuid.New(), uuid.New(), nil, nil)
	require.True(t, sc.Reader())
	require.Equal(t, int64(len(b.personsA)), countPeople(t, b.db.App, sc))
	err := access.Transact(ctx, b.db.App, sc, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET display_name = 'Changed'`).Error
	})
	require.ErrorContains(t, err, "read-only transaction")
	err = access.Read(ctx, b.db.App, sc, `DELETE FROM people RETURNING id`, nil, func(rows pgx.Rows) error {
		for rows.Next() {
		}
		return rows.Err()
	})
	require.ErrorContains(t, err, "read-only transaction")
	require.Equal(t, int64(len(b.personsA)), countPeople(t, b.db.App, access.System(b.tenantA, "check")))
}

// After contract-end deletion the processor's scopes (contract, grant,
// order) refuse the tenant, through Transact and Enter alike; the other
// tenant is unaffected.
func TestProcessorScopesRefuseDeletedTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.db.App.Gorm.Exec(`INSERT INTO contracts (tenant_id, reference, starts_on, status) VALUES (?, 'C-A', '2026-01-01', 'deleted')`, b.tenantA).Error)
	noop := func(*gorm.DB) error { return nil }
	staff := uuid.New()
	for _, sc := range []access.Scope{access.Contract(b.tenantA, uuid.Nil, "x"), access.Support(b.tenantA, staff, uuid.New(), nil, nil), access.Legal(b.tenantA, staff, uuid.New())} {
		require.ErrorIs(t, access.Transact(ctx, b.db.App, sc, noop), errs.ErrNotFound)
		require.ErrorIs(t, b.db.App.Transact(ctx, func(tx *gorm.DB) error { return access.Enter(tx, sc) }), errs.ErrNotFound)
	}
	require.NoError(t, access.Transact(ctx, b.db.App, access.Contract(b.tenantB, uuid.Nil, "x"), noop))
	require.NoError(t, access.Transact(ctx, b.db.App, access.System(b.tenantA, "purge"), noop), "platform jobs may still clean up")
}
