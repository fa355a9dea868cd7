package rostersync

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// RunArgs is the job that runs one tenant's roster sync now (after a
// delivery, when the schedule is "as soon as delivered").
type RunArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Kind names the job.
func (RunArgs) Kind() string { return "roster_sync_run" }

// RunWorker works RunArgs.
type RunWorker struct {
	river.WorkerDefaults[RunArgs]
	Service *Service
}

// Work runs the tenant's sync.
func (w *RunWorker) Work(ctx context.Context, j *river.Job[RunArgs]) error {
	_, err := w.Service.Run(ctx, j.Args.TenantID)
	return err
}

// SweepArgs is the periodic job that runs every tenant's sync whose
// schedule is due (and takes over runs whose worker died).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "roster_sync_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work sweeps every tenant.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.Service.Sweep(ctx)
}

// Sweep runs the sync of every tenant whose contract has not ended and
// that has a delivery waiting, and drops the files of deliveries held or
// failed for longer than KeepFilesFor. One tenant's failure does not stop
// the others.
func (s *Service) Sweep(ctx context.Context) error {
	var tenants []uuid.UUID
	// A contract that ended leaves the school's data read-only: its
	// waiting deliveries are not applied (tenant.Contract.Ended).
	if err := s.db.Gorm.WithContext(ctx).Table("contracts").
		Where("status <> 'deleted' AND (ends_on IS NULL OR ends_on > (now() AT TIME ZONE 'UTC')::date)").
		Pluck("tenant_id", &tenants).Error; err != nil {
		return fmt.Errorf("rostersync: sweep: %w", err)
	}
	var failed []error
	for _, t := range tenants {
		if err := s.dropOldFiles(ctx, t); err != nil {
			failed = append(failed, fmt.Errorf("tenant %s: %w", t, err))
		}
		if _, err := s.Run(ctx, t); err != nil {
			failed = append(failed, fmt.Errorf("tenant %s: %w", t, err))
		}
	}
	return errors.Join(failed...)
}
