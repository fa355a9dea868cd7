package files_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var pdf = []byte("%PDF-1.4\n%%EOF\n")

// An upload nothing claims is swept (row and every object version) once
// abandoned; a claimed one stays; another tenant's files are untouched.
func TestSweepRemovesUnclaimedUploads(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fa := lmstest.NewCourse(t, e.DB.App, e.A.ID, "sw-")
	fb := lmstest.NewCourse(t, e.DB.App, e.B.ID, "sw-")
	sa, sb := fa.Teacher.Scope(e.A.ID), fb.Teacher.Scope(e.B.ID)
	lost, err := e.App.Files.Upload(ctx, sa, "lost.pdf", bytes.NewReader(pdf))
	require.NoError(t, err)
	kept, err := e.App.Files.Upload(ctx, sa, "kept.pdf", bytes.NewReader(pdf))
	require.NoError(t, err)
	require.NoError(t, access.Transact(ctx, e.DB.App, sa, func(tx *gorm.DB) error {
		_, err := files.Claim(tx, sa, kept.ID, files.ForContent)
		return err
	}))
	other, err := e.App.Files.Upload(ctx, sb, "b.pdf", bytes.NewReader(pdf))
	require.NoError(t, err)

	// Not yet abandoned: nothing goes.
	n, err := e.App.Files.Sweep(ctx, time.Now())
	require.NoError(t, err)
	require.Zero(t, n)
	// A day later the unclaimed uploads go, in both tenants; the claimed stays.
	n, err = e.App.Files.Sweep(ctx, time.Now().Add(files.Abandoned+time.Hour))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	exists := func(region string, f files.File) bool {
		out, err := e.App.Store.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: ptr(e.App.Store.Bucket(region)), Prefix: &f.ObjectKey})
		require.NoError(t, err)
		return len(out.Versions) > 0
	}
	require.False(t, exists("uk", lost))
	require.True(t, exists("uk", kept))
	require.False(t, exists("ie", other))
	require.NoError(t, access.Transact(ctx, e.DB.App, sa, func(tx *gorm.DB) error {
		_, err := files.Get(tx, lost.ID)
		require.Error(t, err)
		_, err = files.Get(tx, kept.ID)
		return err
	}))
	// Nobody claims a file they did not upload.
	learner := fa.Learner.Scope(e.A.ID)
	mine, err := e.App.Files.Upload(ctx, sa, "mine.pdf", bytes.NewReader(pdf))
	require.NoError(t, err)
	err = access.Transact(ctx, e.DB.App, learner, func(tx *gorm.DB) error {
		_, err := files.Claim(tx, learner, mine.ID, files.ForSubmission)
		return err
	})
	require.Error(t, err)
}

func ptr[T any](v T) *T { return &v }

// uploadsUnder lists the keys of the incomplete multipart uploads under
// the tenant's prefix.
func uploadsUnder(t *testing.T, e *apptest.Env, region, prefix string) []string {
	t.Helper()
	ups, err := e.App.Store.ListUploads(context.Background(), e.App.Store.Bucket(region), prefix)
	require.NoError(t, err)
	keys := []string{}
	for _, u := range ups {
		keys = append(keys, u.Key)
	}
	return keys
}

// stuck leaves an incomplete multipart upload of key with one part, as an
// upload whose abort failed (the store was away) or whose process died.
func stuck(t *testing.T, e *apptest.Env, region, key string) {
	t.Helper()
	ctx, bucket := context.Background(), e.App.Store.Bucket(region)
	up, err := e.App.Store.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)
	_, err = e.App.Store.S3.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(append([]byte("%PDF-1.4\n"), make([]byte, 5<<20)...))})
	require.NoError(t, err)
}

// A file marked for deletion takes its incomplete uploads with it when it
// is purged (another tenant's stay), and an upload whose client goes away
// leaves no part behind.
func TestIncompleteUploadsGo(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fa := lmstest.NewCourse(t, e.DB.App, e.A.ID, "up-")
	fb := lmstest.NewCourse(t, e.DB.App, e.B.ID, "up-")
	sa, sb := fa.Teacher.Scope(e.A.ID), fb.Teacher.Scope(e.B.ID)
	preA, preB := "t/"+e.A.ID.String()+"/", "t/"+e.B.ID.String()+"/"

	t.Run("PurgeAbortsThem", func(t *testing.T) {
		fA, err := e.App.Files.Upload(ctx, sa, "a.pdf", bytes.NewReader(pdf))
		require.NoError(t, err)
		fB, err := e.App.Files.Upload(ctx, sb, "b.pdf", bytes.NewReader(pdf))
		require.NoError(t, err)
		stuck(t, e, "uk", fA.ObjectKey)
		stuck(t, e, "ie", fB.ObjectKey)
		require.NoError(t, access.Transact(ctx, e.DB.App, sa, func(tx *gorm.DB) error { return files.Discard(tx, fA.ID) }))
		require.NoError(t, access.Transact(ctx, e.DB.App, sb, func(tx *gorm.DB) error { return files.Discard(tx, fB.ID) }))
		n, err := e.App.Files.Purge(ctx, e.A.ID)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.Empty(t, uploadsUnder(t, e, "uk", preA))
		require.Equal(t, []string{fB.ObjectKey}, uploadsUnder(t, e, "ie", preB), "tenant B's purge has not run")
		_, err = e.App.Files.Purge(ctx, e.B.ID)
		require.NoError(t, err)
		require.Empty(t, uploadsUnder(t, e, "ie", preB))
	})

	t.Run("ClientGoesAway", func(t *testing.T) {
		req, cancel := context.WithCancel(ctx)
		body := io.MultiReader(bytes.NewReader(pdf), &dropper{left: 3 * files.PartSize, drop: func() {
			require.Eventually(t, func() bool { return len(uploadsUnder(t, e, "uk", preA)) > 0 }, 10*time.Second, 20*time.Millisecond)
			cancel()
		}})
		_, err := e.App.Files.Upload(req, sa, "big.pdf", body)
		require.Error(t, err)
		require.Empty(t, uploadsUnder(t, e, "uk", preA), "no part of the dropped upload stays")
	})
}

// dropper gives zeros, and once left runs out calls drop (the client goes)
// and fails.
type dropper struct {
	left int
	drop func()
}

func (d *dropper) Read(p []byte) (int, error) {
	if d.left <= 0 {
		d.drop()
		return 0, context.Canceled
	}
	k := min(len(p), d.left)
	clear(p[:k])
	d.left -= k
	return k, nil
}
