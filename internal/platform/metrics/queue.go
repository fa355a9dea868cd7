package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// queueStates are the River job states reported: work waiting, being
// done, failed and to be tried again, and given up on (discarded jobs are
// kept a week, jobs.DiscardedRetention, so a discarded job shows for that
// long). Completed, cancelled and scheduled jobs are left out.
var queueStates = []string{"available", "running", "retryable", "discarded"}

// Queue reports the job queue (River's river_job table) by kind: how many
// jobs are in each state, and how long the oldest available job has
// waited (workers that cannot keep up, or none running). One grouped
// query a scrape, over River's state-first index.
type Queue struct {
	db             *database.DB
	jobs, oldest   *prometheus.Desc
	success        *prometheus.Desc
	countsByStates []string
}

// NewQueue returns the collector of db's job queue.
func NewQueue(db *database.DB) *Queue {
	return &Queue{db: db, countsByStates: queueStates, success: successDesc("jobs"),
		jobs: prometheus.NewDesc("lms_jobs", "Jobs in the queue by kind and state (available, running, retryable, discarded).",
			[]string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("lms_jobs_oldest_available_age_seconds",
			"How long the oldest available job of a kind has waited to be worked (0 when none waits).", []string{"kind"}, nil),
	}
}

// Describe sends the descriptors.
func (q *Queue) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.jobs
	ch <- q.oldest
	ch <- q.success
}

// Collect counts the queue now. Every state of a kind that has any job in
// these states is sent (0 included), so an alert on one state does not
// see a series vanish and come back.
func (q *Queue) Collect(ch chan<- prometheus.Metric) {
	query(ch, q.success, "jobs", func(ctx context.Context) error {
		rows, err := q.db.Pool.Query(ctx, `SELECT kind, state::text, count(*),
			COALESCE(EXTRACT(EPOCH FROM now() - min(scheduled_at) FILTER (WHERE state = 'available')), 0)::float8
			FROM river_job WHERE state = ANY($1::river_job_state[]) GROUP BY kind, state`, q.countsByStates)
		if err != nil {
			return err
		}
		defer rows.Close()
		counts, oldest := map[string]map[string]float64{}, map[string]float64{}
		for rows.Next() {
			var kind, state string
			var n int64
			var age float64
			if err := rows.Scan(&kind, &state, &n, &age); err != nil {
				return err
			}
			if counts[kind] == nil {
				counts[kind] = map[string]float64{}
			}
			counts[kind][state] = float64(n)
			oldest[kind] = max(oldest[kind], age)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for kind, byState := range counts {
			for _, st := range q.countsByStates {
				ch <- prometheus.MustNewConstMetric(q.jobs, prometheus.GaugeValue, byState[st], kind, st)
			}
			ch <- prometheus.MustNewConstMetric(q.oldest, prometheus.GaugeValue, oldest[kind], kind)
		}
		return nil
	})
}
