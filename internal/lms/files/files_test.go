package files_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
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
