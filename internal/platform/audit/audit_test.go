package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type testBundle struct {
	db   *dbtest.DB
	a, b uuid.UUID
}

func setup(t *testing.T) testBundle {
	t.Helper()
	tb := testBundle{db: dbtest.New(t), a: uuid.New(), b: uuid.New()}
	for i, id := range []uuid.UUID{tb.a, tb.b} {
		require.NoError(t, tb.db.App.Gorm.Exec(`INSERT INTO tenants (id, slug, name, kind, region) VALUES (?, ?, ?, 'school', 'uk')`,
			id, fmt.Sprintf("audit-%d", i), fmt.Sprintf("Audit %d", i)).Error)
	}
	return tb
}

func (tb testBundle) append(t *testing.T, tenant uuid.UUID, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		actor := uuid.New()
		require.NoError(t, access.Transact(context.Background(), tb.db.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
			_, err := audit.Append(tx, tenant, audit.Event{ActorKind: "staff", ActorID: &actor, ActorName: fmt.Sprintf("Reader %d", i),
				Basis: "support-grant", Action: "support.read", Target: "GET /people", Ticket: "T-1", ApproverName: "Ann Approver",
				Detail: map[string]string{"object": "person", "n": fmt.Sprint(i)}})
			return err
		}))
	}
}

func (tb testBundle) verify(t *testing.T, tenant uuid.UUID) []string {
	t.Helper()
	var out []string
	require.NoError(t, access.Transact(context.Background(), tb.db.App, access.System(tenant, "verify"), func(tx *gorm.DB) error {
		ps, err := audit.Verify(tx, tenant)
		for _, p := range ps {
			out = append(out, p.String())
		}
		return err
	}))
	return out
}

// superuser runs SQL as the server's administrator: what a tampering DBA
// could do, triggers switched off.
func (tb testBundle) superuser(t *testing.T, sql ...string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), tb.db.SuperURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	for _, s := range sql {
		_, err := conn.Exec(context.Background(), s)
		require.NoError(t, err, s)
	}
}

// Chains are per tenant, contiguous and verifiable; each tenant reads only
// its own.
func TestChainsVerifyPerTenant(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.append(t, tb.a, 4)
	tb.append(t, tb.b, 2)
	require.Empty(t, tb.verify(t, tb.a))
	require.Empty(t, tb.verify(t, tb.b))
	require.NoError(t, access.Transact(context.Background(), tb.db.App, access.System(tb.b, "read"), func(tx *gorm.DB) error {
		rs, err := audit.List(tx, 0, 100)
		require.Len(t, rs, 2)
		require.Equal(t, int64(2), rs[0].Seq, "newest first")
		return err
	}))
}

// The application's role can neither change nor remove a record.
func TestAppRoleCannotChangeTheLog(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.append(t, tb.a, 1)
	for _, sql := range []string{
		`UPDATE audit_events SET actor_name = 'Nobody'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
	} {
		err := access.Transact(context.Background(), tb.db.App, access.System(tb.a, "tamper"), func(tx *gorm.DB) error { return tx.Exec(sql).Error })
		require.ErrorContains(t, err, "permission denied", sql)
	}
	require.Empty(t, tb.verify(t, tb.a))
}

// An edited, a removed and a reordered record are each found, in the
// tenant whose chain was touched only.
func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		sql  []string
		want string
	}{
		"edited":       {[]string{`UPDATE audit_events SET actor_name = 'Someone else' WHERE tenant_id = '%[1]s' AND seq = 2`}, "record 2: content does not match its hash"},
		"detail":       {[]string{`UPDATE audit_events SET detail = '{"object":"course","n":"1"}' WHERE tenant_id = '%[1]s' AND seq = 2`}, "record 2: content does not match its hash"},
		"removed":      {[]string{`DELETE FROM audit_events WHERE tenant_id = '%[1]s' AND seq = 3`}, "record 4: expected record 3"},
		"removed last": {[]string{`DELETE FROM audit_events WHERE tenant_id = '%[1]s' AND seq = 5`}, "records were removed"},
		"reordered": {[]string{
			`UPDATE audit_events SET seq = 100 WHERE tenant_id = '%[1]s' AND seq = 2`,
			`UPDATE audit_events SET seq = 2 WHERE tenant_id = '%[1]s' AND seq = 3`,
			`UPDATE audit_events SET seq = 3 WHERE tenant_id = '%[1]s' AND seq = 100`}, "does not follow the record before it"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tb := setup(t)
			tb.append(t, tb.a, 5)
			tb.append(t, tb.b, 5)
			sql := []string{`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`}
			for _, s := range tc.sql {
				sql = append(sql, fmt.Sprintf(s, tb.a))
			}
			tb.superuser(t, sql...)
			problems := tb.verify(t, tb.a)
			require.NotEmpty(t, problems)
			require.Contains(t, strings.Join(problems, "\n"), tc.want)
			require.Empty(t, tb.verify(t, tb.b), "the other tenant's chain is intact")
		})
	}
}

// Concurrent appends never fork a chain: the head row serialises them.
func TestConcurrentAppendsStayInOneChain(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); tb.append(t, tb.a, 5) }()
	}
	wg.Wait()
	require.Empty(t, tb.verify(t, tb.a))
	var n int64
	require.NoError(t, access.Transact(context.Background(), tb.db.App, access.System(tb.a, "count"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT max(seq) FROM audit_events`).Scan(&n).Error
	}))
	require.Equal(t, int64(40), n)
}
