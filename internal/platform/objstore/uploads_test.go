package objstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
)

const part = 5 << 20 // S3's smallest part

type testBundle struct {
	st     *objstore.Store
	bucket string
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	st := objtest.New(t)
	require.NoError(t, st.EnsureBucket(context.Background(), "uk"), "a store without lifecycle rules (versitygw) is no error")
	return &testBundle{st: st, bucket: st.Bucket("uk")}
}

// start begins a multipart upload of key with one part sent, as a failed
// upload leaves it.
func (b *testBundle) start(t *testing.T, key string) {
	t.Helper()
	ctx := context.Background()
	up, err := b.st.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b.bucket, Key: &key})
	require.NoError(t, err)
	_, err = b.st.S3.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b.bucket, Key: &key, UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(make([]byte, part))})
	require.NoError(t, err)
}

func (b *testBundle) uploads(t *testing.T, prefix string) []string {
	t.Helper()
	ups, err := b.st.ListUploads(context.Background(), b.bucket, prefix)
	require.NoError(t, err)
	keys := []string{}
	for _, u := range ups {
		keys = append(keys, u.Key)
	}
	return keys
}

func TestAbortUploads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("UnderPrefixOnly", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.start(t, "t/a/files/1")
		b.start(t, "t/a/files/1")
		b.start(t, "t/a/exports/2")
		b.start(t, "t/b/files/3")
		n, err := b.st.AbortUploads(ctx, b.bucket, "t/a/")
		require.NoError(t, err)
		require.Equal(t, 3, n)
		require.Empty(t, b.uploads(t, "t/a/"))
		require.Equal(t, []string{"t/b/files/3"}, b.uploads(t, ""), "another prefix keeps its upload")
		n, err = b.st.AbortUploads(ctx, b.bucket, "t/a/")
		require.NoError(t, err)
		require.Zero(t, n, "nothing left: counted once")
	})

	t.Run("OfOneKeyExactly", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.start(t, "t/a/files/1")
		b.start(t, "t/a/files/10")
		n, err := b.st.AbortUploadsOf(ctx, b.bucket, "t/a/files/1")
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.Equal(t, []string{"t/a/files/10"}, b.uploads(t, ""))
	})

	t.Run("DeletePrefixTakesThemToo", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		require.NoError(t, b.st.Put(ctx, "uk", "t/a/files/1", bytes.NewReader([]byte("x")), "text/plain"))
		b.start(t, "t/a/files/2")
		n, err := b.st.DeletePrefix(ctx, "uk", "t/a/")
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.Empty(t, b.uploads(t, ""))
	})

	t.Run("MissingBucketHasNone", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		n, err := b.st.AbortUploads(ctx, b.bucket+"-nothing", "t/")
		require.NoError(t, err)
		require.Zero(t, n)
	})
}

// failingReader gives n bytes, then calls fail and returns its error.
type failingReader struct {
	n    int
	fail func() error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, r.fail()
	}
	k := min(len(p), r.n)
	clear(p[:k])
	r.n -= k
	return k, nil
}

// A failed upload leaves no part behind, also when it failed because its
// context ended (a client that went away, a worker being stopped): the
// abort runs on a context of its own.
func TestUploaderLeavesNoParts(t *testing.T) {
	t.Parallel()

	t.Run("BodyFails", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		body := &failingReader{n: 3 * part, fail: func() error { return errors.New("the writer failed") }}
		_, err := b.st.Uploader(part, 2).Upload(context.Background(), &transfermanager.UploadObjectInput{
			Bucket: &b.bucket, Key: aws.String("t/a/files/1"), Body: body})
		require.Error(t, err)
		require.Empty(t, b.uploads(t, ""))
	})

	t.Run("ContextCancelled", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ctx, cancel := context.WithCancel(context.Background())
		key := "t/a/files/2"
		body := &failingReader{n: 3 * part, fail: func() error {
			// The first parts are stored by now; then the request goes.
			require.Eventually(t, func() bool { return len(b.uploads(t, key)) > 0 }, 10*time.Second, 20*time.Millisecond)
			cancel()
			return context.Canceled
		}}
		_, err := b.st.Uploader(part, 2).Upload(ctx, &transfermanager.UploadObjectInput{
			Bucket: &b.bucket, Key: &key, Body: io.MultiReader(body)})
		require.Error(t, err)
		require.Empty(t, b.uploads(t, ""))
	})
}
