package due_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/due"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func entryTitles(es []due.Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Title)
	}
	return out
}

// The calendar shows a learner what learners see, at their own due date,
// and a teacher everything of the courses they teach; a course event is
// on both; To mark counts hand-ins without a mark; a feed token finds its
// person's calendar in its own tenant only, until it is replaced or
// stopped.
func TestCalendarToMarkAndFeeds(t *testing.T) {
	t.Parallel()
	b := setup(t, "cal-")
	day := 24 * time.Hour
	teacher, learner, learner2 := b.c.Teacher.Scope(b.e.A.ID), b.c.Learner.Scope(b.e.A.ID), b.c.Learner2.Scope(b.e.A.ID)
	shown := b.assign(t, "Shown", -day, day, nil, true)
	b.assign(t, "Hidden", -day, day, nil, false)
	b.quiz(t, "Quiz", time.Hour, 2*day)
	_, err := b.svc.AddEvent(b.ctx, learner, due.NewEvent{CourseID: b.c.ID, Title: "Not mine to add", StartsAt: time.Now()})
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.AddEvent(b.ctx, teacher, due.NewEvent{CourseID: b.c.ID, Title: "", StartsAt: time.Now()})
	require.Error(t, err)
	ev, err := b.svc.AddEvent(b.ctx, teacher, due.NewEvent{CourseID: b.c.ID, Title: "Trip", StartsAt: time.Now().Add(3 * day)})
	require.NoError(t, err)
	// Learner2 has a day's window and 100% extra: due in two days.
	_, err = b.e.App.Assignments.SetExtraTime(b.ctx, teacher, shown.ID, b.c.Learner2.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(100)})
	require.NoError(t, err)

	from, to := time.Now().Add(-day), time.Now().Add(10*day)
	mine, err := b.svc.Calendar(b.ctx, learner, from, to)
	require.NoError(t, err)
	require.Equal(t, []string{"Quiz", "Shown", "Trip"}, entryTitles(mine))
	theirs, err := b.svc.Calendar(b.ctx, learner2, from, to)
	require.NoError(t, err)
	require.Equal(t, []string{"Quiz", "Shown", "Trip"}, entryTitles(theirs))
	require.WithinDuration(t, shown.DueAt.Add(2*day), theirs[1].Starts, time.Second, "their own due date")
	staff, err := b.svc.Calendar(b.ctx, teacher, from, to)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"Quiz", "Shown", "Hidden", "Trip"}, entryTitles(staff))
	none, err := b.svc.Calendar(b.ctx, b.c.Outsider.Scope(b.e.A.ID), from, to)
	require.NoError(t, err)
	require.Empty(t, none, "not on the course")

	// To mark.
	rows, err := b.svc.ToMark(b.ctx, teacher)
	require.NoError(t, err)
	require.Empty(t, rows)
	sub, err := b.e.App.Assignments.Submit(b.ctx, learner, shown.ID, assignment.SubmissionInput{Body: "Done"})
	require.NoError(t, err)
	_, err = b.e.App.Assignments.Submit(b.ctx, learner2, shown.ID, assignment.SubmissionInput{Body: "Done too"})
	require.NoError(t, err)
	rows, err = b.svc.ToMark(b.ctx, teacher)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, 2, rows[0].Unmarked)
	_, err = b.e.App.Assignments.SetMark(b.ctx, teacher, sub.ID, assignment.MarkInput{Score: ptr(5.0), Released: ptr(false)})
	require.NoError(t, err)
	rows, err = b.svc.ToMark(b.ctx, teacher)
	require.NoError(t, err)
	require.Equal(t, 1, rows[0].Unmarked, "a mark not yet released is marked")
	require.Equal(t, 2, rows[0].HandedIn)
	rows, err = b.svc.ToMark(b.ctx, b.c.OtherTeacher.Scope(b.e.A.ID))
	require.NoError(t, err)
	require.Empty(t, rows, "not their course")

	// Feeds.
	f, err := b.svc.GetFeed(b.ctx, learner)
	require.NoError(t, err)
	require.False(t, f.On)
	first, err := b.svc.NewFeed(b.ctx, learner)
	require.NoError(t, err)
	require.Len(t, first, 43)
	var stored []byte
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT token_hash FROM calendar_feeds WHERE person_id = ?`, b.c.Learner.ID).Row().Scan(&stored)
	}))
	require.NotContains(t, string(stored), first, "only the hash is kept")
	owner, es, err := b.svc.FromFeed(b.ctx, b.e.A.ID, first, from, to)
	require.NoError(t, err)
	require.Equal(t, b.c.Learner.ID, owner.PersonID)
	require.Equal(t, entryTitles(mine), entryTitles(es), "the feed is the calendar page")
	_, _, err = b.svc.FromFeed(b.ctx, b.e.B.ID, first, from, to)
	require.ErrorIs(t, err, errs.ErrNotFound, "another tenant")
	second, err := b.svc.NewFeed(b.ctx, learner)
	require.NoError(t, err)
	_, _, err = b.svc.FromFeed(b.ctx, b.e.A.ID, first, from, to)
	require.ErrorIs(t, err, errs.ErrNotFound, "replaced")
	_, _, err = b.svc.FromFeed(b.ctx, b.e.A.ID, second, from, to)
	require.NoError(t, err)
	require.NoError(t, b.svc.StopFeed(b.ctx, learner))
	_, _, err = b.svc.FromFeed(b.ctx, b.e.A.ID, second, from, to)
	require.ErrorIs(t, err, errs.ErrNotFound, "stopped")

	// The event goes.
	require.ErrorIs(t, b.svc.DeleteEvent(b.ctx, learner, ev.ID), errs.ErrForbidden)
	require.NoError(t, b.svc.DeleteEvent(b.ctx, teacher, ev.ID))
	mine, err = b.svc.Calendar(b.ctx, learner, from, to)
	require.NoError(t, err)
	require.NotContains(t, entryTitles(mine), "Trip")
}
