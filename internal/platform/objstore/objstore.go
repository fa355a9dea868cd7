// Package objstore talks to the S3-compatible object store. Each data region
// has its own bucket, {prefix}-{region}; a tenant's objects live under
// t/{tenant_id}/ in the bucket of its region, never elsewhere.
package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Config selects the endpoint and credentials.
type Config struct {
	Endpoint, Region, AccessKey, SecretKey, BucketPrefix string
	PathStyle                                            bool
}

// Store is a client for the object store.
type Store struct {
	S3     *s3.Client
	Presig *s3.PresignClient
	calls  *calls
	prefix string
	region string
	ruled  sync.Map // bucket → its abort rule is set, or cannot be
}

// New builds a client. It does not contact the server; see Ready.
func New(c Config) *Store {
	opts := s3.Options{
		Region:       c.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, ""),
		UsePathStyle: c.PathStyle,
		BaseEndpoint: nilIfEmpty(c.Endpoint),
		// Local S3 servers do not all speak the newest checksum defaults.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	// Presigning calls nothing: its client goes uncounted.
	presig := s3.NewPresignClient(s3.New(opts))
	calls := newCalls()
	opts.APIOptions = append(opts.APIOptions, calls.observe)
	return &Store{S3: s3.New(opts), Presig: presig, calls: calls, prefix: c.BucketPrefix, region: c.Region}
}

// createBucket creates bucket in the store's region: AWS refuses a
// CreateBucket without a LocationConstraint outside us-east-1.
func (s *Store) createBucket(ctx context.Context, bucket string, locked bool) error {
	in := &s3.CreateBucketInput{Bucket: &bucket}
	if s.region != "" && s.region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(s.region)}
	}
	if locked {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	_, err := s.S3.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	if errors.As(err, &owned) {
		return nil
	}
	// BucketAlreadyExists is someone else's bucket (names are global on
	// AWS): an error, never a bucket to write schools' data into.
	return err
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Bucket is the bucket that holds a data region's objects.
func (s *Store) Bucket(region string) string { return s.prefix + "-" + region }

// EnsureBucket creates the region's bucket, with versioning, if it is
// missing, and gives it the rule that aborts abandoned multipart uploads
// (where the store has lifecycle rules).
func (s *Store) EnsureBucket(ctx context.Context, region string) error {
	b := s.Bucket(region)
	if _, err := s.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b}); err == nil {
		s.ensureAbortRule(ctx, b)
		return nil
	}
	if err := s.createBucket(ctx, b, false); err != nil {
		return fmt.Errorf("objstore: create bucket %s: %w", b, err)
	}
	_, err := s.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	if err != nil {
		return fmt.Errorf("objstore: versioning on %s: %w", b, err)
	}
	s.ensureAbortRule(ctx, b)
	return nil
}

// Ready checks that the store answers and accepts our credentials.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := s.S3.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)}); err != nil {
		return fmt.Errorf("objstore: %w", err)
	}
	return nil
}

// EmptyAndDeleteBucket removes every object version and the bucket. Used by
// tests to clean up after themselves.
func (s *Store) EmptyAndDeleteBucket(ctx context.Context, bucket string) error {
	if _, err := s.deleteUnder(ctx, bucket, ""); err != nil {
		var nb *types.NoSuchBucket
		if errors.As(err, &nb) {
			return nil
		}
		return err
	}
	_, err := s.S3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	return err
}

// DeletePrefix removes every object under prefix in region's bucket, with
// every version and delete marker (in a versioned bucket a plain delete
// only hides the bytes) and every incomplete multipart upload, and says
// how many versions went.
func (s *Store) DeletePrefix(ctx context.Context, region, prefix string) (int, error) {
	if prefix == "" {
		return 0, errors.New("objstore: refusing to delete a whole bucket by prefix")
	}
	return s.deleteUnder(ctx, s.Bucket(region), prefix)
}

func (s *Store) deleteUnder(ctx context.Context, bucket, prefix string) (int, error) {
	n := 0
	p := s3.NewListObjectVersionsPaginator(s.S3, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, err
		}
		var ids []types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) == 0 {
			continue
		}
		// Bypassing governance-mode locks needs its own permission, which
		// production credentials do not hold; tests' backups use it so they
		// can clean up (production backups are locked in compliance mode).
		out, err := s.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
			BypassGovernanceRetention: aws.Bool(true)})
		if err != nil {
			return n, fmt.Errorf("objstore: delete under %s: %w", prefix, err)
		}
		if len(out.Errors) > 0 {
			return n, fmt.Errorf("objstore: delete under %s: %s", prefix, aws.ToString(out.Errors[0].Message))
		}
		n += len(ids)
	}
	if _, err := s.AbortUploads(ctx, bucket, prefix); err != nil {
		return n, err
	}
	return n, nil
}

// Put writes one object from a seekable body (its length is known), into
// the bucket of region.
func (s *Store) Put(ctx context.Context, region, key string, body io.ReadSeeker, contentType string) error {
	size, err := body.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return err
	}
	b := s.Bucket(region)
	_, err = s.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: &key, Body: body, ContentLength: &size, ContentType: &contentType})
	if err != nil {
		return fmt.Errorf("objstore: put %s: %w", key, err)
	}
	return nil
}

// DeleteUnder removes every version, delete marker and incomplete
// multipart upload under prefix in bucket (a whole bucket is refused) and
// says how many versions went.
func (s *Store) DeleteUnder(ctx context.Context, bucket, prefix string) (int, error) {
	if prefix == "" {
		return 0, errors.New("objstore: refusing to delete a whole bucket by prefix")
	}
	return s.deleteUnder(ctx, bucket, prefix)
}

// EnsureLockedBucket creates bucket with S3 Object Lock (and so
// versioning) if it is missing, and reports whether the store supports
// Object Lock on it.
func (s *Store) EnsureLockedBucket(ctx context.Context, bucket string) (bool, error) {
	if _, err := s.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket}); err != nil {
		if err := s.createBucket(ctx, bucket, true); err != nil {
			// Refused permission is an error to fix, never a reason to
			// make the backup bucket without its lock.
			var api smithy.APIError
			if errors.As(err, &api) && api.ErrorCode() == "AccessDenied" {
				return false, fmt.Errorf("objstore: create locked bucket %s (grant s3:CreateBucket and s3:PutBucketObjectLockConfiguration, or create it): %w", bucket, err)
			}
			// A store without Object Lock: a plain versioned bucket.
			if err2 := s.createBucket(ctx, bucket, false); err2 != nil {
				return false, fmt.Errorf("objstore: create bucket %s: %w", bucket, err)
			}
		}
	}
	out, err := s.S3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &bucket})
	locked := err == nil && out.ObjectLockConfiguration != nil && out.ObjectLockConfiguration.ObjectLockEnabled == types.ObjectLockEnabledEnabled
	if !locked {
		if _, err := s.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			return false, fmt.Errorf("objstore: versioning on %s: %w", bucket, err)
		}
	}
	s.ensureAbortRule(ctx, bucket)
	return locked, nil
}
