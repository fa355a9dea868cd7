package files

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Copy duplicates stored files of the scoped tenant inside the store
// (server-side CopyObject: the bytes never pass through the platform) as
// new files uploaded by the scope's actor. The new rows are recorded
// first ('uploading', so a crash leaves rows the sweeper removes, never an
// untracked object); the caller makes them ready and attached in its own
// transaction with Adopt, or gives them up with Abandon. It returns the
// new id of each old one.
func (s *Service) Copy(ctx context.Context, sc access.Scope, ids []uuid.UUID) (map[uuid.UUID]uuid.UUID, error) {
	out := make(map[uuid.UUID]uuid.UUID, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var region string
	var olds []File
	var news []File
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		if region, err = Region(tx); err != nil {
			return err
		}
		if err := tx.Where("id IN ? AND status = ?", ids, StatusReady).Order("id").Find(&olds).Error; err != nil {
			return fmt.Errorf("files: copy: %w", err)
		}
		if len(olds) != len(dedupe(ids)) {
			return errs.New(errs.ErrConflict, "a file to copy is not ready or has been deleted")
		}
		for _, f := range olds {
			n := File{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), Name: f.Name, ContentType: f.ContentType,
				SizeBytes: f.SizeBytes, SHA256: f.SHA256, Status: StatusUploading}
			n.ObjectKey = Key(n.TenantID, n.ID)
			if sc.Actor().Kind == access.ActorMember {
				id := sc.Actor().ID
				n.UploadedBy = &id
			}
			news = append(news, n)
			out[f.ID] = n.ID
		}
		return tx.Create(&news).Error
	})
	if err != nil {
		return nil, err
	}
	bucket := s.store.Bucket(region)
	for i, f := range olds {
		_, err := s.store.S3.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(news[i].ObjectKey),
			CopySource: aws.String(bucket + "/" + f.ObjectKey), ContentType: aws.String(f.ContentType),
		})
		if err != nil {
			s.Abandon(context.WithoutCancel(ctx), sc, values(out))
			return nil, fmt.Errorf("files: copy %s: %w", f.ID, err)
		}
	}
	return out, nil
}

// Adopt makes copied files ready and attached to purpose, in the caller's
// transaction.
func Adopt(tx *gorm.DB, ids []uuid.UUID, purpose string) error {
	if len(ids) == 0 {
		return nil
	}
	res := tx.Exec(`UPDATE files SET status = ?, attached_to = ?, updated_at = ? WHERE id IN ? AND status = ?`,
		StatusReady, purpose, time.Now(), ids, StatusUploading)
	if res.Error != nil {
		return fmt.Errorf("files: adopt: %w", res.Error)
	}
	if int(res.RowsAffected) != len(ids) {
		return errDiscarded
	}
	return nil
}

// Abandon marks files that will not be used for deletion and removes their
// objects now (the sweeper finishes what this misses).
func (s *Service) Abandon(ctx context.Context, sc access.Scope, ids []uuid.UUID) {
	if len(ids) == 0 {
		return
	}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return Discard(tx, ids...) })
	if err == nil {
		_, err = s.Purge(ctx, sc.Tenant())
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		slog.WarnContext(ctx, "files: abandoned copies left for the sweeper", "files", len(ids), "err", err)
	}
}

func values(m map[uuid.UUID]uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func dedupe(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
