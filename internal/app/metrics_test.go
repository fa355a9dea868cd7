package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/metrics/metricstest"
	"github.com/schoolcloud/lms/internal/processor/alert"
)

// The API's scrape holds what an operator alerts on, beyond HTTP: the
// pool, the queue (a job enqueued shows as available), the outboxes and
// the object store, and passes `promtool check metrics`. (The worker's
// scrape is the same registry: cmd/lms's TestWorkerHealth checks it.)
func TestAPIMetrics(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	enq, err := jobs.NewEnqueuer(e.App.DB)
	require.NoError(t, err)
	require.NoError(t, enq.Enqueue(ctx, alert.DeliverArgs{}))
	require.NoError(t, e.App.Store.EnsureBucket(ctx, "uk"))

	r := e.Anonymous().Expect(200, "GET", "/metrics", nil)
	metricstest.Lint(t, r.Text())
	fams := metricstest.Families(t, r.Text())
	for _, want := range []struct {
		family string
		labels map[string]string
		value  float64
	}{
		{"lms_jobs", map[string]string{"kind": "alert_delivery", "state": "available"}, 1},
		{"lms_jobs", map[string]string{"kind": "alert_delivery", "state": "discarded"}, 0},
		{"lms_outbox_pending_messages", map[string]string{"outbox": "alert_webhook"}, 0},
		{"lms_outbox_failed_messages", map[string]string{"outbox": "email"}, 0},
		{"lms_scrape_collector_success", map[string]string{"collector": "jobs"}, 1},
		{"lms_scrape_collector_success", map[string]string{"collector": "outboxes"}, 1},
		{"lms_objstore_requests_total", map[string]string{"operation": "HeadBucket", "outcome": "ok"}, 1},
	} {
		v, ok := metricstest.Value(fams, want.family, want.labels)
		require.True(t, ok, "%s%v missing", want.family, want.labels)
		require.Equal(t, want.value, v, "%s%v", want.family, want.labels)
	}
	for _, family := range []string{"lms_db_pool_connections", "lms_db_pool_empty_acquires_total", "lms_db_pool_acquire_duration_seconds_total",
		"lms_jobs_oldest_available_age_seconds", "lms_outbox_oldest_pending_age_seconds", "lms_objstore_request_duration_seconds", "go_goroutines"} {
		require.Contains(t, fams, family)
	}
	maxConns, _ := metricstest.Value(fams, "lms_db_pool_max_connections", nil)
	require.Positive(t, maxConns)
}
