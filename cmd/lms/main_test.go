package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/keys"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// cliEnv points the commands at a fresh database and fresh buckets, as an
// operator's environment would in dev.
func cliEnv(t *testing.T) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	s3 := objtest.Config()
	objtest.NewFrom(t, s3)
	t.Setenv("LMS_ENV", "dev")
	t.Setenv("LMS_DATABASE_URL", db.AppURL)
	t.Setenv("LMS_MIGRATE_DATABASE_URL", db.OwnerURL)
	t.Setenv("LMS_S3_BUCKET_PREFIX", s3.BucketPrefix)
	return db
}

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

// Backups kept seven years and a day are refused at start-up, by name.
func TestBackupRetentionOverSevenYearsStopsStartUp(t *testing.T) {
	t.Setenv("LMS_BACKUP_RETENTION", "7y1d")
	_, err := run(t, "worker")
	require.ErrorContains(t, err, "LMS_BACKUP_RETENTION")
	require.ErrorContains(t, err, "at most 7 years")
}

// The CLI migrates, reports status, and applies the shipped manifests
// idempotently against a real database and object store.
func TestMigrateAndApplyTenants(t *testing.T) {
	db := cliEnv(t)

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
	root := newRoot()
	root.SetIn(strings.NewReader("a-new-staff-password\n"))
	root.SetOut(io.Discard)
	root.SetArgs([]string{"staff", "set-password", "--email", "ops@processor.example"})
	require.NoError(t, root.ExecuteContext(context.Background()))
	conn, err := pgx.Connect(context.Background(), db.OwnerURL)
	require.NoError(t, err)
	var hasPassword bool
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT password_hash IS NOT NULL FROM staff WHERE email = 'ops@processor.example'`).Scan(&hasPassword))
	require.NoError(t, conn.Close(context.Background()))
	require.True(t, hasPassword, "added without one, now set")
	root = newRoot()
	root.SetIn(strings.NewReader("short\n"))
	root.SetArgs([]string{"staff", "set-password", "--email", "ops@processor.example"})
	require.ErrorContains(t, root.ExecuteContext(context.Background()), "password")
	_, err = run(t, "tenants", "apply", t.TempDir())
	require.ErrorContains(t, err, "no manifests")

	out, err = run(t, "backup", "rewrap")
	require.NoError(t, err)
	require.Contains(t, out, "re-wrapped 0 tenant backup keys", "no backup made yet")

	out, err = run(t, "db", "citus-plan")
	require.NoError(t, err)
	require.Contains(t, out, "SELECT create_distributed_table('people', 'tenant_id'")
}

// `lms audit verify` passes on intact chains and fails, naming the record,
// after a row is edited directly in the database.
func TestAuditVerify(t *testing.T) {
	db := cliEnv(t)
	_, err := run(t, "tenants", "apply", "../../tenants")
	require.NoError(t, err)
	ctx := context.Background()
	var ids []uuid.UUID
	require.NoError(t, db.App.Gorm.Raw(`SELECT id FROM tenants ORDER BY slug LIMIT 1`).Scan(&ids).Error)
	require.Len(t, ids, 1)
	tenant := ids[0]
	for i := 0; i < 3; i++ {
		require.NoError(t, access.Transact(ctx, db.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
			_, err := audit.Append(tx, tenant, audit.Event{ActorKind: "staff", ActorName: "Sam Support", Basis: "support-grant", Action: "support.read", Target: "GET /people"})
			return err
		}))
	}
	out, err := run(t, "audit", "verify")
	require.NoError(t, err)
	require.Contains(t, out, "2 tenant chains intact")

	conn, err := pgx.Connect(ctx, db.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE audit_events SET target = 'GET /nothing' WHERE seq = 2`)
	require.ErrorContains(t, err, "append-only", "even the superuser must switch the trigger off first")
	_, err = conn.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE audit_events SET target = 'GET /nothing' WHERE seq = 2`)
	require.NoError(t, err)
	out, err = run(t, "audit", "verify")
	require.ErrorContains(t, err, "1 problem(s)")
	require.Contains(t, out, "record 2: content does not match its hash")
}

// `lms certificate verify` accepts a certificate signed with the platform's
// key and refuses one with a byte changed or checked against another key.
func TestCertificateVerify(t *testing.T) {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	t.Setenv("LMS_SIGNING_KEY_SECRET", base64.StdEncoding.EncodeToString(seed))
	cfg, err := config.Load()
	require.NoError(t, err)
	signer := cfg.Signer()
	body, err := json.Marshal(lifecycle.Certificate{Kind: "lms-deletion-certificate", Version: 1, TenantID: uuid.Must(uuid.NewV7()),
		ContractReference: "C-1", RowsRemoved: map[string]int64{"people": 3}, RowsTotal: 3, KeyID: signer.KeyID()})
	require.NoError(t, err)
	file, err := json.Marshal(lifecycle.Signed{Certificate: body, Signature: signer.Sign(body), KeyID: signer.KeyID(), PublicKey: signer.Public()})
	require.NoError(t, err)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(good, file, 0o600))
	tampered := bytes.Replace(file, []byte(`"C-1"`), []byte(`"C-2"`), 1)
	require.NotEqual(t, file, tampered)
	require.NoError(t, os.WriteFile(bad, tampered, 0o600))

	out, err := run(t, "certificate", "verify", good)
	require.NoError(t, err)
	require.Contains(t, out, "valid")
	_, err = run(t, "certificate", "verify", bad)
	require.ErrorContains(t, err, "NOT VALID")
	_, err = run(t, "certificate", "verify", "--public-key", keys.DevSigner().Public(), good)
	require.ErrorContains(t, err, "NOT VALID", "another key")
	out, err = run(t, "certificate", "public-key")
	require.NoError(t, err)
	require.Contains(t, out, signer.Public())

	// After a rotation the old certificate still checks, by the retired
	// public key its key_id names; without that key it cannot be checked.
	seed[0] ^= 0xff
	t.Setenv("LMS_SIGNING_KEY_SECRET", base64.StdEncoding.EncodeToString(seed))
	_, err = run(t, "certificate", "verify", good)
	require.ErrorContains(t, err, "does not know")
	t.Setenv("LMS_SIGNING_RETIRED_PUBLIC_KEYS", signer.Public())
	out, err = run(t, "certificate", "verify", good)
	require.NoError(t, err)
	require.Contains(t, out, "valid")
	t.Setenv("LMS_SIGNING_RETIRED_PUBLIC_KEYS", "not-a-key")
	_, err = run(t, "certificate", "verify", good)
	require.ErrorContains(t, err, "LMS_SIGNING_RETIRED_PUBLIC_KEYS")
}
