package rostersync

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// dropOldFiles removes the files of deliveries whose run failed more
// than KeepFilesFor ago: the row stays as the run's record.
func (s *Service) dropOldFiles(ctx context.Context, tenant uuid.UUID) error {
	return access.Transact(ctx, s.db, access.System(tenant, runJob), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE roster_deliveries SET files = NULL
			WHERE files IS NOT NULL AND status IN ('held', 'failed', 'rejected', 'applied', 'superseded') AND delivered_at < ?`,
			s.now().UTC().Add(-KeepFilesFor)).Error
	})
}
