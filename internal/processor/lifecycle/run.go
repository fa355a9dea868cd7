package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/uuid"
	"github.com/schoolcloud/lms/internal/platform/database"
	"gorm.io/gorm"
)

// batch is how many rows one delete_tenant_rows call removes, so a large
// tenant never holds a long lock.
const batch = 5000

// tenantTables is every table with a tenant_id column but the processor's
// records, which keep a deleted tenant's record (database.ProcessorRecords:
// backups stay until they expire, and the certificate names them),
// children first (database.TenantTables).
func tenantTables(tx *gorm.DB) ([]string, error) {
	all, err := database.TenantTables(tx)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: %w", err)
	}
	var out []string
	for _, t := range all {
		if !database.ProcessorRecords[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// Run works deletion id to the end, unless another worker holds it. It
// may be called again at any point after a crash.
func (s *Service) Run(ctx context.Context, id uuid.UUID) error {
	return s.db.Gorm.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		lock := "lms-deletion:" + id.String()
		var got bool
		if err := conn.Raw(`SELECT pg_try_advisory_lock(hashtextextended(?, 0))`, lock).Row().Scan(&got); err != nil {
			return err
		}
		if !got {
			return nil // another worker is on it
		}
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec(`SELECT pg_advisory_unlock(hashtextextended(?, 0))`, lock)
		err := s.run(ctx, id)
		if err != nil {
			s.db.Gorm.WithContext(context.WithoutCancel(ctx)).Model(&Deletion{}).Where("id = ? AND status <> ?", id, DeletionDone).
				Updates(map[string]any{"status": DeletionFailed, "error": err.Error()})
		}
		return err
	})
}

func (s *Service) run(ctx context.Context, id uuid.UUID) error {
	var d Deletion
	if err := s.db.Gorm.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&d).Error; err != nil {
		return err
	}
	if d.ID == uuid.Nil || d.Status == DeletionDone {
		return nil
	}
	now := s.now().UTC()
	set := map[string]any{"status": DeletionRunning, "error": "", "heartbeat_at": now}
	if d.StartedAt == nil {
		set["started_at"] = now
	}
	if err := s.db.Gorm.WithContext(ctx).Model(&Deletion{}).Where("id = ?", id).Updates(set).Error; err != nil {
		return err
	}
	if err := s.deleteRows(ctx, d); err != nil {
		return err
	}
	// Uploads before objects: an aborted upload can no longer complete
	// into an object after the objects were listed.
	if err := s.abortUploads(ctx, d); err != nil {
		return err
	}
	if err := s.deleteObjects(ctx, d); err != nil {
		return err
	}
	return s.finish(ctx, d)
}

// deleteRows empties every tenant table, children first, counting each
// batch in the transaction that deletes it.
func (s *Service) deleteRows(ctx context.Context, d Deletion) error {
	tables, err := tenantTables(s.db.Gorm.WithContext(ctx))
	if err != nil {
		return err
	}
	for i, t := range tables {
		for {
			var n int64
			err := s.db.Transact(ctx, func(tx *gorm.DB) error {
				if err := tx.Raw(`SELECT delete_tenant_rows(?, CAST(? AS regclass), ?)`, d.TenantID, t, batch).Row().Scan(&n); err != nil {
					return err
				}
				return tx.Exec(`UPDATE deletions SET rows_removed = jsonb_set(rows_removed, ARRAY[?], to_jsonb(COALESCE((rows_removed->>?)::bigint, 0) + ?)),
					tables_total = ?, heartbeat_at = now() WHERE id = ?`, t, t, n, len(tables), d.ID).Error
			})
			if err != nil {
				return fmt.Errorf("lifecycle: delete from %s: %w", t, err)
			}
			if n < batch {
				break
			}
		}
		if err := s.db.Gorm.WithContext(ctx).Exec(`UPDATE deletions SET tables_done = ? WHERE id = ?`, i+1, d.ID).Error; err != nil {
			return err
		}
		s.stepDone("table:" + t)
	}
	return nil
}

// prefix is the tenant's object prefix.
func prefix(tenant uuid.UUID) string { return "t/" + tenant.String() + "/" }

