package lifecycle_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/stretchr/testify/require"
)

type dueBundle struct {
	e    *apptest.Env
	ctx  context.Context
	conn *pgx.Conn
}

func dueSetup(t *testing.T) dueBundle {
	t.Helper()
	e := apptest.New(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(ctx) })
	return dueBundle{e: e, ctx: ctx, conn: conn}
}

// endedDaysAgo ends tn's contract days ago, the end date set as long ago.
func (b dueBundle) endedDaysAgo(t *testing.T, tn apptest.Seeded, days int) {
	_, err := b.conn.Exec(b.ctx, `UPDATE contracts SET starts_on = current_date - 400, ends_on = current_date - $2::int,
		updated_at = now() - make_interval(days => $2::int) WHERE tenant_id = $1`, tn.ID, days)
	require.NoError(t, err)
}

// exportsMade makes tn's queued full exports (the contract-end one), as a
// worker would: the deletion waits for them.
func (b dueBundle) exportsMade(t *testing.T, tn apptest.Seeded) {
	xs, err := b.e.App.Handback.Exports(b.ctx, access.Member(tn.ID, tn.AdminID))
	require.NoError(t, err)
	for _, x := range xs {
		require.NoError(t, b.e.App.Handback.RunExport(b.ctx, tn.ID, x.ID))
	}
}

func (b dueBundle) alerts(t *testing.T, tn apptest.Seeded) []alert.Alert {
	out, err := b.e.App.Alerts.List(b.ctx, access.Member(tn.ID, tn.AdminID), "admin", 50)
	require.NoError(t, err)
	var mine []alert.Alert
	for _, a := range out {
		if a.Kind == "deletion-blocked" {
			mine = append(mine, a)
		}
	}
	return mine
}

func (b dueBundle) blockRow(t *testing.T, tn apptest.Seeded) (reasons, due string) {
	rows, err := b.conn.Query(b.ctx, `SELECT reasons, due_on::text FROM deletion_blocks WHERE tenant_id = $1`, tn.ID)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		require.NoError(t, rows.Scan(&reasons, &due))
	}
	return reasons, due
}

