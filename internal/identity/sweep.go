package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/ratelimit"
)

// SweepArgs is the periodic job that deletes sessions and tokens that
// expired or were revoked more than SweepAfter ago, tenant by tenant.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "credential_sweep" }

// SweepAfter is how long dead credentials stay visible (for "signed out"
// history) before they are deleted.
const SweepAfter = 30 * 24 * time.Hour

// SweepWorker works SweepArgs. It is idempotent: run twice, same result.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work deletes dead credentials in every tenant and in the staff table.
func (w *SweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	if _, err := w.Service.Sweep(ctx, time.Now().Add(-SweepAfter)); err != nil {
		return err
	}
	return ratelimit.Sweep(ctx, w.Service.db, time.Now().Add(-time.Hour))
}

// Sweep deletes credentials that died before cutoff; it returns how many.
func (s *Service) Sweep(ctx context.Context, cutoff time.Time) (int64, error) {
	var tenants []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Table("tenants").Order("id").Pluck("id", &tenants).Error; err != nil {
		return 0, fmt.Errorf("sweep: tenants: %w", err)
	}
	const dead = "(revoked_at IS NOT NULL AND revoked_at < ?) OR expires_at < ?"
	var total int64
	for _, t := range tenants {
		err := access.Transact(ctx, s.db, access.System(t, "credential_sweep"), func(tx *gorm.DB) error {
			res := tx.Exec(`DELETE FROM member_credentials WHERE `+dead, cutoff, cutoff)
			total += res.RowsAffected
			if res.Error != nil {
				return res.Error
			}
			// Sign-in events are kept a year, not with their sessions.
			_, err := sweepSignIns(tx, time.Now())
			return err
		})
		if err != nil {
			return total, fmt.Errorf("sweep: tenant %s: %w", t, err)
		}
	}
	res := s.db.Gorm.WithContext(ctx).Exec(`DELETE FROM staff_credentials WHERE `+dead, cutoff, cutoff)
	return total + res.RowsAffected, res.Error
}
