package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/comms/commstest"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/lms/notify"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

type testBundle struct {
	e                          *apptest.Env
	c                          lmstest.Course
	ctx                        context.Context
	svc                        *notify.Service
	teacher, learner, learner2 access.Scope
	mail                       map[uuid.UUID]string // person → their own address in the catcher
	mb                         commstest.Mailbox
}

// setup makes a course in tenant A whose people have addresses of their
// own in the mail catcher, and the same in tenant B (which must never
// hear of A's work).
func setup(t *testing.T, prefix string) *testBundle {
	t.Helper()
	e := apptest.New(t)
	b := &testBundle{e: e, ctx: context.Background(), svc: e.App.Notify, mail: map[uuid.UUID]string{}, mb: commstest.New(t)}
	b.c = lmstest.NewCourse(t, e.DB.App, e.A.ID, prefix)
	b.teacher, b.learner, b.learner2 = b.c.Teacher.Scope(e.A.ID), b.c.Learner.Scope(e.A.ID), b.c.Learner2.Scope(e.A.ID)
	run := uuid.NewString()[:8]
	require.NoError(t, access.Transact(b.ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		for _, p := range []lmstest.Person{b.c.Teacher, b.c.Learner, b.c.Learner2} {
			b.mail[p.ID] = prefix + p.Username + "-" + run + "@example.org"
			if err := tx.Exec(`UPDATE people SET email = ? WHERE id = ?`, b.mail[p.ID], p.ID).Error; err != nil {
				return err
			}
		}
		return nil
	}))
	return b
}

func (b *testBundle) assignment(t *testing.T, title string, opens, due time.Duration) assignment.Assignment {
	t.Helper()
	now := time.Now()
	o := now.Add(opens)
	a, err := b.e.App.Assignments.Create(b.ctx, b.teacher, b.c.ID, assignment.NewAssignment{SectionID: b.c.Section, Title: title,
		OpensAt: &o, DueAt: now.Add(due), MaxScore: 10})
	require.NoError(t, err)
	return a
}

// mark hands in the learner's work and marks it, released at once.
func (b *testBundle) mark(t *testing.T, learner access.Scope, a uuid.UUID, feedback string, release bool) uuid.UUID {
	t.Helper()
	v, err := b.e.App.Assignments.Submit(b.ctx, learner, a, assignment.SubmissionInput{Body: "My work"})
	require.NoError(t, err)
	score := 8.5
	_, err = b.e.App.Assignments.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: &score, Feedback: feedback, Released: &release})
	require.NoError(t, err)
	return v.ID
}

func (b *testBundle) deliver(t *testing.T) {
	t.Helper()
	_, err := b.e.App.Comms.Deliver(b.ctx, b.e.A.ID)
	require.NoError(t, err)
}

func (b *testBundle) list(t *testing.T, sc access.Scope) []notify.Notification {
	t.Helper()
	items, err := b.svc.List(b.ctx, sc, uuid.Nil, 50)
	require.NoError(t, err)
	return items
}

