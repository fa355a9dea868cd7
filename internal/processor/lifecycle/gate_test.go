package lifecycle_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/usage"
)

// Nothing a background writer does outlives a deletion (found by an
// outside probe: usage counts and a full export's audit records were
// written after the certificate). A full export holds the deletion off;
// once it has begun no export starts; usage counted for the tenant is
// dropped, not written. Tenant B goes on as before.
func TestDeletionClosesTheGate(t *testing.T) {
	t.Parallel()
	b := dueSetup(t)
	e, ctx := b.e, b.ctx
	b.endedDaysAgo(t, e.A, 31)
	op, _, err := e.App.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", "operator", apptest.OperatorPassword)
	require.NoError(t, err)
	adminA := access.Member(e.A.ID, e.A.AdminID)

	x, err := e.App.Handback.StartExport(ctx, adminA, handback.ReasonOnRequest)
	require.NoError(t, err)
	_, err = e.App.Lifecycle.Start(ctx, op.ID, e.A.ID)
	require.ErrorIs(t, err, errs.ErrConflict, "a full export being made holds the deletion off")
	require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, x.ID))
	d, err := e.App.Lifecycle.Start(ctx, op.ID, e.A.ID)
	require.NoError(t, err)

	_, err = e.App.Handback.StartExport(ctx, adminA, handback.ReasonOnRequest)
	require.ErrorIs(t, err, errs.ErrConflict, "no export starts once the deletion has begun")

	counts := usage.New(e.App.DB)
	counts.Observe(httptest.NewRequest("GET", "/", nil), e.A.ID, "GET /api/v1/t/:tenant/people", 200)
	counts.Observe(httptest.NewRequest("GET", "/", nil), e.B.ID, "GET /api/v1/t/:tenant/people", 200)
	require.NoError(t, e.App.Lifecycle.Run(ctx, d.ID))
	require.NoError(t, counts.Flush(ctx))

	var rowsA, rowsB int
	require.NoError(t, b.conn.QueryRow(ctx, `SELECT count(*) FROM usage_daily WHERE tenant_id = $1`, e.A.ID).Scan(&rowsA))
	require.NoError(t, b.conn.QueryRow(ctx, `SELECT count(*) FROM usage_daily WHERE tenant_id = $1`, e.B.ID).Scan(&rowsB))
	require.Zero(t, rowsA, "nothing counted after the deletion")
	require.Equal(t, 1, rowsB, "tenant B's counts are written")
}
