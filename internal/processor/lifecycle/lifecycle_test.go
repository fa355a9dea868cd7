package lifecycle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/keys"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// tenantRows is, per table with a tenant_id column, the count and a
// checksum of tenant's rows, read as the database's administrator (no
// row-level security).
func tenantRows(t *testing.T, conn *pgx.Conn, tenant uuid.UUID) map[string]string {
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' ORDER BY 1`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	out := map[string]string{}
	for _, tbl := range tables {
		var n int64
		var sum string
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM `+
			pgx.Identifier{tbl}.Sanitize()+` t WHERE tenant_id = $1`, tenant).Scan(&n, &sum))
		if n > 0 {
			out[tbl] = strings.Join([]string{itoa(n), sum}, ":")
		}
	}
	return out
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// versions lists every object version and delete marker under prefix.
func versions(t *testing.T, e *apptest.Env, region, prefix string) []string {
	bucket := e.App.Store.Bucket(region)
	var out []string
	p := s3.NewListObjectVersionsPaginator(e.App.Store.S3, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, v := range page.Versions {
			out = append(out, *v.Key+"@"+*v.VersionId)
		}
		for _, m := range page.DeleteMarkers {
			out = append(out, *m.Key+"@"+*m.VersionId+"(marker)")
		}
	}
	return out
}

// Deleting tenant A at contract end leaves no row with A's id in any table
// but its tombstone and no object or version under its prefix, leaves
// tenant B exactly as it was, survives being stopped twice (in the tables
// and in the objects) with the same end state and counts, and ends with a
// certificate that verifies and fails after one byte changes.
func TestContractEndDeletion(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	svcs := demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}
	for _, tn := range []uuid.UUID{e.A.ID, e.B.ID} {
		_, err := demo.Seed(ctx, svcs, tn)
		require.NoError(t, err)
	}
	// A's audit log, consents, an export and an erasure ledger entry, and an
	// object with several versions and a delete marker.
	adminA := access.Member(e.A.ID, e.A.AdminID)
	sam, err := e.App.Identity.FindByUsername(ctx, adminA, "sam.learner")
	require.NoError(t, err)
	_, err = e.App.Consents.Set(ctx, access.Member(e.A.ID, sam.ID), sam.ID, consent.Change{Purpose: "photo-video", Given: true})
	require.NoError(t, err)
	x, err := e.App.Subjects.StartExport(ctx, adminA, sam.ID, nil)
	require.NoError(t, err)
	require.NoError(t, e.App.Subjects.RunExport(ctx, e.A.ID, x.ID))
	alex, err := e.App.Identity.FindByUsername(ctx, adminA, "alex.learner")
	require.NoError(t, err)
	_, err = e.App.Subjects.Erase(ctx, adminA, alex.ID, nil)
	require.NoError(t, err)
	key := "t/" + e.A.ID.String() + "/scratch/note.txt"
	for _, body := range []string{"one", "two"} {
		require.NoError(t, e.App.Store.Put(ctx, "uk", key, strings.NewReader(body), "text/plain"))
	}
	bucket := e.App.Store.Bucket("uk")
	_, err = e.App.Store.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)

	held, err := e.App.Backups.Make(ctx, e.A.ID)
	require.NoError(t, err)
	// Uploads that never completed (the store was down for their abort,
	// their worker died), in the data bucket and the backup bucket.
	for _, b := range []string{bucket, e.App.Backups.Bucket("uk")} {
		k := "t/" + e.A.ID.String() + "/files/stuck"
		up, err := e.App.Store.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: &k})
		require.NoError(t, err)
		_, err = e.App.Store.S3.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: &k, UploadId: up.UploadId, PartNumber: aws.Int32(1),
			Body: strings.NewReader("Sam Learner, born 2014-03-02")})
		require.NoError(t, err)
	}
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	beforeA, beforeB := tenantRows(t, conn, e.A.ID), tenantRows(t, conn, e.B.ID)
	require.Contains(t, beforeA, "audit_events")
	require.Contains(t, beforeA, "erasure_ledger")
	objectsA, objectsB := versions(t, e, "uk", "t/"+e.A.ID.String()+"/"), versions(t, e, "ie", "t/"+e.B.ID.String()+"/")
	require.Greater(t, len(objectsA), 5)
	require.NotEmpty(t, objectsB)

	// The school instructs that its backup key be destroyed (crypto-shredding).
	require.NoError(t, e.App.Backups.DestroyKey(ctx, e.A.ID, "school instruction SCH-7 of 2026-12-01"))

	// Not before the contract and its return window have ended.
	op, _, err := e.App.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", "operator", apptest.OperatorPassword)
	require.NoError(t, err)
	_, err = e.App.Lifecycle.Start(ctx, op.ID, e.A.ID)
	require.ErrorIs(t, err, errs.ErrConflict)
	// Backdating the end date does not shorten the return window: it runs
	// from when the date was set.
	_, err = conn.Exec(ctx, `UPDATE contracts SET starts_on = current_date - 400 WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	past := tenant.Date{Time: time.Now().AddDate(0, 0, -60)}
	_, err = e.App.Tenants.SetContractEnd(ctx, e.A.ID, tenant.EndOn(&past))
	require.NoError(t, err)
	_, err = e.App.Lifecycle.Start(ctx, op.ID, e.A.ID)
	require.ErrorIs(t, err, errs.ErrConflict, "the window runs from today, when the end date was set")
	_, err = conn.Exec(ctx, `UPDATE contracts SET ends_on = current_date - 31, updated_at = now() - interval '31 days' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	d, err := e.App.Lifecycle.Start(ctx, op.ID, e.A.ID)
	require.NoError(t, err)
	_, err = e.App.Lifecycle.Start(ctx, op.ID, e.A.ID)
	require.ErrorIs(t, err, errs.ErrConflict, "one deletion per tenant")

	// A worker stopped half-way through the tables, another stopped after
	// its first page of objects, a third finishes.
	q, err := jobs.NewEnqueuer(e.App.DB)
	require.NoError(t, err)
	signer := e.App.Config.Signer()
	worker := func(stopAt func(string) bool) error {
		s := lifecycle.NewService(e.App.DB, e.App.Store, signer, q)
		lifecycle.PageSize(s, 2)
		run, cancel := context.WithCancel(ctx)
		defer cancel()
		lifecycle.OnStep(s, func(step string) {
			if stopAt(step) {
				cancel()
			}
		})
		return s.Run(run, d.ID)
	}
	tables := 0
	err = worker(func(step string) bool { tables++; return strings.HasPrefix(step, "table:") && tables == 10 })
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	mid, err := e.App.Lifecycle.Get(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, "failed", string(mid.Status))
	require.Equal(t, 10, mid.TablesDone)
	steps := []string{}
	err = worker(func(step string) bool { steps = append(steps, step); return step == "uploads" })
	require.True(t, errors.Is(err, context.Canceled), "%v; steps %v", err, steps)
	steps = []string{}
	err = worker(func(step string) bool { steps = append(steps, step); return step == "objects" })
	mid2, _ := e.App.Lifecycle.Get(ctx, e.A.ID)
	require.True(t, errors.Is(err, context.Canceled), "%v; steps %v; %+v", err, steps, mid2)
	var jobRows int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job j WHERE strpos(j::text, $1) > 0`, e.A.ID.String()).Scan(&jobRows))
	require.Positive(t, jobRows, "the export's job names the tenant")
	require.NoError(t, worker(func(string) bool { return false }))

	// The contract cannot change while its data is being deleted, and
	// nothing can be written under the tenant's id afterwards.
	_, err = e.App.Tenants.SetContractEnd(ctx, e.A.ID, tenant.EndOn(nil))
	require.ErrorIs(t, err, errs.ErrConflict)
	sup, _, err := e.App.Identity.EnsureStaff(ctx, e.Support, "Sam Support", "support", apptest.SupportPassword)
	require.NoError(t, err)
	_, err = e.App.Support.File(ctx, sup.ID, e.A.ID, support.NewRequest{Ticket: "T-9", ReasonCode: "fault", Justification: "after deletion", Areas: []string{"courses"}})
	require.ErrorIs(t, err, errs.ErrNotFound)
	done, err := e.App.Lifecycle.Get(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, "done", string(done.Status))
	require.Equal(t, done.TablesTotal, done.TablesDone)
	left := tenantRows(t, conn, e.A.ID)
	for tbl := range left {
		require.Contains(t, []string{"contracts", "deletions", "deletion_certificates", "backups", "backup_keys", "backup_erasures"}, tbl, "%s still has rows of tenant A", tbl)
	}
	require.Empty(t, versions(t, e, "uk", "t/"+e.A.ID.String()+"/"), "no object or version under A's prefix")
	for _, b := range []string{bucket, e.App.Backups.Bucket("uk")} {
		ups, err := e.App.Store.ListUploads(ctx, b, "t/"+e.A.ID.String()+"/")
		require.NoError(t, err)
		require.Empty(t, ups, "no incomplete upload under A's prefix in %s", b)
	}
	var jobsLeft int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job j WHERE strpos(j::text, $1) > 0`, e.A.ID.String()).Scan(&jobsLeft))
	require.Zero(t, jobsLeft, "no job row names A")
	require.Equal(t, beforeB, tenantRows(t, conn, e.B.ID), "tenant B is untouched")
	require.Equal(t, objectsB, versions(t, e, "ie", "t/"+e.B.ID.String()+"/"))
	var name, status string
	require.NoError(t, conn.QueryRow(ctx, `SELECT t.name, c.status FROM tenants t JOIN contracts c ON c.tenant_id = t.id WHERE t.id = $1`, e.A.ID).Scan(&name, &status))
	require.Equal(t, "Deleted tenant", name)
	require.Equal(t, "deleted", status)

	// The certificate counts what was there, exactly once, and verifies.
	signed, err := e.App.Lifecycle.CertificateOf(ctx, e.A.ID)
	require.NoError(t, err)
	file, err := json.Marshal(signed)
	require.NoError(t, err)
	cert, err := lifecycle.Verify(file, signer.Public())
	require.NoError(t, err)
	for tbl, v := range beforeA {
		if tbl == "contracts" || tbl == "deletions" || tbl == "backups" || tbl == "backup_keys" || tbl == "backup_erasures" {
			continue
		}
		require.Equal(t, strings.SplitN(v, ":", 2)[0], itoa(cert.RowsRemoved[tbl]), "rows of %s", tbl)
	}
	require.EqualValues(t, len(objectsA), cert.VersionsRemoved)
	require.EqualValues(t, 2, cert.UploadsAborted, "each incomplete upload counted once, though a run stopped after aborting one")
	require.Equal(t, jobRows, cert.JobRowsRemoved)
	// The backup made before stays until it expires, and the certificate says so.
	require.Len(t, cert.Backups, 1)
	require.Equal(t, held.ID.String(), cert.Backups[0].ID)
	require.WithinDuration(t, held.ExpiresAt, cert.Backups[0].PurgeOn, time.Second)
	require.NotNil(t, cert.BackupKeyShredded, "the school asked for its backup key to be destroyed")
	require.Contains(t, cert.BackupNote, "none of them can be read")
	require.Equal(t, e.A.ID, cert.TenantID)
	require.Equal(t, "C-tenant-a", cert.ContractReference)
	for _, pd := range []string{"sam.learner", "Sam Learner", "School tenant-a", "admin@tenant-a"} {
		require.NotContains(t, string(file), pd, "the certificate holds no personal data")
	}
	i := bytes.Index(file, []byte(`"rows_total":`)) + len(`"rows_total":`)
	tampered := append([]byte{}, file...)
	tampered[i] = '9'
	if file[i] == '9' {
		tampered[i] = '8'
	}
	_, err = lifecycle.Verify(tampered, signer.Public())
	require.Error(t, err, "one byte changed")
	_, err = lifecycle.Verify(file, keys.DevSigner().Public()+"x")
	require.Error(t, err)
}
