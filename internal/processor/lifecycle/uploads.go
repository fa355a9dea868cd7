package lifecycle

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/objstore"
)

// abortUploads aborts every incomplete multipart upload under the tenant's
// prefix, in its region's data bucket and backup bucket (an upload, an
// export or a backup that failed while the store was down, or whose
// worker died, left its parts there, where no listing of object versions
// shows them). Each listing is recorded, then aborted, then marked, so a
// run killed anywhere aborts them again and counts each once.
func (s *Service) abortUploads(ctx context.Context, d Deletion) error {
	var region string
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT region FROM tenants WHERE id = ?`, d.TenantID).Scan(&region).Error; err != nil {
		return err
	}
	pre := prefix(d.TenantID)
	// The backup bucket is backup.Service.Bucket(region): backups of the
	// tenant stay until they expire, but a backup that never completed
	// is no backup.
	for _, bucket := range []string{s.store.Bucket(region), s.store.Bucket("backups-" + region)} {
		if err := s.abortRecorded(ctx, d, bucket, pre); err != nil {
			return err
		}
		for round := 0; ; round++ {
			ups, err := s.store.ListUploads(ctx, bucket, pre)
			if err != nil {
				return fmt.Errorf("lifecycle: list uploads: %w", err)
			}
			if len(ups) == 0 {
				break
			}
			if round == 3 {
				// The store keeps listing uploads it said it aborted: stop
				// and say so; the sweep tries again later.
				return fmt.Errorf("lifecycle: %d uploads are still there after being aborted 3 times", len(ups))
			}
			err = s.db.Transact(ctx, func(tx *gorm.DB) error {
				for _, u := range ups {
					if len(u.Key) < len(pre) {
						return fmt.Errorf("lifecycle: upload of %q is outside the tenant's prefix", u.Key)
					}
					// Listed again after it was marked aborted: the abort
					// did not take, so it is aborted again (counted once).
					if err := tx.Exec(`INSERT INTO deletion_uploads (deletion_id, bucket, key, upload_id) VALUES (?, ?, ?, ?)
						ON CONFLICT (deletion_id, bucket, upload_id) DO UPDATE SET aborted = false`,
						d.ID, bucket, u.Key[len(pre):], u.UploadID).Error; err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("lifecycle: record uploads: %w", err)
			}
			if err := s.abortRecorded(ctx, d, bucket, pre); err != nil {
				return err
			}
			s.stepDone("uploads")
		}
	}
	return nil
}

// abortRecorded aborts the recorded uploads of bucket not yet aborted and
// marks them.
func (s *Service) abortRecorded(ctx context.Context, d Deletion, bucket, pre string) error {
	var todo []struct{ Key, UploadID string }
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT key, upload_id FROM deletion_uploads WHERE deletion_id = ? AND bucket = ? AND NOT aborted
		ORDER BY key, upload_id`, d.ID, bucket).Scan(&todo).Error; err != nil {
		return err
	}
	for _, u := range todo {
		if _, err := s.store.Abort(ctx, bucket, objstore.Upload{Key: pre + u.Key, UploadID: u.UploadID}); err != nil {
			return fmt.Errorf("lifecycle: %w", err)
		}
		if err := s.db.Gorm.WithContext(ctx).Exec(`UPDATE deletion_uploads SET aborted = true WHERE deletion_id = ? AND bucket = ? AND upload_id = ?`,
			d.ID, bucket, u.UploadID).Error; err != nil {
			return err
		}
	}
	return nil
}
