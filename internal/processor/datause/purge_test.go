package datause_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/processor/datause"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type purgeBundle struct {
	e    *apptest.Env
	ctx  context.Context
	conn *pgx.Conn
	op   uuid.UUID
}

func purgeSetup(t *testing.T) purgeBundle {
	t.Helper()
	e := apptest.New(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(ctx) })
	op, _, err := e.App.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", "operator", apptest.OperatorPassword)
	require.NoError(t, err)
	return purgeBundle{e: e, ctx: ctx, conn: conn, op: op.ID}
}

// copyOf signs an agreement for tn and has a copy made under it.
func (b purgeBundle) copyOf(t *testing.T, tn apptest.Seeded, purpose string) (datause.Agreement, datause.Extract) {
	t.Helper()
	a, err := b.e.App.DataUse.Sign(b.ctx, access.Member(tn.ID, tn.AdminID), datause.NewAgreement{Terms: "Pseudonymised copies for testing only.",
		Purpose: purpose, StartsOn: "2026-01-01", EndsOn: "2028-12-31"})
	require.NoError(t, err)
	x, err := b.e.App.DataUse.RequestExtract(b.ctx, b.op, tn.ID)
	require.NoError(t, err)
	require.NoError(t, b.e.App.DataUse.RunQueued(b.ctx))
	return a, b.extract(t, tn, x.ID)
}

func (b purgeBundle) extract(t *testing.T, tn apptest.Seeded, id uuid.UUID) datause.Extract {
	t.Helper()
	all, err := b.e.App.DataUse.Extracts(b.ctx, tn.ID)
	require.NoError(t, err)
	for _, x := range all {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no copy %s", id)
	return datause.Extract{}
}

// versions are the object versions and delete markers under x's prefix.
func (b purgeBundle) versions(t *testing.T, region string, x datause.Extract) []string {
	t.Helper()
	bucket, prefix := b.e.App.Store.Bucket(region), "t/"+x.TenantID.String()+"/extracts/"+x.ID.String()+"/"
	var out []string
	p := s3.NewListObjectVersionsPaginator(b.e.App.Store.S3, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(b.ctx)
		require.NoError(t, err)
		for _, v := range page.Versions {
			out = append(out, *v.Key)
		}
		for _, m := range page.DeleteMarkers {
			out = append(out, *m.Key+"(marker)")
		}
	}
	return out
}

func (b purgeBundle) removals(t *testing.T, tn apptest.Seeded) int {
	var n int
	require.NoError(t, b.conn.QueryRow(b.ctx, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'data-use.copy-removed'`, tn.ID).Scan(&n))
	return n
}

// A pseudonymised copy lives only while its agreement is in force: the
// school's withdrawal removes it at once, and the hourly job removes the
// copy of an agreement past its end date, each with every object version
// and delete marker, once, in the school's log. A copy under an agreement
// still in force, and the other school's, stay.
func TestCopiesGoWhenTheirAgreementEnds(t *testing.T) {
	t.Parallel()
	b := purgeSetup(t)
	e, ctx := b.e, b.ctx
	agreementA, copyA := b.copyOf(t, e.A, "Testing the gradebook")
	_, copyB := b.copyOf(t, e.B, "Testing the timetable")
	require.Equal(t, "done", string(copyA.Status), copyA.Error)
	require.Equal(t, "done", string(copyB.Status), copyB.Error)
	// A second version and a delete marker under A's copy.
	key := "t/" + e.A.ID.String() + "/extracts/" + copyA.ID.String() + "/people.jsonl"
	require.NoError(t, e.App.Store.Put(ctx, "uk", key, strings.NewReader("{}\n"), "application/x-ndjson"))
	bucket := e.App.Store.Bucket("uk")
	_, err := e.App.Store.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)
	require.Greater(t, len(b.versions(t, "uk", copyA)), 3)
	beforeB := b.versions(t, "ie", copyB)
	require.NotEmpty(t, beforeB)

	// Withdrawn: A's copy goes at once, every version of it.
	_, err = e.App.DataUse.Withdraw(ctx, access.Member(e.A.ID, e.A.AdminID), agreementA.ID)
	require.NoError(t, err)
	require.Empty(t, b.versions(t, "uk", copyA), "no version or marker of the withdrawn copy is left")
	gone := b.extract(t, e.A, copyA.ID)
	require.Equal(t, "removed", string(gone.Status))
	require.NotNil(t, gone.RemovedAt)
	require.Equal(t, 1, b.removals(t, e.A), "in the school's log")
	require.Equal(t, beforeB, b.versions(t, "ie", copyB), "the other school's copy stays")

	// A new agreement in force: its copy stays through the job's rounds.
	_, copyA2 := b.copyOf(t, e.A, "Testing reports")
	require.NoError(t, e.App.DataUse.Purge(ctx))
	require.Equal(t, "done", string(b.extract(t, e.A, copyA2.ID).Status))
	require.NotEmpty(t, b.versions(t, "uk", copyA2))

	// B's agreement reaches its end date: the job removes B's copy, once.
	_, err = b.conn.Exec(ctx, `UPDATE data_use_agreements SET starts_on = current_date - 30, ends_on = current_date - 1 WHERE tenant_id = $1`, e.B.ID)
	require.NoError(t, err)
	require.Zero(t, b.removals(t, e.B))
	require.NoError(t, e.App.DataUse.Purge(ctx))
	require.NoError(t, e.App.DataUse.Purge(ctx))
	require.Empty(t, b.versions(t, "ie", copyB))
	require.Equal(t, "removed", string(b.extract(t, e.B, copyB.ID).Status))
	require.Equal(t, 1, b.removals(t, e.B))
	require.Equal(t, "done", string(b.extract(t, e.A, copyA2.ID).Status), "A's copy in force is untouched")
	require.Equal(t, 1, b.removals(t, e.A))
}
