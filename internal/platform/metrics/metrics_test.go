package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/metrics"
	"github.com/schoolcloud/lms/internal/platform/metrics/metricstest"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type testBundle struct {
	db    *dbtest.DB
	store *objstore.Store
	reg   *prometheus.Registry
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	b := &testBundle{db: dbtest.New(t), store: objtest.New(t), reg: prometheus.NewRegistry()}
	metrics.Register(b.reg, b.db.App, b.store)
	return b
}

// scrape is the registry's answer in the text format Prometheus reads,
// linted as `promtool check metrics` does.
func (b *testBundle) scrape(t *testing.T) string {
	t.Helper()
	s := text(t, b.reg)
	metricstest.Lint(t, s)
	return s
}

// text is what reg answers a scrape, in the text format.
func text(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	var sb strings.Builder
	for _, f := range fams {
		_, err := expfmt.MetricFamilyToText(&sb, f)
		require.NoError(t, err)
	}
	return sb.String()
}

func (b *testBundle) value(t *testing.T, family string, labels map[string]string) float64 {
	t.Helper()
	v, ok := metricstest.Value(metricstest.Families(t, b.scrape(t)), family, labels)
	require.True(t, ok, "no %s%v in the scrape", family, labels)
	return v
}

type probeArgs struct{}

func (probeArgs) Kind() string { return "metrics_probe" }

// The pool reports its size and use; the queue counts an enqueued job as
// available, then its age and a discarded one.
func TestPoolAndQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.EqualValues(t, 10, b.value(t, "lms_db_pool_max_connections", nil), "dbtest opens 10")
	require.Positive(t, b.value(t, "lms_db_pool_acquires_total", nil))
	// Alone: the other collectors' queries hold a connection while they run.
	pool := prometheus.NewRegistry()
	pool.MustRegister(metrics.NewPool(b.db.App))
	inUse := func() float64 {
		v, ok := metricstest.Value(metricstest.Families(t, text(t, pool)), "lms_db_pool_connections", map[string]string{"state": "in_use"})
		require.True(t, ok)
		return v
	}
	require.EqualValues(t, 0, inUse())
	held, err := b.db.App.Pool.Acquire(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, inUse())
	held.Release()

	e, err := jobs.NewEnqueuer(b.db.App)
	require.NoError(t, err)
	require.NoError(t, e.Enqueue(ctx, probeArgs{}))
	probe := map[string]string{"kind": "metrics_probe"}
	with := func(state string) map[string]string {
		return map[string]string{"kind": "metrics_probe", "state": state}
	}
	require.EqualValues(t, 1, b.value(t, "lms_jobs", with("available")))
	require.EqualValues(t, 0, b.value(t, "lms_jobs", with("discarded")), "every state of a kind is sent")
	require.Less(t, b.value(t, "lms_jobs_oldest_available_age_seconds", probe), 60.0)
	require.NoError(t, b.db.App.Gorm.Exec(`UPDATE river_job SET scheduled_at = now() - interval '20 minutes' WHERE kind = 'metrics_probe'`).Error)
	require.GreaterOrEqual(t, b.value(t, "lms_jobs_oldest_available_age_seconds", probe), 1200.0)
	require.NoError(t, b.db.App.Gorm.Exec(`UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE kind = 'metrics_probe'`).Error)
	require.EqualValues(t, 1, b.value(t, "lms_jobs", with("discarded")))
	require.EqualValues(t, 0, b.value(t, "lms_jobs", with("available")))
	require.EqualValues(t, 0, b.value(t, "lms_jobs_oldest_available_age_seconds", probe))
	require.EqualValues(t, 1, b.value(t, "lms_scrape_collector_success", map[string]string{"collector": "jobs"}))
}

