package backup_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

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