// count is how many rows of table the tenant holds where cond.
func (b *testBundle) count(t *testing.T, table, cond string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM `+table+` WHERE `+cond, args...).Row().Scan(&n)
	}))
	return n
}

// Releasing feedback tells the learner, in the app and by an email built
// by the MIME library: read back from the catcher's raw source it is
// valid MIME with a plain-text and an HTML part, a transfer encoding, no
// line over 998 bytes even with 5,000 characters of feedback on one line,
// and a Message-ID with a domain. The other learner hears nothing of it;
// marking again does not tell twice; releasing a whole assignment tells
// each learner of their own work.
func TestReleasedFeedbackEmail(t *testing.T) {
	t.Parallel()
	b := setup(t, "fb-")
	a := b.assignment(t, "Habitat hunt", -time.Hour, time.Hour)
	feedback := strings.Repeat("Lovely detail about the pond, Ünal & co. ", 125) // one line, over 5,000 characters
	require.Greater(t, len(feedback), 5000)
	sub := b.mark(t, b.learner, a.ID, feedback, true)

	mine := b.list(t, b.learner)
	require.Len(t, mine, 1)
	require.Equal(t, notify.Feedback, mine[0].Kind)
	require.Contains(t, mine[0].Title, "Habitat hunt")
	require.Empty(t, b.list(t, b.learner2), "nothing of another learner's work")
	require.Empty(t, b.list(t, b.teacher))

	b.deliver(t)
	raw := b.mb.Wait(b.mail[b.c.Learner.ID], 1)
	require.Len(t, raw, 1)
	p := commstest.Check(t, raw[0])
	require.Contains(t, p.Subject, "Habitat hunt")
	require.Contains(t, p.Text, strings.TrimSpace(feedback))
	require.Contains(t, p.Text, "Your mark: 8.5 out of 10.")
	require.Contains(t, p.Text, "/t/"+b.e.A.Slug+"/assignments/"+a.ID.String())
	require.Contains(t, p.HTML, "Ünal &amp; co.")
	require.Empty(t, b.mb.Raw(b.mail[b.c.Learner2.ID]))

	// Marked again (already released): no second notice or email.
	score := 9.0
	released := true
	_, err := b.e.App.Assignments.SetMark(b.ctx, b.teacher, sub, assignment.MarkInput{Score: &score, Feedback: "Better", Released: &released})
	require.NoError(t, err)
	require.Len(t, b.list(t, b.learner), 1)

	// Released with the whole assignment: learner2 is told of their own.
	b.mark(t, b.learner2, a.ID, "Good start", false)
	require.Empty(t, b.list(t, b.learner2), "not before release")
	_, err = b.e.App.Assignments.Release(b.ctx, b.teacher, a.ID)
	require.NoError(t, err)
	theirs := b.list(t, b.learner2)
	require.Len(t, theirs, 1)
	require.Contains(t, theirs[0].Body, "Good start")
	require.NotContains(t, theirs[0].Body, "pond")
	require.Len(t, b.list(t, b.learner), 1)
	require.Equal(t, 2, b.count(t, "notifications", "true"))
}

// The due job tells each learner once of work due within 24 hours of
// their own due date (extra time included) and once when it is overdue,
// however often it runs and with two runs at once; work handed in is not
// announced; times are the tenant's local time, UK format.
func TestDueAndOverdueOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, "due-")
	admin := access.Member(b.e.A.ID, b.e.A.AdminID)
	pct := 100
	_, err := b.e.App.Assignments.SetArrangement(b.ctx, admin, b.c.Learner.ID, assignment.ArrangementInput{ExtraTimePercent: &pct})
	require.NoError(t, err)
	a := b.assignment(t, "Fractions", -22*time.Hour, 2*time.Hour) // learner: due 24 hours later
	done := b.assignment(t, "Spelling", -22*time.Hour, 2*time.Hour)
	for _, sc := range []access.Scope{b.learner, b.learner2} {
		_, err = b.e.App.Assignments.Submit(b.ctx, sc, done.ID, assignment.SubmissionInput{Body: "Done"})
		require.NoError(t, err)
	}

	now := time.Now()
	_, err = b.svc.Due(b.ctx, b.e.A.ID, now)
	require.NoError(t, err)
	_, err = b.svc.Due(b.ctx, b.e.A.ID, now)
	require.NoError(t, err)
	two := b.list(t, b.learner2)
	require.Len(t, two, 1, "learner2: Fractions due soon, once; Spelling handed in")
	require.Equal(t, notify.DueSoon, two[0].Kind)
	require.Contains(t, two[0].Title, localtime.DateTime(a.DueAt, localtime.London))
	require.Empty(t, b.list(t, b.learner), "the learner's own due date is a day later")

	// Three hours on, twice at once: overdue for learner2, due soon for
	// the learner with extra time; each once.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := b.svc.Due(b.ctx, b.e.A.ID, now.Add(3*time.Hour))
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	two = b.list(t, b.learner2)
	require.Len(t, two, 2)
	require.Equal(t, notify.Overdue, two[0].Kind)
	one := b.list(t, b.learner)
	require.Len(t, one, 1)
	require.Equal(t, notify.DueSoon, one[0].Kind)
	require.Contains(t, one[0].Title, localtime.DateTime(assignment.EffectiveDue(a.OpensAt, a.DueAt, 100), localtime.London))

	b.deliver(t)
	raw := b.mb.Wait(b.mail[b.c.Learner2.ID], 2)
	require.Len(t, raw, 2, "one email per notice, never twice")
	for _, r := range raw {
		commstest.Check(t, r)
	}
	require.Len(t, b.mb.Wait(b.mail[b.c.Learner.ID], 1), 1)
	require.Equal(t, 3, b.count(t, "email_outbox", "communication_id IS NULL"))
}

// Each person's choice per kind is kept: off makes nothing; email off
// keeps the notice in the app with no email; the daily digest sends one
// email for several notices, once. Announcements and replies reach the
// app by default and are not emailed.
func TestPreferences(t *testing.T) {
	t.Parallel()
	b := setup(t, "pref-")
	prefs, err := b.svc.Preferences(b.ctx, b.learner)
	require.NoError(t, err)
	require.Equal(t, notify.Default(notify.Feedback), prefs[0])
	require.NoError(t, b.svc.SetPreferences(b.ctx, b.learner, []notify.Preference{
		{Kind: notify.Feedback, InApp: false, Email: notify.EmailNone},
		{Kind: notify.DueSoon, InApp: false, Email: notify.EmailDigest},
		{Kind: notify.Overdue, InApp: true, Email: notify.EmailDigest},
	}))
	require.NoError(t, b.svc.SetPreferences(b.ctx, b.learner2, []notify.Preference{
		{Kind: notify.Feedback, InApp: true, Email: notify.EmailNone},
	}))
	require.Error(t, b.svc.SetPreferences(b.ctx, b.learner2, []notify.Preference{{Kind: notify.Feedback, Email: "weekly"}}))

	marked := b.assignment(t, "Poem", -time.Hour, time.Hour)
	b.mark(t, b.learner, marked.ID, "Well done", true)
	b.mark(t, b.learner2, marked.ID, "Nice rhythm", true)
	require.Empty(t, b.list(t, b.learner), "off: nothing")
	require.Len(t, b.list(t, b.learner2), 1, "email off: still in the app")

	b.assignment(t, "Maths", -time.Hour, 2*time.Hour)
	b.assignment(t, "Science", -time.Hour, 3*time.Hour)
	b.assignment(t, "History", -3*time.Hour, -time.Hour)
	_, err = b.svc.Due(b.ctx, b.e.A.ID, time.Now())
	require.NoError(t, err)
	in := b.list(t, b.learner)
	require.Len(t, in, 1, "due soon is digest only; overdue also in the app")
	require.Equal(t, notify.Overdue, in[0].Kind)

	// Announcements and replies: in the app only, by default.
	_, err = b.e.App.Comms.Send(b.ctx, b.teacher, comms.NewCommunication{CourseID: &b.c.ID, Subject: "Trip on Friday", Body: "Bring a coat."})
	require.NoError(t, err)
	f, err := b.e.App.Discussion.CreateForum(b.ctx, b.teacher, b.c.ID, discussion.NewForum{Title: "Class forum"})
	require.NoError(t, err)
	th, err := b.e.App.Discussion.CreateThread(b.ctx, b.learner2, f.ID, discussion.NewThread{Title: "Ponds", Body: "Who saw a newt?"})
	require.NoError(t, err)
	_, err = b.e.App.Discussion.Reply(b.ctx, b.learner, th.ID, discussion.NewPost{Body: "Me!"})
	require.NoError(t, err)
	kinds := map[notify.Kind]int{}
	for _, n := range b.list(t, b.learner2) {
		kinds[n.Kind]++
	}
	require.Equal(t, map[notify.Kind]int{notify.Feedback: 1, notify.DueSoon: 2, notify.Overdue: 1, notify.Announcement: 1, notify.Reply: 1}, kinds)
	require.Empty(t, b.list(t, b.teacher), "the sender is not told of their own announcement")

	b.deliver(t)
	require.Len(t, b.mb.Wait(b.mail[b.c.Learner2.ID], 3), 3, "learner2: due soon (Maths, Science) and overdue (History) at once; no feedback, announcement or reply email")
	require.Empty(t, b.mb.Raw(b.mail[b.c.Learner.ID]), "learner: digest only, not yet")

	// The digest, after 17:00 local tomorrow: one email for three notices;
	// run again, nothing more.
	y, m, d := time.Now().In(localtime.London).AddDate(0, 0, 1).Date()
	evening := time.Date(y, m, d, 18, 0, 0, 0, localtime.London)
	sent, err := b.svc.Digest(b.ctx, b.e.A.ID, evening)
	require.NoError(t, err)
	require.Equal(t, 1, sent)
	sent, err = b.svc.Digest(b.ctx, b.e.A.ID, evening.Add(time.Hour))
	require.NoError(t, err)
	require.Zero(t, sent)
	b.deliver(t)
	raw := b.mb.Wait(b.mail[b.c.Learner.ID], 1)
	require.Len(t, raw, 1)
	p := commstest.Check(t, raw[0])
	require.Equal(t, "Your daily summary: 3 notices", p.Subject)
	for _, w := range []string{"Maths", "Science", "History"} {
		require.Contains(t, p.Text, w)
	}
}
