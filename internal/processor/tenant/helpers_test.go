package tenant_test

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func replace(s, old, new string) string { return strings.Replace(s, old, new, 1) }

func headBucket(b string) *s3.HeadBucketInput { return &s3.HeadBucketInput{Bucket: &b} }
