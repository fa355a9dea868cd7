package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/objstore"
)

const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cleanups runs registered teardown steps last-in first-out, exactly once,
// whatever ended the run (error, panic, ctrl-C).
type cleanups struct {
	mu    sync.Mutex
	steps []cleanupStep
	done  bool
}

type cleanupStep struct {
	name string
	fn   func(ctx context.Context) error
}

func (c *cleanups) add(name string, fn func(ctx context.Context) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, cleanupStep{name, fn})
}

func (c *cleanups) run() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return nil
	}
	c.done = true
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var errs []error
	for i := len(c.steps) - 1; i >= 0; i-- {
		if err := c.steps[i].fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("cleanup %s: %w", c.steps[i].name, err))
		}
	}
	return errors.Join(errs...)
}

// benchDB is the run's own database, dropped at the end.
type benchDB struct {
	AdminURL, Name, OwnerURL, AppURL string
}

// createDatabase makes and migrates a fresh database lms_bench_<hex>, like
// dbtest does for a test, and registers its removal.
func createDatabase(ctx context.Context, cl *cleanups) (*benchDB, error) {
	d := &benchDB{AdminURL: getenv("LMS_ADMIN_DATABASE_URL", defaultAdminURL), Name: "lms_bench_" + randHex(6)}
	if err := database.EnsureRoles(ctx, d.AdminURL); err != nil {
		return nil, err
	}
	if err := database.EnsureDatabase(ctx, d.AdminURL, d.Name, ""); err != nil {
		return nil, err
	}
	benchDBName = d.Name
	cl.add("drop database "+d.Name, func(ctx context.Context) error {
		return database.DropDatabase(ctx, d.AdminURL, d.Name)
	})
	var err error
	if d.OwnerURL, err = database.RoleURL(d.AdminURL, database.OwnerRole, d.Name); err != nil {
		return nil, err
	}
	if d.AppURL, err = database.RoleURL(d.AdminURL, database.ServerRole, d.Name); err != nil {
		return nil, err
	}
	if err := database.Migrate(ctx, d.OwnerURL, io.Discard); err != nil {
		return nil, err
	}
	return d, nil
}

// newStore returns a client for the local S3 server with a bucket prefix of
// this run's own, and registers the removal of every bucket made under it.
func newStore(ctx context.Context, cl *cleanups) (*objstore.Store, objstore.Config, error) {
	cfg := objstore.Config{
		Endpoint:     getenv("LMS_S3_ENDPOINT", "http://127.0.0.1:7070"),
		Region:       getenv("LMS_S3_REGION", "eu-west-2"),
		AccessKey:    getenv("LMS_S3_ACCESS_KEY", "lmsdev"),
		SecretKey:    getenv("LMS_S3_SECRET_KEY", "lmsdev-secret-key"),
		BucketPrefix: "lmsbench-" + randHex(4),
		PathStyle:    true,
	}
	st := objstore.New(cfg)
	if err := st.Ready(ctx); err != nil {
		return nil, cfg, fmt.Errorf("S3 server at %s: %w (run `make bench`, which starts it)", cfg.Endpoint, err)
	}
	cl.add("delete buckets "+cfg.BucketPrefix+"-*", func(ctx context.Context) error {
		out, err := st.S3.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			return err
		}
		var errs []error
		for _, b := range out.Buckets {
			if b.Name != nil && strings.HasPrefix(*b.Name, cfg.BucketPrefix+"-") {
				errs = append(errs, st.EmptyAndDeleteBucket(ctx, *b.Name))
			}
		}
		return errors.Join(errs...)
	})
	return st, cfg, nil
}

// newApp makes the run's own database and buckets and builds the platform
// over them, as `lms serve` would; part names the bench part in cleanups.
func newApp(ctx context.Context, o opts, cl *cleanups, part string, tweak ...func(*config.Config)) (*app.App, *benchDB, error) {
	db, err := createDatabase(ctx, cl)
	if err != nil {
		return nil, nil, err
	}
	store, _, err := newStore(ctx, cl)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load()
	if err != nil {
		return nil, nil, err
	}
	cfg.Env = "test"
	cfg.DatabaseURL, cfg.MigrateDatabaseURL, cfg.AdminDatabaseURL = db.AppURL, db.OwnerURL, ""
	cfg.DatabaseMaxConns = int32(o.dbConns)
	for _, f := range tweak {
		f(&cfg)
	}
	appDB, err := database.Open(ctx, db.AppURL, cfg.DatabaseMaxConns)
	if err != nil {
		return nil, nil, err
	}
	cl.add("close "+part+" app database pool", func(context.Context) error { appDB.Close(); return nil })
	a, err := app.Build(cfg, appDB, store)
	return a, db, err
}
