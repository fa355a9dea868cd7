package rostersync_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
)

// A daily schedule at 06:00 applies at or after 06:00 on the school's
// wall clock (Europe/London), once a day, on both sides of the clocks
// changing: 06:00 is 06:00 UTC in winter and 05:00 UTC in summer. Tenant
// B, with no schedule, applies at once whatever A chose.
func TestDailyScheduleFollowsTheWallClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	svc := e.App.RosterSync
	var now time.Time
	svc.SetClock(func() time.Time { return now })
	at := func(v string) {
		var err error
		now, err = time.Parse(time.RFC3339, v)
		require.NoError(t, err)
	}
	admin := access.Member(e.A.ID, e.A.AdminID)
	require.ErrorContains(t, svc.SetSchedule(ctx, admin, 1, "06:00"), "at", "a time of day goes with once a day")
	require.ErrorContains(t, svc.SetSchedule(ctx, admin, rostersync.Daily, "25:00"), "at")
	require.NoError(t, svc.SetSchedule(ctx, admin, rostersync.Daily, "06:00"))
	iss, err := svc.Create(ctx, admin, "MIS")
	require.NoError(t, err)
	caller, err := svc.Authenticate(ctx, iss.Secret)
	require.NoError(t, err)
	deliverAndRun := func(when string) *rostersync.Delivery {
		t.Helper()
		at(when)
		_, err := svc.Deliver(ctx, caller, testFiles(t))
		require.NoError(t, err)
		d, err := svc.Run(ctx, e.A.ID)
		require.NoError(t, err)
		return d
	}
	run := func(when string) *rostersync.Delivery {
		t.Helper()
		at(when)
		d, err := svc.Run(ctx, e.A.ID)
		require.NoError(t, err)
		return d
	}

	// Saturday 28 March 2026, Greenwich Mean Time: 06:00 is 06:00 UTC.
	require.Nil(t, deliverAndRun("2026-03-28T05:59:00Z"), "05:59 in London: not yet")
	d := run("2026-03-28T06:00:00Z")
	require.NotNil(t, d, "06:00 in London")
	require.Equal(t, rostersync.Applied, d.Status, d.Detail)
	require.Nil(t, deliverAndRun("2026-03-28T18:00:00Z"), "once a day: the evening's delivery waits")

	// The clocks go forward overnight: 06:00 is now 05:00 UTC.
	require.Nil(t, run("2026-03-29T04:59:00Z"), "05:59 in London (summer time)")
	d = run("2026-03-29T05:00:00Z")
	require.NotNil(t, d, "06:00 in London is 05:00 UTC in summer")
	require.Equal(t, rostersync.Applied, d.Status, d.Detail)

	// Nothing waiting by 06:00: a delivery after it is applied when it
	// comes, and the day's one run is then spent.
	require.NotNil(t, deliverAndRun("2026-03-30T09:15:00Z"))
	require.Nil(t, deliverAndRun("2026-03-30T10:00:00Z"))

	// The clocks go back on 25 October: 06:00 is 06:00 UTC again.
	require.Nil(t, run("2026-10-25T05:30:00Z"), "05:30 in London (winter time)")
	require.NotNil(t, run("2026-10-25T06:00:00Z"))

	// Tenant B chose nothing: its delivery is applied at once, at an hour
	// A's schedule would have made it wait.
	bAdmin := access.Member(e.B.ID, e.B.AdminID)
	bIss, err := svc.Create(ctx, bAdmin, "MIS")
	require.NoError(t, err)
	bCaller, err := svc.Authenticate(ctx, bIss.Secret)
	require.NoError(t, err)
	at("2026-10-26T03:00:00Z")
	_, err = svc.Deliver(ctx, bCaller, testFiles(t))
	require.NoError(t, err)
	bd, err := svc.Run(ctx, e.B.ID)
	require.NoError(t, err)
	require.NotNil(t, bd)
	require.Nil(t, run("2026-10-26T03:00:00Z"), "A still waits for its 06:00")
	sch, err := svc.Schedule(ctx, bAdmin)
	require.NoError(t, err)
	require.Nil(t, sch.AtMinute)
}

// The time of day in the hours the clocks skip or repeat: a time in the
// skipped hour is the first minute after it; one in the repeated hour is
// its first occurrence.
func TestDailyTimeInTheClockChangeHours(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ at, now, after string }{
		// 29 March 2026: 01:00 GMT becomes 02:00 BST. 01:30 does not
		// happen: the schedule starts at 02:00 BST (01:00 UTC).
		{"01:30", "2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z"},
		// 25 October 2026: 02:00 BST becomes 01:00 GMT. 01:30 happens
		// twice: the first, 01:30 BST (00:30 UTC).
		{"01:30", "2026-10-25T00:29:00Z", "2026-10-25T00:30:00Z"},
	} {
		sch := rostersync.Schedule{EveryHours: rostersync.Daily}
		m, err := rostersync.ParseTimeOfDay(c.at)
		require.NoError(t, err)
		sch.AtMinute = m
		before, _ := time.Parse(time.RFC3339, c.now)
		after, _ := time.Parse(time.RFC3339, c.after)
		require.False(t, rostersync.Due(sch, before), c.now)
		require.True(t, rostersync.Due(sch, after), c.after)
	}
}