// The outboxes are counted across tenants although row-level security
// hides each tenant's rows from the others: two tenants' pending alerts
// are both counted, a failed one apart, and nothing else is read.
func TestOutboxesAcrossTenants(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.db.AppURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	hour := time.Now().Add(-time.Hour)
	for i, status := range []string{"pending", "pending", "failed"} {
		tenant := uuid.New()
		_, err := conn.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, region) VALUES ($1, $2, 'School', 'school', 'uk')`,
			tenant, "metrics-"+tenant.String()[:8])
		require.NoError(t, err)
		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant.String())
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `INSERT INTO alerts (tenant_id, id, kind, audience, title, created_at, webhook_status, webhook_attempts, webhook_next_at)
			VALUES ($1, $2, 'breach', 'admin', 'A breach', $3, $4, $5, now())`, tenant, uuid.New(), hour.Add(time.Duration(i)*time.Minute), status, i)
		require.NoError(t, err)
		require.NoError(t, tx.Commit(ctx))
	}
	var seen int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM alerts`).Scan(&seen))
	require.Zero(t, seen, "outside a tenant the app role sees no alert")

	alerts := map[string]string{"outbox": "alert_webhook"}
	require.EqualValues(t, 2, b.value(t, "lms_outbox_pending_messages", alerts), "one pending in each of two tenants")
	require.EqualValues(t, 1, b.value(t, "lms_outbox_retrying_messages", alerts), "the second has been tried once")
	require.EqualValues(t, 1, b.value(t, "lms_outbox_failed_messages", alerts))
	require.InDelta(t, 3600, b.value(t, "lms_outbox_oldest_pending_age_seconds", alerts), 60)
	email := map[string]string{"outbox": "email"}
	require.EqualValues(t, 0, b.value(t, "lms_outbox_pending_messages", email))
	require.EqualValues(t, 0, b.value(t, "lms_outbox_oldest_pending_age_seconds", email))
	require.EqualValues(t, 1, b.value(t, "lms_scrape_collector_success", map[string]string{"collector": "outboxes"}))
	var tenantSetting string
	require.NoError(t, conn.QueryRow(ctx, `SELECT outbox FROM outbox_stats() LIMIT 1`).Scan(&tenantSetting))
	require.NoError(t, conn.QueryRow(ctx, `SELECT current_setting('app.tenant_id', true)`).Scan(&tenantSetting))
	require.Empty(t, tenantSetting, "the function leaves no tenant set behind")
}

// A query that cannot answer leaves its families out and says so, and the
// rest of the scrape still works.
func TestFailedQueryIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner, err := pgx.Connect(context.Background(), b.db.OwnerURL)
	require.NoError(t, err)
	defer owner.Close(context.Background())
	_, err = owner.Exec(context.Background(), `REVOKE EXECUTE ON FUNCTION outbox_stats() FROM lms_app`)
	require.NoError(t, err)
	require.EqualValues(t, 0, b.value(t, "lms_scrape_collector_success", map[string]string{"collector": "outboxes"}))
	require.EqualValues(t, 1, b.value(t, "lms_scrape_collector_success", map[string]string{"collector": "jobs"}))
	_, ok := metricstest.Value(metricstest.Families(t, b.scrape(t)), "lms_outbox_pending_messages", nil)
	require.False(t, ok)
}

// Object store calls are counted by operation and outcome: a missing
// bucket answered, a call to a store that is not there failed.
func TestObjectStoreCalls(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.store.EnsureBucket(ctx, "uk"))
	require.EqualValues(t, 1, b.value(t, "lms_objstore_requests_total", map[string]string{"operation": "CreateBucket", "outcome": "ok"}))
	require.EqualValues(t, 1, b.value(t, "lms_objstore_requests_total", map[string]string{"operation": "HeadBucket", "outcome": "not_found"}))
	require.Positive(t, b.value(t, "lms_objstore_request_duration_seconds", map[string]string{"operation": "CreateBucket"}))
	require.Error(t, b.store.Put(ctx, "ie", "t/x/y", strings.NewReader("x"), "text/plain"), "no bucket in that region")
	require.EqualValues(t, 1, b.value(t, "lms_objstore_requests_total", map[string]string{"operation": "PutObject", "outcome": "client_error"}),
		"a missing bucket is a fault, not an answer")

	cfg := objtest.Config()
	cfg.Endpoint = "http://127.0.0.1:1" // nothing listens there
	down := objstore.New(cfg)
	reg := prometheus.NewRegistry()
	reg.MustRegister(down.Metrics())
	require.Error(t, down.Ready(ctx))
	scrape := text(t, reg)
	v, ok := metricstest.Value(metricstest.Families(t, scrape), "lms_objstore_requests_total",
		map[string]string{"operation": "ListBuckets", "outcome": "network_error"})
	require.True(t, ok, scrape)
	require.EqualValues(t, 1, v, "one call, however many retries")
}
