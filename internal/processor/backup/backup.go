// Package backup makes per-tenant logical backups: every tenant table's
// rows of one tenant (from the privacy registry) as JSON lines in a zip,
// encrypted with age to the tenant's own key and written to the backup
// bucket of the tenant's region with S3 Object Lock until its expiry. The
// catalogue records each with its expiry, which is never more than seven
// years away (configuration refuses more, the code caps it, and a CHECK
// constraint holds it); a purge job deletes expired backups with every
// version.
package backup

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/privacy"
)

// Status is where a backup is; the value is what backups.status holds.
type Status string

// Backup statuses.
const (
	// StatusRunning: being made (one left running past jobs.RescueAfter
	// lost its worker and is purged).
	StatusRunning Status = "running"
	// StatusDone: stored, sealed and restorable until it expires.
	StatusDone Status = "done"
	// StatusFailed: not made; what it left is purged.
	StatusFailed Status = "failed"
	// StatusPurged: its objects are deleted (expired or failed).
	StatusPurged Status = "purged"
)

// Backup is one catalogue entry.
type Backup struct {
	ID        uuid.UUID  `json:"id"`
	TenantID  uuid.UUID  `json:"tenant_id"`
	Bucket    string     `json:"bucket"`
	ObjectKey string     `json:"object_key"`
	VersionID string     `json:"version_id"`
	SizeBytes int64      `json:"size_bytes"`
	SHA256    string     `gorm:"column:sha256" json:"sha256"`
	Rows      int64      `json:"rows"`
	Status    Status     `json:"status"`
	Locked    bool       `json:"locked"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	PurgedAt  *time.Time `json:"purged_at"`
}

// TableName is the gorm table.
func (Backup) TableName() string { return "backups" }

// Service makes, lists and purges backups.
type Service struct {
	db        *database.DB
	store     *objstore.Store
	platform  []*age.X25519Identity // the first wraps tenants' keys; all unwrap (during a rotation)
	retention config.Retention
	mode      types.ObjectLockRetentionMode
	now       func() time.Time
	// Jobs queues restores; Eraser erases again, in a restored tenant,
	// the people the erasure ledger names. Both are set by the app.
	Jobs   *jobs.Enqueuer
	Eraser Eraser
}

// NewService returns a Service; platformKeys are the age identities that
// wrap tenants' keys, comma-separated: the first wraps, every one unwraps,
// so a rotation lists the new key then the old until Rewrap has run.
// retention is how long backups are kept (capped at 7 years); lockMode is
// COMPLIANCE or GOVERNANCE (S3 Object Lock).
func NewService(db *database.DB, store *objstore.Store, platformKeys string, retention config.Retention, lockMode string) (*Service, error) {
	ids, err := ParsePlatformKeys(platformKeys)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, store: store, platform: ids, retention: retention, mode: types.ObjectLockRetentionMode(lockMode), now: time.Now}, nil
}

// ParsePlatformKeys reads comma-separated age X25519 identities.
func ParsePlatformKeys(keys string) ([]*age.X25519Identity, error) {
	var ids []*age.X25519Identity
	for i, k := range strings.Split(keys, ",") {
		id, err := age.ParseX25519Identity(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("backup: platform backup key %d of the list is not an age X25519 identity (AGE-SECRET-KEY-1...)", i+1)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Bucket is the backup bucket of a region.
func (s *Service) Bucket(region string) string { return s.store.Bucket("backups-" + region) }

// Make backs up one tenant now.
func (s *Service) Make(ctx context.Context, tenant uuid.UUID) (Backup, error) {
	now := s.now().UTC()
	b := Backup{ID: uuid.Must(uuid.NewV7()), TenantID: tenant, Status: StatusRunning, CreatedAt: now, ExpiresAt: s.retention.Until(now)}
	var region string
	var to age.Recipient
	err := s.db.Transact(ctx, func(tx *gorm.DB) (err error) {
		var status string
		if err = tx.Raw(`SELECT t.region, c.status FROM tenants t JOIN contracts c ON c.tenant_id = t.id WHERE t.id = ?`, tenant).Row().Scan(&region, &status); err != nil {
			return errs.New(errs.ErrNotFound, "backup: tenant %s", tenant)
		}
		if status == "deleted" {
			return errs.New(errs.ErrConflict, "the tenant's data was deleted at contract end: nothing to back up")
		}
		if to, err = s.recipient(tx, tenant); err != nil {
			return err
		}
		b.Bucket, b.ObjectKey = s.Bucket(region), "t/"+tenant.String()+"/backups/"+b.ID.String()+".zip.age"
		return tx.Create(&b).Error
	})
	if err != nil {
		return b, err
	}
	lockable, err := s.store.EnsureLockedBucket(ctx, b.Bucket)
	if err != nil {
		return b, s.failed(ctx, b, err)
	}
	pr, pw := io.Pipe()
	h := sha256.New()
	var rows int64
	go func() {
		pw.CloseWithError(s.write(ctx, tenant, to, io.MultiWriter(pw, h), &rows))
	}()
	// A failed upload aborts its parts; where the store was down for that
	// too, the contract-end deletion aborts them under the tenant's prefix.
	up, err := s.store.Uploader(0, 0).Upload(ctx, &transfermanager.UploadObjectInput{Bucket: &b.Bucket, Key: &b.ObjectKey, Body: pr, ContentType: aws.String("application/age")})
	pr.CloseWithError(err)
	if err != nil {
		return b, s.failed(ctx, b, fmt.Errorf("backup: upload: %w", err))
	}
	b.VersionID = aws.ToString(up.VersionID)
	head, err := s.store.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.Bucket, Key: &b.ObjectKey, VersionId: up.VersionID})
	if err != nil {
		return b, s.failed(ctx, b, err)
	}
	b.SizeBytes, b.SHA256, b.Rows = aws.ToInt64(head.ContentLength), hex.EncodeToString(h.Sum(nil)), rows
	// Immutable until it expires, where the store supports it (a lock
	// cannot be set in the past).
	if lockable && b.ExpiresAt.After(time.Now().Add(time.Minute)) {
		_, err := s.store.S3.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: &b.Bucket, Key: &b.ObjectKey, VersionId: up.VersionID,
			Retention: &types.ObjectLockRetention{Mode: s.mode, RetainUntilDate: aws.Time(b.ExpiresAt)}})
		if err != nil {
			return b, s.failed(ctx, b, fmt.Errorf("backup: lock: %w", err))
		}
		b.Locked = true
	}
	b.Status = StatusDone
	err = s.db.Gorm.WithContext(ctx).Model(&Backup{}).Where("id = ?", b.ID).Updates(map[string]any{"status": StatusDone, "version_id": b.VersionID,
		"size_bytes": b.SizeBytes, "sha256": b.SHA256, "rows": b.Rows, "locked": b.Locked}).Error
	return b, err
}

func (s *Service) failed(ctx context.Context, b Backup, err error) error {
	s.db.Gorm.WithContext(context.WithoutCancel(ctx)).Model(&Backup{}).Where("id = ?", b.ID).Update("status", StatusFailed)
	return err
}

// write streams the tenant's tables, zipped and encrypted, to w: each
// tenant table of the registry as JSON lines, read in the tenant's scope
// under the contract (the backup is in the tenant's audit log).
func (s *Service) write(ctx context.Context, tenant uuid.UUID, to age.Recipient, w io.Writer, rows *int64) error {
	enc, err := age.Encrypt(w, to)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(enc)
	sc := access.Contract(tenant, uuid.Nil, "backup")
	var objects []string
	var region string
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var about Source
		if err := tx.Raw(`SELECT t.id, t.slug, t.name, t.kind, t.region, c.reference, c.return_window_days FROM tenants t
			JOIN contracts c ON c.tenant_id = t.id WHERE t.id = ?`, tenant).Scan(&about).Error; err != nil {
			return err
		}
		region = about.Region
		tw, err := zw.Create(sourceEntry)
		if err != nil {
			return err
		}
		if err := json.NewEncoder(tw).Encode(about); err != nil {
			return err
		}
		for _, tb := range privacy.Tables() {
			if tb.Owner != privacy.Tenant {
				continue
			}
			f, err := zw.Create(tb.Name + ".jsonl")
			if err != nil {
				return err
			}
			// Table names come from the registry, not input.
			rs, err := tx.Raw(`SELECT to_jsonb(t)::text FROM ` + tb.Name + ` t`).Rows()
			if err != nil {
				return err
			}
			for rs.Next() {
				var line string
				if err := rs.Scan(&line); err != nil {
					rs.Close()
					return err
				}
				if _, err := io.WriteString(f, line+"\n"); err != nil {
					rs.Close()
					return err
				}
				*rows++
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
		}
		// The stored bytes of every file the school's rows hold (not the
		// zips of earlier exports, which are copies).
		if err := tx.Raw(`SELECT object_key FROM files WHERE status = 'ready' AND (attached_to IS NULL OR attached_to NOT IN ('export', 'tenant-export'))
			ORDER BY id`).Scan(&objects).Error; err != nil {
			return err
		}
		_, err = audit.Append(tx, tenant, audit.Event{ActorKind: "system", ActorName: "backup job", Basis: string(access.BasisContract),
			Action: "backup.made", Target: "backup", Detail: map[string]string{"rows": fmt.Sprint(*rows), "files": fmt.Sprint(len(objects))}})
		return err
	})
	if err != nil {
		return err
	}
	pre := "t/" + tenant.String() + "/"
	for _, key := range objects {
		if err := s.copyObject(ctx, zw, region, key, strings.TrimPrefix(key, pre)); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return enc.Close()
}

// sourceEntry names the backup's description of the tenant it holds;
// objectsDir holds the stored files, by key under the tenant's prefix.
const (
	sourceEntry = "tenant.json"
	objectsDir  = "objects/"
)

// Source is what a backup says of the tenant it holds, so it can be
// restored after the tenant's record was reduced to a tombstone.
type Source struct {
	ID               uuid.UUID `json:"id"`
	Slug             string    `json:"slug"`
	Name             string    `json:"name"`
	Kind             string    `json:"kind"`
	Region           string    `json:"region"`
	Reference        string    `json:"contract_reference"`
	ReturnWindowDays int       `json:"return_window_days"`
}

// copyObject adds one stored file to the backup, as objects/{key under
// the tenant's prefix}. Files are mostly compressed already.
func (s *Service) copyObject(ctx context.Context, zw *zip.Writer, region, key, name string) error {
	bucket := s.store.Bucket(region)
	out, err := s.store.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		var missing *types.NoSuchKey
		if errors.As(err, &missing) {
			return nil // removed since the row was read: the purge is behind
		}
		return fmt.Errorf("backup: read %s: %w", key, err)
	}
	defer out.Body.Close()
	w, err := zw.CreateHeader(&zip.FileHeader{Name: objectsDir + name, Method: zip.Store})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, out.Body)
	return err
}

// Catalogue lists a tenant's backups, newest first (tenant uuid.Nil: all).
func (s *Service) Catalogue(ctx context.Context, tenant uuid.UUID) ([]Backup, error) {
	out := []Backup{}
	q := s.db.Gorm.WithContext(ctx).Order("created_at DESC").Limit(500)
	if tenant != uuid.Nil {
		q = q.Where("tenant_id = ?", tenant)
	}
	return out, q.Find(&out).Error
}

// Purge deletes every expired backup, with every version of its object,
// and marks it purged in the catalogue; then every backup that failed or
// whose worker died (running past jobs.RescueAfter), whose upload may have
// left parts or a version: no backup, but the tenant's data.
func (s *Service) Purge(ctx context.Context) (int, error) {
	n, err := s.purgeExpired(ctx)
	if err != nil {
		return n, err
	}
	var broken []Backup
	if err := s.db.Gorm.WithContext(ctx).Where("status = ? OR status = ? AND created_at < ?", StatusFailed, StatusRunning, s.now().Add(-jobs.RescueAfter)).
		Order("created_at").Find(&broken).Error; err != nil {
		return n, err
	}
	for _, b := range broken {
		if _, err := s.store.DeleteUnder(ctx, b.Bucket, b.ObjectKey); err != nil && !noBucket(err) {
			// Not to hold up the others: tried again at the next purge.
			slog.WarnContext(ctx, "backup: what a failed backup left is removed at the next purge", "backup_id", b.ID, "err", err)
			continue
		}
		if err := s.db.Gorm.WithContext(ctx).Model(&Backup{}).Where("id = ?", b.ID).
			Updates(map[string]any{"status": StatusPurged, "purged_at": s.now().UTC()}).Error; err != nil {
			return n, err
		}
		if err := s.db.Gorm.WithContext(ctx).Exec(`SELECT purge_backup_erasures(?)`, b.TenantID).Error; err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func noBucket(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket"
}

func (s *Service) purgeExpired(ctx context.Context) (int, error) {
	var due []Backup
	if err := s.db.Gorm.WithContext(ctx).Where("status <> ? AND expires_at <= ?", StatusPurged, s.now().UTC()).Order("expires_at").Find(&due).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, b := range due {
		if _, err := s.store.DeleteUnder(ctx, b.Bucket, b.ObjectKey); err != nil {
			return n, fmt.Errorf("backup: purge %s: %w", b.ID, err)
		}
		if err := s.db.Gorm.WithContext(ctx).Model(&Backup{}).Where("id = ?", b.ID).
			Updates(map[string]any{"status": StatusPurged, "purged_at": s.now().UTC()}).Error; err != nil {
			return n, err
		}
		// The ledger's copy goes with a deleted tenant's last backup.
		if err := s.db.Gorm.WithContext(ctx).Exec(`SELECT purge_backup_erasures(?)`, b.TenantID).Error; err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// PurgeArgs is the daily purge of expired backups.
type PurgeArgs struct{}

// Kind names the job.
func (PurgeArgs) Kind() string { return "backup_purge" }

// PurgeWorker works PurgeArgs.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Service *Service
}

// Work purges what has expired.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.Service.Purge(ctx)
	return err
}

// MakeArgs is the daily backup run: it queues one MakeTenantArgs per
// tenant with a live contract, so each tenant's backup is its own job,
// retried on its own, and a slow tenant never holds up the others.
type MakeArgs struct{}

// Kind names the job.
func (MakeArgs) Kind() string { return "backup_make" }

// MakeWorker works MakeArgs.
type MakeWorker struct {
	river.WorkerDefaults[MakeArgs]
	Service *Service
}

// Work queues a backup of every tenant whose contract is not deleted, at
// most one per tenant a day (a retried run queues nothing twice).
func (w *MakeWorker) Work(ctx context.Context, _ *river.Job[MakeArgs]) error {
	var tenants []uuid.UUID
	if err := w.Service.db.Gorm.WithContext(ctx).Table("contracts").Where("status <> 'deleted'").Order("tenant_id").Pluck("tenant_id", &tenants).Error; err != nil {
		return err
	}
	if len(tenants) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(tenants))
	for i, t := range tenants {
		params[i] = river.InsertManyParams{Args: MakeTenantArgs{Tenant: t}, InsertOpts: &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 24 * time.Hour}}}
	}
	return jobs.InsertMany(ctx, params)
}

// MakeTenantArgs is one tenant's daily backup.
type MakeTenantArgs struct {
	Tenant uuid.UUID `json:"tenant" river:"unique"`
}

// Kind names the job.
func (MakeTenantArgs) Kind() string { return "backup_make_tenant" }

// MakeTenantWorker works MakeTenantArgs.
type MakeTenantWorker struct {
	river.WorkerDefaults[MakeTenantArgs]
	Service *Service
}

// Work backs the tenant up; a tenant deleted meanwhile is skipped.
func (w *MakeTenantWorker) Work(ctx context.Context, j *river.Job[MakeTenantArgs]) error {
	_, err := w.Service.Make(ctx, j.Args.Tenant)
	if errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrConflict) {
		return river.JobCancel(err) // deleted, or its key destroyed: nothing to retry
	}
	return err
}
