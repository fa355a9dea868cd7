package comms

import (
	"context"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// DeliverArgs is the job that sends a tenant's queued emails.
type DeliverArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "email_deliver" }

// DeliverWorker works DeliverArgs.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Service *Service
}

// Work sends the tenant's queued emails; what fails stays queued for the
// sweep (up to five attempts).
func (w *DeliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	_, err := w.Service.Deliver(ctx, j.Args.TenantID)
	return err
}

// SweepArgs is the periodic job that sends what is still queued in every
// tenant (a lost job, a mail server that was down).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "email_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work delivers for every tenant.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.Service.SweepOnce(ctx)
}
