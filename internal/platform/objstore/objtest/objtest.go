// Package objtest gives a test a Store on the real S3-compatible server with
// a bucket prefix of its own; every bucket made under it is removed when the
// test ends.
package objtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/schoolcloud/lms/internal/platform/objstore"
)

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Config is the test server's configuration, from the same variables the
// service reads (deploy/local/services.sh writes them), with a random prefix.
func Config() objstore.Config {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return objstore.Config{
		Endpoint:     env("LMS_S3_ENDPOINT", "http://127.0.0.1:7070"),
		Region:       env("LMS_S3_REGION", "eu-west-2"),
		AccessKey:    env("LMS_S3_ACCESS_KEY", "lmsdev"),
		SecretKey:    env("LMS_S3_SECRET_KEY", "lmsdev-secret-key"),
		BucketPrefix: "lmstest-" + hex.EncodeToString(b),
		PathStyle:    true,
	}
}

// New returns a Store whose buckets are deleted when t ends.
func New(t testing.TB) *objstore.Store { return NewFrom(t, Config()) }

// NewFrom is New with a given configuration (from Config); every bucket
// under its prefix is deleted when t ends, whoever made it.
func NewFrom(t testing.TB, cfg objstore.Config) *objstore.Store {
	t.Helper()
	st := objstore.New(cfg)
	if err := st.Ready(context.Background()); err != nil {
		t.Fatalf("objtest: S3 server not reachable at %s (run `make test`, which starts it): %v", cfg.Endpoint, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		out, err := st.S3.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Logf("objtest: list buckets: %v", err)
			return
		}
		for _, b := range out.Buckets {
			if strings.HasPrefix(*b.Name, cfg.BucketPrefix+"-") {
				if err := st.EmptyAndDeleteBucket(ctx, *b.Name); err != nil {
					t.Logf("objtest: delete bucket %s: %v", *b.Name, err)
				}
			}
		}
	})
	return st
}