// The promise of deletion at contract end is kept by the contract watch:
// not before the return window closes; then, while a legal hold or order
// keeps it, the watch records what and the day it was due, the operators
// see it, and the school's admins are told once (never of an order whose
// notice is deferred); once nothing keeps it, the deletion starts by
// itself, once, and runs. Tenant B, whose contract runs on, is untouched.
func TestWatchDeletesWhenTheReturnWindowCloses(t *testing.T) {
	t.Parallel()
	b := dueSetup(t)
	e, ctx := b.e, b.ctx
	adminA := access.Member(e.A.ID, e.A.AdminID)
	p, err := e.App.Identity.CreatePerson(ctx, adminA, identity.NewPerson{Username: "claimant", DisplayName: "Claimant"})
	require.NoError(t, err)
	hold, err := e.App.Retention.PlaceHold(ctx, adminA, retention.NewHold{PersonID: &p.ID, Reason: "an employment tribunal claim"})
	require.NoError(t, err)

	// Ended, but the school may still take its data back.
	b.endedDaysAgo(t, e.A, 10)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	_, err = e.App.Lifecycle.Get(ctx, e.A.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "not within the return window")
	o, err := e.App.Lifecycle.OutlookOf(ctx, e.A.ID)
	require.NoError(t, err)
	require.False(t, o.Due)
	require.Equal(t, time.Now().UTC().AddDate(0, 0, 20).Format(time.DateOnly), o.DueOn.Format(time.DateOnly))
	require.Len(t, o.Blocks, 1, "the hold shows before it blocks")

	// The window has closed: the hold keeps the data.
	b.endedDaysAgo(t, e.A, 31)
	due := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	_, err = e.App.Lifecycle.Get(ctx, e.A.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "a legal hold keeps it")
	reasons, dueOn := b.blockRow(t, e.A)
	require.Equal(t, "legal-hold", reasons)
	require.Equal(t, due, dueOn, "the day it would otherwise have run")
	o, err = e.App.Lifecycle.OutlookOf(ctx, e.A.ID)
	require.NoError(t, err)
	require.True(t, o.Due)
	require.NotNil(t, o.BlockedSince)
	require.Equal(t, []lifecycle.Block{{Kind: lifecycle.BlockHold, Since: o.Blocks[0].Since, On: "person"}}, o.Blocks, "no name, no reason")
	got := b.alerts(t, e.A)
	require.Len(t, got, 1, "told once, however often the watch runs")
	require.Contains(t, got[0].Title, localtime.CalendarDate(time.Now().UTC().AddDate(0, 0, -1).Truncate(24*time.Hour)))
	require.Contains(t, got[0].Body, "a legal hold")
	require.NotContains(t, got[0].Body, "tribunal")

	// A legal order whose notice is deferred keeps it too: operators see
	// it; the school is told nothing more.
	op, _, err := e.App.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", "operator", apptest.OperatorPassword)
	require.NoError(t, err)
	order, err := e.App.Support.RecordOrder(ctx, op.ID, e.A.ID, support.NewOrder{Reference: "ORD-77", IssuingBody: "High Court", OrderDate: time.Now().Format(time.DateOnly),
		Scope: "records of one person", Areas: []string{"people"}, DocumentSHA256: strings.Repeat("a", 64),
		Deferred: true, DeferralReason: "tipping off", NoticeBy: time.Now().AddDate(0, 2, 0).Format(time.DateOnly)})
	require.NoError(t, err)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	reasons, _ = b.blockRow(t, e.A)
	require.Equal(t, "legal-hold,legal-order", reasons)
	require.Len(t, b.alerts(t, e.A), 1, "no alert gives the deferred order away")
	o, err = e.App.Lifecycle.OutlookOf(ctx, e.A.ID)
	require.NoError(t, err)
	require.Len(t, o.Blocks, 2)
	require.Equal(t, "ORD-77", o.Blocks[0].Reference)
	require.True(t, o.Blocks[0].Deferred)
	require.Len(t, o.WithoutOrders().Blocks, 1, "staff who may not read orders do not see it")

	// The school releases its hold (it may, after the end): the order
	// still keeps the data.
	require.NoError(t, e.App.Retention.ReleaseHold(ctx, adminA, hold.ID))
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	_, err = e.App.Lifecycle.Get(ctx, e.A.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "the order keeps it")
	reasons, _ = b.blockRow(t, e.A)
	require.Equal(t, "legal-order", reasons)
	require.Len(t, b.alerts(t, e.A), 1)

	// The order ends and its notice is given: the deletion starts by
	// itself, once, on the watch's next round, and runs.
	_, err = e.App.Support.GiveNotice(ctx, order.ID)
	require.NoError(t, err)
	_, err = b.conn.Exec(ctx, `UPDATE legal_orders SET valid_until = now() - interval '1 minute' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	beforeB := tenantRows(t, b.conn, e.B.ID)
	// A full export still being made holds it off (its rows and zip
	// could outlive the deletion); once it is done the deletion starts.
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	_, err = e.App.Lifecycle.Get(ctx, e.A.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "the contract-end export is not made yet")
	b.exportsMade(t, e.A)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	d, err := e.App.Lifecycle.Get(ctx, e.A.ID)
	require.NoError(t, err)
	require.Nil(t, d.RequestedBy, "nobody asked: the watch started it")
	reasons, _ = b.blockRow(t, e.A)
	require.Empty(t, reasons, "nothing blocks it any more")
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, e.App.Lifecycle.Run(ctx, d.ID))
	d, err = e.App.Lifecycle.Get(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, "done", string(d.Status))
	_, err = e.App.Lifecycle.CertificateOf(ctx, e.A.ID)
	require.NoError(t, err)

	// B's contract runs on: no deletion, no block, no alert.
	_, err = e.App.Lifecycle.Get(ctx, e.B.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	reasons, _ = b.blockRow(t, e.B)
	require.Empty(t, reasons)
	require.Empty(t, b.alerts(t, e.B))
	require.Equal(t, beforeB, tenantRows(t, b.conn, e.B.ID), "tenant B is untouched")
}

// With nothing to keep it, the deletion starts on the watch's first round
// after the window closes; an operator may still start it before the
// round, and the watch then starts no second one.
func TestWatchStartsAnUnblockedDeletion(t *testing.T) {
	t.Parallel()
	b := dueSetup(t)
	e, ctx := b.e, b.ctx
	b.endedDaysAgo(t, e.A, 31)
	b.endedDaysAgo(t, e.B, 31)
	op, _, err := e.App.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", "operator", apptest.OperatorPassword)
	require.NoError(t, err)
	byHand, err := e.App.Lifecycle.Start(ctx, op.ID, e.B.ID)
	require.NoError(t, err)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	_, err = e.App.Lifecycle.Get(ctx, e.A.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "the round that queues the contract-end export does not also delete")
	b.exportsMade(t, e.A)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	d, err := e.App.Lifecycle.Get(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, "queued", string(d.Status))
	require.Greater(t, d.TablesTotal, 10)
	db, err := e.App.Lifecycle.Get(ctx, e.B.ID)
	require.NoError(t, err)
	require.Equal(t, byHand.ID, db.ID, "the operator's, not a second")
	require.Empty(t, b.alerts(t, e.A))
}

// The contract watch tells a school's admins 60 and 14 days ahead (once
// per end date and notice, however often it runs), makes the full export
// when the contract ends, once, and leaves other schools alone.
func TestContractWatchNoticesAndEndExport(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	setEnd := func(days int) {
		_, err := conn.Exec(ctx, `UPDATE contracts SET starts_on = current_date - 400, ends_on = current_date + $2::int, updated_at = now() - interval '1 day' WHERE tenant_id = $1`, e.A.ID, days)
		require.NoError(t, err)
	}
	alerts := func(tn apptest.Seeded) []alert.Alert {
		out, err := e.App.Alerts.List(ctx, access.Member(tn.ID, tn.AdminID), "admin", 50)
		require.NoError(t, err)
		var mine []alert.Alert
		for _, a := range out {
			if a.Kind == "contract-ending" {
				mine = append(mine, a)
			}
		}
		return mine
	}
	exports := func() []handback.TenantExport {
		out, err := e.App.Handback.Exports(ctx, access.Member(e.A.ID, e.A.AdminID))
		require.NoError(t, err)
		return out
	}

	setEnd(90)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.Empty(t, alerts(e.A), "90 days ahead: nothing yet")
	setEnd(45)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	got := alerts(e.A)
	require.Len(t, got, 1, "the 60-day notice, once")
	require.Contains(t, got[0].Title, "in 45 days")
	setEnd(10)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.Len(t, alerts(e.A), 2, "the 14-day notice for the new date")
	require.Empty(t, exports(), "no export before the end")
	require.Empty(t, alerts(e.B))

	setEnd(0)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	xs := exports()
	require.Len(t, xs, 1, "one contract-end export")
	require.Equal(t, handback.ReasonContractEnd, xs[0].Reason)
	require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, xs[0].ID))
	xs = exports()
	require.Equal(t, "done", string(xs[0].Status))
	require.Greater(t, xs[0].Rows, int64(0))
	require.Equal(t, time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly), xs[0].ExpiresAt.UTC().Format(time.DateOnly),
		"downloadable for the 30-day return window")
	_, err = e.App.Handback.DownloadExport(ctx, access.Member(e.A.ID, e.A.AdminID), xs[0].ID)
	require.NoError(t, err)
	_, err = e.App.Handback.DownloadExport(ctx, access.Member(e.B.ID, e.B.AdminID), xs[0].ID)
	require.Error(t, err, "not another school's")

	// Erasing someone retires the export that holds them (probe finding).
	adminA := access.Member(e.A.ID, e.A.AdminID)
	p, err := e.App.Identity.CreatePerson(ctx, adminA, identity.NewPerson{Username: "leaver", DisplayName: "Leaver"})
	require.NoError(t, err)
	_, err = e.App.Subjects.Erase(ctx, adminA, p.ID, nil)
	require.NoError(t, err)
	_, err = e.App.Handback.DownloadExport(ctx, adminA, xs[0].ID)
	require.Error(t, err, "the export made before the erasure is gone")
	var live int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM files WHERE tenant_id = $1 AND id = $2 AND status = 'ready'`, e.A.ID, xs[0].FileID).Scan(&live))
	require.Zero(t, live)
	var status string
	require.NoError(t, conn.QueryRow(ctx, `SELECT status FROM contracts WHERE tenant_id = $1`, e.A.ID).Scan(&status))
	require.Equal(t, "ended", status, "the watch marks an ended contract")

	// When the window has passed, the watch retires the zip.
	_, err = conn.Exec(ctx, `UPDATE tenant_exports SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM files WHERE tenant_id = $1 AND id = $2`, e.A.ID, xs[0].FileID).Scan(&live))
	require.Zero(t, live, "the expired zip is purged")
}
