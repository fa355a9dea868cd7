package idempotency

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// SweepArgs is the periodic job that deletes keys older than Window,
// tenant by tenant: the answers they keep may name people, and are kept
// for their replay only.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "idempotency_sweep" }

// SweepWorker works SweepArgs. It is idempotent: run twice, same result.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Store *Store
}

// Work deletes expired keys in every tenant.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.Store.Sweep(ctx, time.Now().Add(-Window))
	return err
}

// Sweep deletes keys made before cutoff in every tenant; it returns how
// many.
func (s *Store) Sweep(ctx context.Context, cutoff time.Time) (int64, error) {
	var tenants []uuid.UUID
	// Row-level security hides other tenants' keys from every scope, so
	// each tenant is swept in its own.
	if err := s.db.Gorm.WithContext(ctx).Table("tenants").Order("id").Pluck("id", &tenants).Error; err != nil {
		return 0, fmt.Errorf("idempotency: sweep: tenants: %w", err)
	}
	var total int64
	for _, t := range tenants {
		err := access.Transact(ctx, s.db, access.System(t, "idempotency_sweep"), func(tx *gorm.DB) error {
			res := tx.Exec(`DELETE FROM idempotency_keys WHERE tenant_id = ? AND created_at < ?`, t, cutoff)
			total += res.RowsAffected
			return res.Error
		})
		if err != nil {
			return total, fmt.Errorf("idempotency: sweep: tenant %s: %w", t, err)
		}
	}
	return total, nil
}
