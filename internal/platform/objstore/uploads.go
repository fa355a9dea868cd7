package objstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// An incomplete multipart upload keeps the parts it received (8 MiB of a
// school's file or export each) where no listing of objects or versions
// shows them, until it is completed or aborted. Every failure path aborts
// what it started; when the store itself is down that cannot work, so
// erasure, contract-end deletion and the files purge also list uploads
// under what they remove and abort them, and each bucket gets a lifecycle
// rule that aborts any upload left for AbortAfterDays (where the store has
// lifecycle rules: versitygw has not).

// FailTimeout bounds the abort after a failed upload. It runs on a fresh
// context, so an upload whose request was cancelled (a client that went
// away, a worker being stopped) still aborts its parts.
const FailTimeout = 30 * time.Second

// AbortAfterDays is when a bucket's lifecycle rule aborts an upload left
// incomplete (S3's shortest): a backstop for what the platform missed.
const AbortAfterDays = 1

// AbortRuleID names that rule among a bucket's lifecycle rules.
const AbortRuleID = "lms-abort-incomplete-multipart-uploads"

// Upload is an incomplete multipart upload.
type Upload struct {
	Key, UploadID string
	Initiated     time.Time
}

// ListUploads lists the incomplete multipart uploads under prefix in
// bucket (a missing bucket has none).
func (s *Store) ListUploads(ctx context.Context, bucket, prefix string) ([]Upload, error) {
	var out []Upload
	p := s3.NewListMultipartUploadsPaginator(s.S3, &s3.ListMultipartUploadsInput{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			var api smithy.APIError
			if errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket" {
				return nil, nil
			}
			return out, fmt.Errorf("objstore: list uploads under %s: %w", prefix, err)
		}
		for _, u := range page.Uploads {
			out = append(out, Upload{Key: aws.ToString(u.Key), UploadID: aws.ToString(u.UploadId), Initiated: aws.ToTime(u.Initiated)})
		}
	}
	return out, nil
}

// Abort aborts one upload and reports whether it was still there: one
// already aborted or completed is no error.
func (s *Store) Abort(ctx context.Context, bucket string, u Upload) (bool, error) {
	_, err := s.S3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: &u.Key, UploadId: &u.UploadID})
	var gone *types.NoSuchUpload
	if errors.As(err, &gone) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("objstore: abort upload of %s: %w", u.Key, err)
	}
	return true, nil
}

// AbortUploads aborts every incomplete multipart upload under prefix in
// bucket and says how many it aborted.
func (s *Store) AbortUploads(ctx context.Context, bucket, prefix string) (int, error) {
	return s.abortWhere(ctx, bucket, prefix, func(string) bool { return true })
}

// AbortUploadsOf aborts every incomplete multipart upload of exactly key.
func (s *Store) AbortUploadsOf(ctx context.Context, bucket, key string) (int, error) {
	return s.abortWhere(ctx, bucket, key, func(k string) bool { return k == key })
}

func (s *Store) abortWhere(ctx context.Context, bucket, prefix string, match func(string) bool) (int, error) {
	ups, err := s.ListUploads(ctx, bucket, prefix)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range ups {
		if !match(u.Key) {
			continue
		}
		ok, err := s.Abort(ctx, bucket, u)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// Uploader streams bodies of unknown length to the store as multipart
// uploads, and leaves no part behind when one fails.
type Uploader struct {
	store *Store
	tm    *transfermanager.Client
}

// Uploader returns an Uploader with partSize-byte parts, concurrency parts
// in flight (0: the transfer manager's defaults).
func (s *Store) Uploader(partSize int64, concurrency int) *Uploader {
	tm := transfermanager.New(s.S3, func(o *transfermanager.Options) {
		if partSize > 0 {
			o.PartSizeBytes = partSize
			o.MultipartUploadThreshold = partSize
		}
		if concurrency > 0 {
			o.Concurrency = concurrency
		}
		o.FailTimeout = FailTimeout
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	return &Uploader{store: s, tm: tm}
}

// Upload stores in.Body at in.Bucket/in.Key. If it fails, the transfer
// manager aborts the upload it started; Upload then aborts any upload of
// the key still there (the first abort failed, or the store made an
// upload whose id never reached us). If the store cannot be reached even
// for that, the error says so and the caller's record of the key (a file
// row, an export) is what a later purge or deletion aborts it by.
func (u *Uploader) Upload(ctx context.Context, in *transfermanager.UploadObjectInput) (*transfermanager.UploadObjectOutput, error) {
	out, err := u.tm.UploadObject(ctx, in)
	if err == nil {
		return out, nil
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), FailTimeout)
	defer cancel()
	if _, aerr := u.store.AbortUploadsOf(actx, aws.ToString(in.Bucket), aws.ToString(in.Key)); aerr != nil {
		return nil, fmt.Errorf("%w (its parts could not be aborted yet: %v)", err, aerr)
	}
	return nil, err
}

// ensureAbortRule adds AbortRuleID to bucket's lifecycle rules, keeping
// any others. A store without lifecycle rules (versitygw answers
// NotImplemented) or credentials without the permission only get a
// warning, once per bucket: the rule is a backstop, and the platform
// aborts what it leaves by itself.
func (s *Store) ensureAbortRule(ctx context.Context, bucket string) {
	if _, done := s.ruled.Load(bucket); done {
		return
	}
	err := s.putAbortRule(ctx, bucket)
	var api smithy.APIError
	switch {
	case err == nil:
		s.ruled.Store(bucket, true)
	case errors.As(err, &api) && (api.ErrorCode() == "NotImplemented" || api.ErrorCode() == "AccessDenied"):
		s.ruled.Store(bucket, true)
		slog.WarnContext(ctx, "objstore: bucket has no lifecycle rule to abort incomplete multipart uploads; the platform aborts its own (add the rule by hand where the store has them)",
			"bucket", bucket, "code", api.ErrorCode())
	default:
		slog.WarnContext(ctx, "objstore: lifecycle rule not set; tried again next time", "bucket", bucket, "err", err)
	}
}

func (s *Store) putAbortRule(ctx context.Context, bucket string) error {
	var rules []types.LifecycleRule
	got, err := s.S3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
	var api smithy.APIError
	switch {
	case err == nil:
		rules = got.Rules
	case errors.As(err, &api) && api.ErrorCode() == "NoSuchLifecycleConfiguration":
	default:
		return err
	}
	for _, r := range rules {
		if aws.ToString(r.ID) == AbortRuleID {
			return nil
		}
	}
	rules = append(rules, types.LifecycleRule{
		ID: aws.String(AbortRuleID), Status: types.ExpirationStatusEnabled,
		Filter:                         &types.LifecycleRuleFilter{Prefix: aws.String("")},
		AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(AbortAfterDays)},
	})
	_, err = s.S3.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: &bucket,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
	return err
}
