package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// Pool reports a process's database pool, read from pgxpool's statistics
// at scrape time. Waiting shows as lms_db_pool_empty_acquires_total (an
// acquire that found no idle connection and waited) and the time spent
// so: rate() of either above zero for long means the pool is too small
// for the load (raise LMS_DATABASE_MAX_CONNS, or the database is slow).
type Pool struct {
	pool                                      *pgxpool.Pool
	max, conns, acquires, empty, canceled     *prometheus.Desc
	acquireSeconds, emptyWaitSeconds, created *prometheus.Desc
}

// NewPool returns the collector of db's pool.
func NewPool(db *database.DB) *Pool {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("lms_db_pool_"+name, help, labels, nil)
	}
	return &Pool{pool: db.Pool,
		max:              d("max_connections", "The most connections the pool may open."),
		conns:            d("connections", "Connections now, by state: in_use (acquired), idle, or constructing.", "state"),
		acquires:         d("acquires_total", "Connections acquired from the pool."),
		empty:            d("empty_acquires_total", "Acquires that found no idle connection and had to wait for one to be opened or released."),
		canceled:         d("canceled_acquires_total", "Acquires given up because their context ended first."),
		acquireSeconds:   d("acquire_duration_seconds_total", "Time spent acquiring connections, successful acquires only."),
		emptyWaitSeconds: d("empty_acquire_wait_seconds_total", "Time spent waiting by acquires that found no idle connection."),
		created:          d("connections_opened_total", "Connections the pool opened to the database."),
	}
}

// Describe sends the descriptors.
func (p *Pool) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.max, p.conns, p.acquires, p.empty, p.canceled, p.acquireSeconds, p.emptyWaitSeconds, p.created} {
		ch <- d
	}
}

// Collect reads the pool's statistics now.
func (p *Pool) Collect(ch chan<- prometheus.Metric) {
	s := p.pool.Stat()
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	ch <- prometheus.MustNewConstMetric(p.max, gauge, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(p.conns, gauge, float64(s.AcquiredConns()), "in_use")
	ch <- prometheus.MustNewConstMetric(p.conns, gauge, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(p.conns, gauge, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(p.acquires, counter, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(p.empty, counter, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(p.canceled, counter, float64(s.CanceledAcquireCount()))
	ch <- prometheus.MustNewConstMetric(p.acquireSeconds, counter, s.AcquireDuration().Seconds())
	ch <- prometheus.MustNewConstMetric(p.emptyWaitSeconds, counter, s.EmptyAcquireWaitTime().Seconds())
	ch <- prometheus.MustNewConstMetric(p.created, counter, float64(s.NewConnsCount()))
}
