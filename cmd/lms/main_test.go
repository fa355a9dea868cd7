package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// A bad value stops start-up with the variable's name.
func TestBadConfigStopsStartUp(t *testing.T) {
	t.Setenv("LMS_LOGIN_LOCKOUT", "soon")
	_, err := run(t, "serve")
	require.ErrorContains(t, err, "LMS_LOGIN_LOCKOUT")
}

// The CLI migrates, reports status, and applies the shipped manifests
// idempotently against a real database and object store.
func TestMigrateAndApplyTenants(t *testing.T) {
	db := dbtest.New(t)
	s3 := objtest.Config()
	objtest.NewFrom(t, s3)
	t.Setenv("LMS_ENV", "dev")
	t.Setenv("LMS_DATABASE_URL", db.AppURL)
	t.Setenv("LMS_MIGRATE_DATABASE_URL", db.OwnerURL)
	t.Setenv("LMS_S3_BUCKET_PREFIX", s3.BucketPrefix)

	_, err := run(t, "migrate")
	require.NoError(t, err)
	out, err := run(t, "migrate", "status")
	require.NoError(t, err)
	require.Contains(t, out, "00001_platform.sql")
	require.NotContains(t, out, "pending")
	require.Regexp(t, `job engine: (\d+) of \d+ migrations applied`, out)
	out, err = run(t, "tenants", "apply", "../../tenants")
	require.NoError(t, err)
	require.Contains(t, out, "created tenant oakfield-primary")
	require.Contains(t, out, "created tenant northern-lights-trust")
	out, err = run(t, "tenants", "apply", "../../tenants")
	require.NoError(t, err)
	require.Contains(t, out, "oakfield-primary")
	require.NotContains(t, out, "created")
	require.Contains(t, out, "unchanged")

	_, err = run(t, "staff", "add", "--email", "ops@processor.example", "--name", "Ops", "--role", "operator")
	require.NoError(t, err)
	_, err = run(t, "staff", "add", "--email", "ops@processor.example", "--name", "Ops", "--role", "janitor")
	require.ErrorContains(t, err, "role")
	_, err = run(t, "tenants", "apply", t.TempDir())
	require.ErrorContains(t, err, "no manifests")
}
