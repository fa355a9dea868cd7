package files

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/objstore"
)

// PartSize is the multipart part size; with PartConcurrency it bounds the
// memory one upload holds (about PartSize × (PartConcurrency+1)).
const (
	PartSize        = 8 << 20
	PartConcurrency = 2
)

// Service stores and links files.
type Service struct {
	db      *database.DB
	store   *objstore.Store
	up      *objstore.Uploader
	linkTTL time.Duration
}

// ReaderLinkTTL caps download links handed to processor staff reading
// under a grant or order, so revoking the grant ends their use quickly.
const ReaderLinkTTL = time.Minute

// NewService builds the service; linkTTL is how long a download URL lives.
func NewService(db *database.DB, store *objstore.Store, linkTTL time.Duration) *Service {
	return &Service{db: db, store: store, up: store.Uploader(PartSize, PartConcurrency), linkTTL: linkTTL}
}

// Limits reads what the scoped tenant may upload: its region (which
// bucket) and its per-file size limit.
func limits(tx *gorm.DB) (region string, max int64, err error) {
	err = tx.Raw(`SELECT region, max_file_bytes FROM tenants WHERE id = app_tenant_id()`).Row().Scan(&region, &max)
	if err != nil {
		return "", 0, fmt.Errorf("files: tenant limits: %w", err)
	}
	return region, max, nil
}

// cleanName keeps a file name safe to show and to put in a header.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 { // some browsers send a path
		name = name[i+1:]
	}
	if name == "" || len(name) > 255 || !utf8.ValidString(name) || errs.HasControl(name) {
		return "", errs.Field("file", "needs a file name of 1-255 characters without control characters")
	}
	return name, nil
}

// Upload streams body into the tenant's storage as a new file uploaded by
// the scope's actor. The file is ready but attached to nothing until a
// service claims it (Claim); unclaimed files are swept after a day.
func (s *Service) Upload(ctx context.Context, sc access.Scope, name string, body io.Reader) (File, error) {
	name, err := cleanName(name)
	if err != nil {
		return File{}, err
	}
	var region string
	var max int64
	f := File{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), Name: name, Status: StatusUploading}
	f.ObjectKey = Key(f.TenantID, f.ID)
	if sc.Actor().Kind == access.ActorMember {
		id := sc.Actor().ID
		f.UploadedBy = &id
	}
	br := bufio.NewReaderSize(body, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return File{}, fmt.Errorf("files: read upload: %w", err)
	}
	if len(head) == 0 {
		return File{}, errs.Field("file", "is empty")
	}
	if f.ContentType = detect(head); f.ContentType == "" {
		return File{}, errs.Field("file", "is of a type that cannot be uploaded (allowed: documents, PDF, images, audio, video, plain text, zip; not HTML, SVG, scripts or programs)")
	}
	// Record the upload before the bytes go anywhere, so a crash mid-way
	// leaves a row the sweeper finds, never an untracked object.
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if region, max, err = limits(tx); err != nil {
			return err
		}
		return tx.Create(&f).Error
	})
	if err != nil {
		return File{}, fmt.Errorf("files: record upload: %w", err)
	}
	counted := &limitReader{r: br, left: max, h: sha256.New()}
	// A failed upload aborts its parts (Uploader); where the store was
	// down for that too, abandon's purge or the sweep aborts them.
	_, err = s.up.Upload(ctx, &transfermanager.UploadObjectInput{
		Bucket: aws.String(s.store.Bucket(region)), Key: aws.String(f.ObjectKey), Body: counted, ContentType: aws.String(f.ContentType),
	})
	if err == nil && counted.over {
		err = errs.Field("file", "is larger than this school's limit of %d MiB", max>>20)
	}
	if err != nil {
		s.abandon(context.WithoutCancel(ctx), sc, f.ID)
		if counted.over {
			return File{}, errs.Field("file", "is larger than this school's limit of %d MiB", max>>20)
		}
		return File{}, fmt.Errorf("files: upload %s: %w", f.ID, err)
	}
	f.SizeBytes, f.SHA256, f.Status = counted.n, counted.h.Sum(nil), StatusReady
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return finish(tx.Model(&File{}).Where("id = ? AND status = ?", f.ID, StatusUploading).Updates(map[string]any{
			"size_bytes": f.SizeBytes, "sha256": f.SHA256, "status": StatusReady, "updated_at": time.Now()}))
	})
	if err != nil {
		s.abandon(context.WithoutCancel(ctx), sc, f.ID)
		s.dropStored(context.WithoutCancel(ctx), region, f.ObjectKey, err)
		return File{}, fmt.Errorf("files: finish upload %s: %w", f.ID, err)
	}
	return f, nil
}

// errDiscarded is a file marked for deletion (an erasure of its uploader,
// an expired export) while its bytes were still being stored.
var errDiscarded = errs.New(errs.ErrConflict, "the file was discarded while it was being stored")

// finish checks the update that makes an upload ready: it changes nothing
// when the row is no longer 'uploading'.
func finish(res *gorm.DB) error {
	if res.Error == nil && res.RowsAffected == 0 {
		return errDiscarded
	}
	return res.Error
}

