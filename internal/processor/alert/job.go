package alert

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// DeliverArgs is the periodic job that posts pending alerts to tenants'
// webhooks (the safety net behind the delivery started at once).
type DeliverArgs struct{}

// Kind names the job.
func (DeliverArgs) Kind() string { return "alert_delivery" }

// DeliverWorker works DeliverArgs; delivery claims rows, so it is safe to
// run on many workers.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Service *Service
}

// Timeout lets a round reach every school even when some answer slowly
// (each post waits at most 10 s, at most 5 posts per school a round).
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 10 * time.Minute }

// Work delivers what is due in every tenant.
func (w *DeliverWorker) Work(ctx context.Context, _ *river.Job[DeliverArgs]) error {
	return w.Service.DeliverAll(ctx)
}