// deleteObjects removes every version and delete marker under the tenant's
// prefix: each page is recorded, then deleted, then marked deleted, so a
// run killed anywhere deletes what it recorded again and counts it once.
func (s *Service) deleteObjects(ctx context.Context, d Deletion) error {
	var region string
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT region FROM tenants WHERE id = ?`, d.TenantID).Scan(&region).Error; err != nil {
		return err
	}
	bucket, pre := s.store.Bucket(region), prefix(d.TenantID)
	if err := s.deleteRecorded(ctx, d, bucket, pre); err != nil {
		return err
	}
	seen := map[string]int{} // first version of a listing → how often it came first
	for {
		out, err := s.store.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &pre, MaxKeys: aws.Int32(s.page)})
		if err != nil {
			var nb *types.NoSuchBucket
			if errors.As(err, &nb) {
				return nil
			}
			return fmt.Errorf("lifecycle: list objects: %w", err)
		}
		if len(out.Versions) == 0 && len(out.DeleteMarkers) == 0 {
			return nil
		}
		first := ""
		if len(out.Versions) > 0 {
			first = aws.ToString(out.Versions[0].Key) + "@" + aws.ToString(out.Versions[0].VersionId)
		} else {
			first = aws.ToString(out.DeleteMarkers[0].Key) + "@" + aws.ToString(out.DeleteMarkers[0].VersionId)
		}
		if seen[first]++; seen[first] > 3 {
			// The store keeps answering with versions it said it deleted (an
			// object lock, a misbehaving server): stop and say so; the sweep
			// tries again later.
			return fmt.Errorf("lifecycle: object %s is still there after being deleted 3 times", first)
		}
		err = s.db.Transact(ctx, func(tx *gorm.DB) error {
			for _, v := range out.Versions {
				if err := record(tx, d.ID, pre, aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToInt64(v.Size)); err != nil {
					return err
				}
			}
			for _, m := range out.DeleteMarkers {
				if err := record(tx, d.ID, pre, aws.ToString(m.Key), aws.ToString(m.VersionId), 0); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("lifecycle: record objects: %w", err)
		}
		if err := s.deleteRecorded(ctx, d, bucket, pre); err != nil {
			return err
		}
		s.stepDone("objects")
	}
}

func record(tx *gorm.DB, deletion uuid.UUID, pre, key, version string, size int64) error {
	if len(key) < len(pre) {
		return fmt.Errorf("lifecycle: object %q is outside the tenant's prefix", key)
	}
	// Listed again after it was marked deleted: the delete did not take,
	// so it is to be deleted again (and still counted once).
	return tx.Exec(`INSERT INTO deletion_objects (deletion_id, key, version_id, bytes) VALUES (?, ?, ?, ?)
		ON CONFLICT (deletion_id, key, version_id) DO UPDATE SET deleted = false`,
		deletion, key[len(pre):], version, size).Error
}

// deleteRecorded deletes the recorded versions not yet deleted, a page at
// a time, and marks them.
func (s *Service) deleteRecorded(ctx context.Context, d Deletion, bucket, pre string) error {
	for {
		var todo []struct{ Key, VersionID string }
		if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT key, version_id FROM deletion_objects WHERE deletion_id = ? AND NOT deleted ORDER BY key, version_id LIMIT 1000`,
			d.ID).Scan(&todo).Error; err != nil {
			return err
		}
		if len(todo) == 0 {
			return nil
		}
		ids := make([]types.ObjectIdentifier, len(todo))
		for i, o := range todo {
			ids[i] = types.ObjectIdentifier{Key: aws.String(pre + o.Key)}
			if o.VersionID != "" && o.VersionID != "null" {
				ids[i].VersionId = aws.String(o.VersionID)
			}
		}
		out, err := s.store.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("lifecycle: delete objects: %w", err)
		}
		if len(out.Errors) > 0 {
			return fmt.Errorf("lifecycle: delete %s: %s", aws.ToString(out.Errors[0].Key), aws.ToString(out.Errors[0].Message))
		}
		err = s.db.Transact(ctx, func(tx *gorm.DB) error {
			for _, o := range todo {
				if err := tx.Exec(`UPDATE deletion_objects SET deleted = true WHERE deletion_id = ? AND key = ? AND version_id = ?`, d.ID, o.Key, o.VersionID).Error; err != nil {
					return err
				}
			}
			return tx.Exec(`UPDATE deletions SET heartbeat_at = now() WHERE id = ?`, d.ID).Error
		})
		if err != nil {
			return err
		}
	}
}
