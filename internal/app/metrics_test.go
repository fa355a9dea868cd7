package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/metrics/metricstest"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
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

// An API whose object store is not there turns unready and counts the
// failed call, which is what the operations guide's alert watches.
func TestObjectStoreErrorsCounted(t *testing.T) {
	e := apptest.New(t)
	cfg := objtest.Config()
	cfg.Endpoint = "http://127.0.0.1:1" // nothing listens there
	a, err := app.Build(e.App.Config, e.App.DB, objstore.New(cfg))
	require.NoError(t, err)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	get := func(path string) (int, string) {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, _ := get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	code, body := get("/metrics")
	require.Equal(t, http.StatusOK, code)
	metricstest.Lint(t, body)
	v, ok := metricstest.Value(metricstest.Families(t, body), "lms_objstore_requests_total",
		map[string]string{"operation": "ListBuckets", "outcome": "network_error"})
	require.True(t, ok, body)
	require.EqualValues(t, 1, v)
}
