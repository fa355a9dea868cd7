// Package metrics holds the Prometheus collectors an operator alerts on,
// beyond HTTP requests (package request counts those): the database pool,
// the job queue, the outboxes and the object store. Both processes, the
// API and the worker, register the same set (Register), so a worker's
// scrape shows the queue it works and the pool it waits on.
//
// Pool figures are read from the pool at scrape time; the queue and the
// outboxes are one cheap query each at scrape time, under a time limit, so
// the numbers are the database's, the same whichever pod is scraped (alert
// on max(), not sum()). A query that fails or times out leaves its
// families out of that scrape and sets lms_scrape_collector_success to 0,
// rather than failing the whole scrape.
package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/objstore"
)

// queryTimeout bounds each scrape-time query: Prometheus's own scrape
// timeout is 10 s by default, and the pool must not be held for long.
const queryTimeout = 3 * time.Second

// Register adds the platform's collectors to reg: db's pool, the job
// queue and the outboxes in db, and store's calls (store may be nil).
func Register(reg prometheus.Registerer, db *database.DB, store *objstore.Store) {
	reg.MustRegister(NewPool(db), NewQueue(db), NewOutboxes(db))
	if store != nil {
		reg.MustRegister(store.Metrics())
	}
}

// successDesc is lms_scrape_collector_success of one collector: its name
// is a constant label, so each collector describes its own series.
func successDesc(collector string) *prometheus.Desc {
	return prometheus.NewDesc("lms_scrape_collector_success",
		"1 when the collector's scrape-time query answered, 0 when it failed or timed out (its families are then missing).",
		nil, prometheus.Labels{"collector": collector})
}

// query runs fn under queryTimeout and reports its success as a metric;
// the reason goes to the log, as /readyz does.
func query(ch chan<- prometheus.Metric, success *prometheus.Desc, collector string, fn func(ctx context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	ok := 1.0
	if err := fn(ctx); err != nil {
		ok = 0
		slog.Warn("metrics: scrape query failed", "collector", collector, "err", err)
	}
	ch <- prometheus.MustNewConstMetric(success, prometheus.GaugeValue, ok)
}