// dropStored removes what an upload stored after its row was discarded
// (and perhaps already purged): nothing else would ever find the object.
func (s *Service) dropStored(ctx context.Context, region, key string, why error) {
	if !errors.Is(why, errDiscarded) {
		return
	}
	if err := s.deleteVersions(ctx, s.store.Bucket(region), key); err != nil {
		slog.WarnContext(ctx, "files: object of a discarded upload not removed", "key", key, "err", err)
	}
}

// abandon marks a failed upload for deletion and removes what reached S3.
func (s *Service) abandon(ctx context.Context, sc access.Scope, id uuid.UUID) {
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return Discard(tx, id) })
	if err == nil {
		_, err = s.Purge(ctx, sc.Tenant())
	}
	if err != nil {
		slog.WarnContext(ctx, "files: abandoned upload left for the sweeper", "file", id, "err", err)
	}
}

// limitReader counts and hashes what passes and stops one byte past the
// limit, so an oversized upload fails without reading the rest.
type limitReader struct {
	r    io.Reader
	left int64
	n    int64
	h    hash.Hash
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		l.over = true
		return 0, errors.New("files: size limit exceeded")
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	l.left -= int64(n)
	l.h.Write(p[:n])
	if l.left < 0 {
		l.over = true
		return n, errors.New("files: size limit exceeded")
	}
	return n, err
}

// Get returns a file of the scoped tenant.
func Get(tx *gorm.DB, id uuid.UUID) (File, error) {
	var f File
	res := tx.Where("id = ?", id).Limit(1).Find(&f)
	if res.Error != nil {
		return f, fmt.Errorf("files: get %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 || f.Status == StatusDeleting {
		return f, errs.New(errs.ErrNotFound, "file %s", id)
	}
	return f, nil
}

// Claim attaches a ready file that the scope's actor uploaded and nothing
// holds yet to purpose. One file is held by one thing; a file someone else
// uploaded cannot be claimed (no borrowing another learner's upload).
func Claim(tx *gorm.DB, sc access.Scope, id uuid.UUID, purpose string) (File, error) {
	var f File
	res := tx.Raw(`UPDATE files SET attached_to = ?, updated_at = now()
		WHERE id = ? AND uploaded_by = ? AND status = ? AND attached_to IS NULL RETURNING *`,
		purpose, id, sc.Actor().ID, StatusReady).Scan(&f)
	if res.Error != nil {
		return f, fmt.Errorf("files: claim %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return f, errs.Field("file_id", "is not a file you uploaded that is ready and not already in use")
	}
	return f, nil
}

// Discard marks files for deletion in the caller's transaction: from then
// on nothing links them, and Purge (right after commit) or the sweeper
// removes the objects and the rows.
func Discard(tx *gorm.DB, ids ...uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	if err := tx.Exec(`UPDATE files SET status = ?, updated_at = now() WHERE id IN ?`, StatusDeleting, ids).Error; err != nil {
		return fmt.Errorf("files: discard: %w", err)
	}
	return nil
}

// Link presigns a short-lived download URL for f. The caller must have
// authorized the reader for the thing that holds f.
func (s *Service) Link(ctx context.Context, sc access.Scope, region string, f File) (Link, error) {
	return s.link(ctx, sc, region, f, s.linkTTL)
}

// MaxLinkTTL is the longest a presigned link can live (SigV4's limit).
const MaxLinkTTL = 7 * 24 * time.Hour

// LinkUntil presigns a download URL for f that lives until until (at most
// seven days): for exports, whose link is meant to be kept and used later.
func (s *Service) LinkUntil(ctx context.Context, sc access.Scope, region string, f File, until time.Time) (Link, error) {
	ttl := min(time.Until(until), MaxLinkTTL)
	if ttl <= 0 {
		return Link{}, errs.New(errs.ErrNotFound, "file %s: the download has expired", f.ID)
	}
	return s.link(ctx, sc, region, f, ttl)
}

func (s *Service) link(ctx context.Context, sc access.Scope, region string, f File, ttl time.Duration) (Link, error) {
	if sc.Reader() && ttl > ReaderLinkTTL {
		ttl = ReaderLinkTTL // processor staff under a grant: the link outlives a revocation by a minute at most
	}
	if f.Status != StatusReady {
		return Link{}, errs.New(errs.ErrConflict, "file %s is not ready", f.ID)
	}
	disp := "attachment"
	if inline(f.ContentType) {
		disp = "inline"
	}
	disp = mime.FormatMediaType(disp, map[string]string{"filename": f.Name})
	req, err := s.store.Presig.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.store.Bucket(region)), Key: aws.String(f.ObjectKey),
		ResponseContentType: aws.String(f.ContentType), ResponseContentDisposition: aws.String(disp),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return Link{}, fmt.Errorf("files: presign %s: %w", f.ID, err)
	}
	return Link{URL: req.URL, ExpiresAt: time.Now().Add(ttl).UTC(), Name: f.Name, ContentType: f.ContentType, SizeBytes: f.SizeBytes}, nil
}

// Region is the scoped tenant's data region, for Link.
func Region(tx *gorm.DB) (string, error) {
	r, _, err := limits(tx)
	return r, err
}
