package backup_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/backup"
)

// A restore puts a backup into a fresh tenant with its rows and files,
// but not the people erased since the backup was made, including after
// the tenant's own data (and its erasure ledger) was deleted at contract
// end; restoring a deleted tenant needs a recorded instruction; the
// original and other tenants are untouched; only operators restore.
func TestRestoreAfterErasureDoesNotBringThemBack(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	svcs := demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}
	for _, tn := range []uuid.UUID{e.A.ID, e.B.ID} {
		_, err := demo.Seed(ctx, svcs, tn)
		require.NoError(t, err)
	}
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	count := func(q string, args ...any) int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, q, args...).Scan(&n))
		return n
	}
	fingerprint := func(tn uuid.UUID) string {
		var s string
		require.NoError(t, conn.QueryRow(ctx, `SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
			SELECT p::text AS x FROM people p WHERE tenant_id = $1 UNION ALL SELECT f::text FROM files f WHERE tenant_id = $1
			UNION ALL SELECT c::text FROM courses c WHERE tenant_id = $1) t`, tn).Scan(&s))
		return s
	}
	adminA := access.Member(e.A.ID, e.A.AdminID)
	alex, err := e.App.Identity.FindByUsername(ctx, adminA, "alex.learner")
	require.NoError(t, err)
	peopleA := count(`SELECT count(*) FROM people WHERE tenant_id = $1`, e.A.ID)
	filesA := count(`SELECT count(*) FROM files WHERE tenant_id = $1 AND status = 'ready'`, e.A.ID)
	require.Greater(t, filesA, 0)

	b, err := e.App.Backups.Make(ctx, e.A.ID)
	require.NoError(t, err)
	_, err = e.App.Subjects.Erase(ctx, adminA, alex.ID, nil)
	require.NoError(t, err)
	beforeB := fingerprint(e.B.ID)

	op, _, err := e.App.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", "operator", apptest.OperatorPassword)
	require.NoError(t, err)
	sup, _, err := e.App.Identity.EnsureStaff(ctx, e.Support, "Sam Support", "support", apptest.SupportPassword)
	require.NoError(t, err)
	_, err = e.App.Backups.StartRestore(ctx, sup.ID, b.ID, uuid.Nil, backup.RestoreRequest{Slug: "tenant-a-back"})
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = e.App.Backups.StartRestore(ctx, op.ID, b.ID, uuid.Nil, backup.RestoreRequest{Slug: "Not A Slug"})
	require.ErrorIs(t, err, errs.ErrInvalid)
	_, err = e.App.Backups.StartRestore(ctx, op.ID, b.ID, e.B.ID, backup.RestoreRequest{Slug: "tenant-a-back"})
	require.ErrorIs(t, err, errs.ErrNotFound, "not a backup of that tenant")
	_, err = e.App.Backups.StartRestore(ctx, op.ID, b.ID, uuid.Nil, backup.RestoreRequest{Slug: e.B.Slug})
	require.ErrorIs(t, err, errs.ErrInvalid, "a slug in use")

	check := func(slug string) backup.Restore {
		t.Helper()
		r, err := e.App.Backups.StartRestore(ctx, op.ID, b.ID, uuid.Nil, backup.RestoreRequest{Slug: slug, Instruction: "school's instruction SCH-9"})
		require.NoError(t, err)
		require.NoError(t, e.App.Backups.RunRestore(ctx, r.ID, ""))
		r, err = e.App.Backups.GetRestore(ctx, r.ID)
		require.NoError(t, err)
		require.Equal(t, "done", string(r.Status), r.Error)
		require.Equal(t, 1, r.PeopleErased, "Alex is erased again")
		require.Greater(t, r.RowsRestored, int64(20))
		require.Equal(t, filesA, r.FilesRestored, "every stored file of A is in the backup")
		nt := r.TargetTenant
		require.Zero(t, count(`SELECT count(*) FROM people WHERE tenant_id = $1 AND (id = $2 OR username = 'alex.learner')`, nt, alex.ID), "the erased person does not come back")
		require.Equal(t, peopleA-1, count(`SELECT count(*) FROM people WHERE tenant_id = $1`, nt))
		require.Equal(t, 1, count(`SELECT count(*) FROM people WHERE tenant_id = $1 AND username = 'sam.learner'`, nt))
		require.Equal(t, 1, count(`SELECT count(*) FROM erasure_ledger WHERE tenant_id = $1`, nt), "the restored tenant's own ledger names them")
		require.Greater(t, count(`SELECT count(*) FROM enrolments WHERE tenant_id = $1`, nt), 0)
		require.Zero(t, count(`SELECT count(*) FROM member_credentials WHERE tenant_id = $1`, nt), "no sessions come back")
		require.Zero(t, count(`SELECT count(*) FROM files WHERE tenant_id = $1 AND status <> 'ready'`, nt), "the erased person's files are purged at once")
		// Every restored file is under the new tenant's prefix, with its bytes.
		rows, err := conn.Query(ctx, `SELECT object_key, size_bytes FROM files WHERE tenant_id = $1 AND status = 'ready'`, nt)
		require.NoError(t, err)
		type obj struct {
			Key  string
			Size int64
		}
		objs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[obj])
		require.NoError(t, err)
		require.NotEmpty(t, objs)
		bucket := e.App.Store.Bucket("uk")
		for _, o := range objs {
			require.True(t, strings.HasPrefix(o.Key, "t/"+nt.String()+"/"), o.Key)
			out, err := e.App.Store.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &o.Key})
			require.NoError(t, err, o.Key)
			body, _ := io.ReadAll(out.Body)
			out.Body.Close()
			require.EqualValues(t, o.Size, len(body))
		}
		// Its audit chain is whole and starts with the restore.
		require.NoError(t, access.Transact(ctx, e.App.DB, access.System(nt, "test"), func(tx *gorm.DB) error {
			problems, err := audit.Verify(tx, nt)
			require.Empty(t, problems)
			return err
		}))
		require.Equal(t, 1, count(`SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND seq = 1 AND action = 'tenant.restored'`, nt))
		return r
	}
	check("tenant-a-back")
	require.Equal(t, beforeB, fingerprint(e.B.ID), "tenant B is untouched")

	// The school's data deleted at contract end (its erasure ledger with
	// it): a restore now needs an instruction, and still erases Alex.
	_, err = conn.Exec(ctx, `UPDATE contracts SET status = 'deleted' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `DELETE FROM erasure_ledger WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	_, err = e.App.Backups.StartRestore(ctx, op.ID, b.ID, uuid.Nil, backup.RestoreRequest{Slug: "tenant-a-again"})
	require.ErrorIs(t, err, errs.ErrInvalid, "no instruction recorded")
	r := check("tenant-a-again")
	require.Equal(t, "school's instruction SCH-9", r.Instruction)

	// A destroyed key: nothing can be restored.
	require.NoError(t, e.App.Backups.DestroyKey(ctx, e.A.ID, "school instruction"))
	_, err = e.App.Backups.StartRestore(ctx, op.ID, b.ID, uuid.Nil, backup.RestoreRequest{Slug: "tenant-a-never", Instruction: "x"})
	require.ErrorIs(t, err, errs.ErrConflict)
	require.Zero(t, count(`SELECT count(*) FROM tenants WHERE slug = 'tenant-a-never'`))
}
