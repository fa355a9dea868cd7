package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// Outboxes reports the outboxes that hand messages to the outside world
// after the transaction that wrote them: alerts to schools' webhooks
// (alert_webhook) and emails (email). Their rows are tenant data under
// row-level security, so the figures come from outbox_stats() (migration
// 00057), which counts each tenant's rows in turn and returns numbers only.
type Outboxes struct {
	db                                *database.DB
	pending, retrying, failed, oldest *prometheus.Desc
	success                           *prometheus.Desc
}

// NewOutboxes returns the collector of db's outboxes.
func NewOutboxes(db *database.DB) *Outboxes {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("lms_outbox_"+name, help, []string{"outbox"}, nil)
	}
	return &Outboxes{db: db, success: successDesc("outboxes"),
		pending:  d("pending_messages", "Messages waiting to be sent, retries included."),
		retrying: d("retrying_messages", "Pending messages whose last try failed."),
		failed:   d("failed_messages", "Messages given up on after their last try (kept for the school to see)."),
		oldest:   d("oldest_pending_age_seconds", "How long the oldest pending message has waited (0 when none waits)."),
	}
}

// Describe sends the descriptors.
func (o *Outboxes) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{o.pending, o.retrying, o.failed, o.oldest, o.success} {
		ch <- d
	}
}

// Collect reads the outboxes now.
func (o *Outboxes) Collect(ch chan<- prometheus.Metric) {
	query(ch, o.success, "outboxes", func(ctx context.Context) error {
		rows, err := o.db.Pool.Query(ctx, `SELECT outbox, pending, retrying, failed, oldest_pending FROM outbox_stats()`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ms []prometheus.Metric // sent only once every row read: all or nothing
		for rows.Next() {
			var name string
			var pending, retrying, failed int64
			var oldest *time.Time
			if err := rows.Scan(&name, &pending, &retrying, &failed, &oldest); err != nil {
				return err
			}
			age := 0.0
			if oldest != nil {
				age = max(0, time.Since(*oldest).Seconds())
			}
			g := prometheus.GaugeValue
			ms = append(ms, prometheus.MustNewConstMetric(o.pending, g, float64(pending), name),
				prometheus.MustNewConstMetric(o.retrying, g, float64(retrying), name),
				prometheus.MustNewConstMetric(o.failed, g, float64(failed), name),
				prometheus.MustNewConstMetric(o.oldest, g, age, name))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range ms {
			ch <- m
		}
		return nil
	})
}
