package files

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// Abandoned is how long an upload may stay unfinished, or a finished upload
// unclaimed, before the sweeper removes it.
const Abandoned = 24 * time.Hour

// Purge removes every version of every object the tenant marked 'deleting',
// and any incomplete upload of it, then the rows. It is idempotent: a crash between the two leaves rows that
// the next run finds again, and deleting a missing object succeeds.
func (s *Service) Purge(ctx context.Context, tenant uuid.UUID) (int, error) {
	sc := access.System(tenant, "files_purge")
	var region string
	var doomed []File
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		if region, err = Region(tx); err != nil {
			return err
		}
		return tx.Where("status = ?", StatusDeleting).Order("id").Limit(1000).Find(&doomed).Error
	})
	if err != nil || len(doomed) == 0 {
		return 0, err
	}
	bucket := s.store.Bucket(region)
	for _, f := range doomed {
		if err := s.deleteVersions(ctx, bucket, f.ObjectKey); err != nil {
			return 0, err
		}
	}
	if err := s.abortUploads(ctx, bucket, tenant, doomed); err != nil {
		return 0, err
	}
	ids := make([]uuid.UUID, len(doomed))
	for i, f := range doomed {
		ids[i] = f.ID
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Exec(`DELETE FROM files WHERE status = ? AND id IN ?`, StatusDeleting, ids).Error
	})
	if err != nil {
		return 0, fmt.Errorf("files: purge rows: %w", err)
	}
	return len(doomed), nil
}

// deleteVersions removes every version and delete marker of key: in a
// versioned bucket a plain delete only hides the bytes.
func (s *Service) deleteVersions(ctx context.Context, bucket, key string) error {
	p := s3.NewListObjectVersionsPaginator(s.store.S3, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("files: list versions of %s: %w", key, err)
		}
		var ids []types.ObjectIdentifier
		for _, v := range page.Versions {
			if *v.Key == key {
				ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
			}
		}
		for _, m := range page.DeleteMarkers {
			if *m.Key == key {
				ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
			}
		}
		if len(ids) == 0 {
			continue
		}
		out, err := s.store.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("files: delete %s: %w", key, err)
		}
		if len(out.Errors) > 0 {
			return fmt.Errorf("files: delete %s: %s", key, aws.ToString(out.Errors[0].Message))
		}
	}
	return nil
}

// abortUploads aborts the incomplete multipart uploads of doomed files:
// an upload that failed while the store was down (or whose process died)
// left parts no version listing shows.
func (s *Service) abortUploads(ctx context.Context, bucket string, tenant uuid.UUID, doomed []File) error {
	keys := make(map[string]bool, len(doomed))
	for _, f := range doomed {
		keys[f.ObjectKey] = true
	}
	_, err := s.abortKeys(ctx, bucket, tenant, keys)
	return err
}

// AbortUploads aborts the incomplete multipart uploads of the tenant's
// files ids (marked for deletion by an erasure) and says how many.
func (s *Service) AbortUploads(ctx context.Context, tenant uuid.UUID, ids []uuid.UUID) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var region string
	err := access.Transact(ctx, s.db, access.System(tenant, "files_purge"), func(tx *gorm.DB) (err error) {
		region, err = Region(tx)
		return err
	})
	if err != nil {
		return 0, err
	}
	keys := make(map[string]bool, len(ids))
	for _, id := range ids {
		keys[Key(tenant, id)] = true
	}
	return s.abortKeys(ctx, s.store.Bucket(region), tenant, keys)
}

// abortKeys aborts the uploads of keys among the tenant's files: one
// listing of the tenant's uploads serves them all.
func (s *Service) abortKeys(ctx context.Context, bucket string, tenant uuid.UUID, keys map[string]bool) (int, error) {
	ups, err := s.store.ListUploads(ctx, bucket, "t/"+tenant.String()+"/files/")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range ups {
		if !keys[u.Key] {
			continue
		}
		ok, err := s.store.Abort(ctx, bucket, u)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// PurgeSoon runs Purge after the caller's transaction committed, without
// making the caller wait for or fail on the object store; the sweeper
// retries whatever this misses.
func (s *Service) PurgeSoon(ctx context.Context, tenant uuid.UUID) {
	if _, err := s.Purge(context.WithoutCancel(ctx), tenant); err != nil {
		// Not fatal: the rows stay 'deleting' and the sweep job retries.
		slog.WarnContext(ctx, "files: purge deferred to the sweeper", "tenant_id", tenant, "err", err)
	}
}

// Sweep, for every tenant, marks abandoned uploads for deletion and purges.
func (s *Service) Sweep(ctx context.Context, now time.Time) (int, error) {
	var tenants []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Table("tenants").Order("id").Pluck("id", &tenants).Error; err != nil {
		return 0, fmt.Errorf("files sweep: tenants: %w", err)
	}
	total := 0
	for _, t := range tenants {
		err := access.Transact(ctx, s.db, access.System(t, "files_sweep"), func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE files SET status = ?, updated_at = now()
				WHERE updated_at < ? AND (status = ? OR status = ? AND attached_to IS NULL)`, StatusDeleting, now.Add(-Abandoned), StatusUploading, StatusReady).Error
		})
		if err != nil {
			return total, fmt.Errorf("files sweep: tenant %s: %w", t, err)
		}
		for {
			n, err := s.Purge(ctx, t)
			if err != nil {
				return total, fmt.Errorf("files sweep: tenant %s: %w", t, err)
			}
			total += n
			if n == 0 {
				break
			}
		}
	}
	return total, nil
}

// SweepArgs is the periodic job that runs Sweep.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "files_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work sweeps every tenant.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.Service.Sweep(ctx, time.Now())
	return err
}
