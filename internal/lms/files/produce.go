package files

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// Produce stores a file the platform writes (an export), streaming what
// write produces to a multipart upload, so memory stays at a few parts
// however large it grows. The row is recorded first ('uploading': a crash
// leaves something the sweeper removes) and made ready and attached to
// purpose once the bytes are stored. id names the row, so a retried job
// overwrites its own object instead of leaving another, and aborts the
// parts an earlier run of it left.
func (s *Service) Produce(ctx context.Context, sc access.Scope, id uuid.UUID, name, contentType, purpose string, write func(io.Writer) error) (File, error) {
	f := File{TenantID: sc.Tenant(), ID: id, Name: name, ContentType: contentType, Status: StatusUploading, ObjectKey: Key(sc.Tenant(), id)}
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		if region, err = Region(tx); err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO files (tenant_id, id, object_key, name, content_type, status) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`, f.TenantID, f.ID, f.ObjectKey, f.Name, f.ContentType, StatusUploading).Error
	})
	if err != nil {
		return File{}, fmt.Errorf("files: record %s: %w", name, err)
	}
	// A run killed mid-way (its worker died, the store went down) left
	// the parts it had sent: they go before this run starts its own.
	bucket := s.store.Bucket(region)
	if _, err := s.store.AbortUploadsOf(ctx, bucket, f.ObjectKey); err != nil {
		return File{}, fmt.Errorf("files: abort earlier parts of %s: %w", name, err)
	}
	pr, pw := io.Pipe()
	h := sha256.New()
	var n int64
	go func() {
		cw := &countWriter{w: io.MultiWriter(pw, h), n: &n}
		pw.CloseWithError(write(cw))
	}()
	_, err = s.up.Upload(ctx, &transfermanager.UploadObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(f.ObjectKey), Body: pr, ContentType: aws.String(contentType),
	})
	pr.CloseWithError(err) // stops the writer if the upload failed first
	if err != nil {
		return File{}, fmt.Errorf("files: store %s: %w", name, err)
	}
	f.SizeBytes, f.SHA256, f.Status, f.AttachedTo = n, h.Sum(nil), StatusReady, &purpose
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return finish(tx.Model(&File{}).Where("id = ? AND status = ?", f.ID, StatusUploading).Updates(map[string]any{
			"size_bytes": n, "sha256": f.SHA256, "status": StatusReady, "attached_to": purpose, "updated_at": time.Now()}))
	})
	if err != nil {
		// Discarded meanwhile (an erasure): what was stored goes too.
		s.dropStored(context.WithoutCancel(ctx), region, f.ObjectKey, err)
		return File{}, fmt.Errorf("files: finish %s: %w", name, err)
	}
	return f, nil
}

// Open streams a stored file's bytes (for exports that include them).
func (s *Service) Open(ctx context.Context, region string, f File) (io.ReadCloser, error) {
	out, err := s.store.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.store.Bucket(region)), Key: aws.String(f.ObjectKey)})
	if err != nil {
		return nil, fmt.Errorf("files: open %s: %w", f.ID, err)
	}
	return out.Body, nil
}

type countWriter struct {
	w io.Writer
	n *int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	*c.n += int64(k)
	return k, err
}
