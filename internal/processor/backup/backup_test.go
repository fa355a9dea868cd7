package backup_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func read(t *testing.T, e *apptest.Env, b backup.Backup) []byte {
	out, err := e.App.Store.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &b.Bucket, Key: &b.ObjectKey})
	require.NoError(t, err)
	defer out.Body.Close()
	raw, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return raw
}

// A backup holds the tenant's rows and no other tenant's, readable only
// with the tenant's own key, locked until it expires; its expiry can never
// be more than seven years away; destroying the tenant's key makes it
// unreadable and stops new backups.
func TestBackupEncryptedLockedCapped(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Backups
	b, err := s.Make(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, "done", string(b.Status))
	require.WithinDuration(t, b.CreatedAt.AddDate(1, 0, 0), b.ExpiresAt, time.Second, "the default retention is a year")
	cat, err := s.Catalogue(ctx, e.A.ID)
	require.NoError(t, err)
	require.Len(t, cat, 1)
	require.Equal(t, b.SHA256, cat[0].SHA256)

	raw := read(t, e, b)
	require.NotContains(t, string(raw), e.A.AdminUser, "encrypted")
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	_, err = age.Decrypt(bytes.NewReader(raw), other)
	require.Error(t, err, "another key cannot read it")
	id, err := backup.Identity(s, ctx, e.A.ID)
	require.NoError(t, err)
	r, err := age.Decrypt(bytes.NewReader(raw), id)
	require.NoError(t, err)
	plain, err := io.ReadAll(r)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(plain), int64(len(plain)))
	require.NoError(t, err)
	var people []byte
	for _, f := range zr.File {
		if f.Name == "people.jsonl" {
			rc, _ := f.Open()
			people, _ = io.ReadAll(rc)
		}
	}
	require.Contains(t, string(people), e.A.AdminUser)
	require.NotContains(t, string(plain), e.B.AdminUser)
	require.NotContains(t, string(plain), e.B.ID.String())

	t.Logf("locked by S3 Object Lock: %v", b.Locked)
	if b.Locked {
		_, err := e.App.Store.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.Bucket, Key: &b.ObjectKey, VersionId: &b.VersionID})
		require.Error(t, err, "a locked backup refuses deletion before it expires")
	}

	// The catalogue cannot hold a backup kept longer than seven years.
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO backups (id, tenant_id, bucket, object_key, created_at, expires_at)
		VALUES (gen_random_uuid(), $1, 'b', 'k', now(), now() + interval '7 years 1 day')`, e.A.ID)
	require.ErrorContains(t, err, "backups_at_most_seven_years")
	// Nor can the application role get round it by saying when the backup
	// was made: created_at is the database's clock, on insert and update.
	app, err := pgx.Connect(ctx, e.DB.AppURL)
	require.NoError(t, err)
	defer app.Close(ctx)
	_, err = app.Exec(ctx, `INSERT INTO backups (id, tenant_id, bucket, object_key, created_at, expires_at)
		VALUES (gen_random_uuid(), $1, 'b', 'k', now() + interval '10 years', now() + interval '17 years')`, e.A.ID)
	require.ErrorContains(t, err, "backups_at_most_seven_years", "a future created_at does not move the cap")
	_, err = app.Exec(ctx, `UPDATE backups SET created_at = now() + interval '10 years' WHERE id = $1`, b.ID)
	require.NoError(t, err)
	var made time.Time
	require.NoError(t, app.QueryRow(ctx, `SELECT created_at FROM backups WHERE id = $1`, b.ID).Scan(&made))
	require.WithinDuration(t, b.CreatedAt, made, 5*time.Second, "created_at cannot be changed")
	_, err = app.Exec(ctx, `UPDATE backups SET created_at = now() + interval '10 years',
		expires_at = now() + interval '16 years' WHERE id = $1`, b.ID)
	require.ErrorContains(t, err, "backups_at_most_seven_years", "nor can expiry be moved past the cap")
	_, err = app.Exec(ctx, `ALTER TABLE backups DISABLE TRIGGER backups_created_by_database`)
	require.Error(t, err, "the application role cannot switch the rule off")

	// Nor can the code make one, whatever it is told.
	long := config.Retention{Years: 9}
	require.Equal(t, b.CreatedAt.AddDate(7, 0, 0), long.Until(b.CreatedAt))

	// Crypto-shredding: the key goes, every backup of A is unreadable.
	require.ErrorIs(t, s.DestroyKey(ctx, e.A.ID, ""), errs.ErrInvalid)
	require.NoError(t, s.DestroyKey(ctx, e.A.ID, "school's instruction of 2026-12-01, ref SCH-42"))
	_, err = backup.Identity(s, ctx, e.A.ID)
	require.ErrorIs(t, err, errs.ErrConflict)
	_, err = s.Make(ctx, e.A.ID)
	require.ErrorIs(t, err, errs.ErrConflict)
	_, err = s.Make(ctx, e.B.ID)
	require.NoError(t, err, "tenant B's backups go on")
}

// An expired backup is purged with every version; one not expired stays.
func TestExpiredBackupIsPurged(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	s := backup.At(e.App.Backups, func() time.Time { return time.Now().Add(-48 * time.Hour) }, config.Retention{Days: 1})
	old, err := s.Make(ctx, e.A.ID)
	require.NoError(t, err)
	require.False(t, old.Locked, "a lock cannot be set in the past")
	fresh, err := e.App.Backups.Make(ctx, e.A.ID)
	require.NoError(t, err)

	n, err := e.App.Backups.Purge(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	vs, err := e.App.Store.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &old.Bucket, Prefix: &old.ObjectKey})
	require.NoError(t, err)
	require.Empty(t, vs.Versions)
	require.Empty(t, vs.DeleteMarkers)
	cat, err := e.App.Backups.Catalogue(ctx, e.A.ID)
	require.NoError(t, err)
	status := map[string]string{}
	for _, c := range cat {
		status[c.ID.String()] = string(c.Status)
	}
	require.Equal(t, "purged", status[old.ID.String()])
	require.Equal(t, "done", status[fresh.ID.String()])
	require.NotEmpty(t, read(t, e, fresh))
}

// A backup that failed (its upload cut off, the store down for the abort
// too) or whose worker died is purged at the next purge with every
// version and incomplete upload of its object: it is no backup, but the
// tenant's data. A good backup stays.
func TestFailedBackupIsPurged(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	failed, err := e.App.Backups.Make(ctx, e.A.ID)
	require.NoError(t, err)
	good, err := e.App.Backups.Make(ctx, e.A.ID)
	require.NoError(t, err)
	up, err := e.App.Store.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &failed.Bucket, Key: &failed.ObjectKey})
	require.NoError(t, err)
	_, err = e.App.Store.S3.UploadPart(ctx, &s3.UploadPartInput{Bucket: &failed.Bucket, Key: &failed.ObjectKey, UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part of a backup")})
	require.NoError(t, err)
	require.NoError(t, e.App.DB.Gorm.Exec(`UPDATE backups SET status = 'failed' WHERE id = ?`, failed.ID).Error)

	n, err := e.App.Backups.Purge(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	vs, err := e.App.Store.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &failed.Bucket, Prefix: &failed.ObjectKey})
	require.NoError(t, err)
	require.Empty(t, vs.Versions)
	ups, err := e.App.Store.ListUploads(ctx, failed.Bucket, failed.ObjectKey)
	require.NoError(t, err)
	require.Empty(t, ups)
	cat, err := e.App.Backups.Catalogue(ctx, e.A.ID)
	require.NoError(t, err)
	status := map[string]string{}
	for _, c := range cat {
		status[c.ID.String()] = string(c.Status)
	}
	require.Equal(t, "purged", status[failed.ID.String()])
	require.Equal(t, "done", status[good.ID.String()])
	require.NotEmpty(t, read(t, e, good))
}
