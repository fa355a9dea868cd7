package due_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/due"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func ptr[T any](v T) *T { return &v }

type bundle struct {
	e   *apptest.Env
	svc *due.Service
	c   lmstest.Course
	ctx context.Context
}

func setup(t *testing.T, prefix string) *bundle {
	t.Helper()
	e := apptest.New(t)
	return &bundle{e: e, svc: due.NewService(e.DB.App), c: lmstest.NewCourse(t, e.DB.App, e.A.ID, prefix), ctx: context.Background()}
}

// assign sets an assignment open from opens to due (from now), closing
// for late work at closes when given.
func (b *bundle) assign(t *testing.T, title string, opens, dueIn time.Duration, closes *time.Duration, published bool) assignment.Assignment {
	t.Helper()
	now := time.Now()
	in := assignment.NewAssignment{SectionID: b.c.Section, Title: title, OpensAt: ptr(now.Add(opens)), DueAt: now.Add(dueIn),
		MaxScore: 20, Published: &published}
	if closes != nil {
		in.ClosesAt = ptr(now.Add(*closes))
	}
	a, err := b.e.App.Assignments.Create(b.ctx, b.c.Teacher.Scope(b.e.A.ID), b.c.ID, in)
	require.NoError(t, err)
	return a
}

// system runs SQL in tenant A as the test set-up.
func (b *bundle) system(t *testing.T, fn func(tx *gorm.DB) error) {
	t.Helper()
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test-setup"), fn))
}

// quiz puts a published quiz on the course, open from opens to closes.
func (b *bundle) quiz(t *testing.T, title string, opens, closes time.Duration) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	now := time.Now()
	b.system(t, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO quizzes (tenant_id, id, course_id, title, opens_at, closes_at, time_limit_seconds, published)
			VALUES (?, ?, ?, ?, ?, ?, 600, true)`, b.e.A.ID, id, b.c.ID, title, now.Add(opens), now.Add(closes)).Error
	})
	return id
}

func titles(items []due.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

// A learner's lists: due within the week, overdue while late work is
// taken, missing once it is not, marked once released; only what learners
// see, with their own due date; the learner and their guardian may read
// them, nobody else.
func TestForLearner(t *testing.T) {
	t.Parallel()
	b := setup(t, "todo-")
	day := 24 * time.Hour
	teacher, learner, learner2 := b.c.Teacher.Scope(b.e.A.ID), b.c.Learner.Scope(b.e.A.ID), b.c.Learner2.Scope(b.e.A.ID)

	b.assign(t, "Soon", -day, 2*day, nil, true)
	b.assign(t, "Next month", -day, 30*day, nil, true)
	b.assign(t, "Late allowed", -3*day, -time.Hour, ptr(2*day), true)
	// Window 9 days, due a day ago: Learner2's 25% extra time makes it
	// due in 1.25 days for them, missing for Learner.
	b.assign(t, "Gone", -10*day, -day, nil, true)
	b.assign(t, "Draft", -day, 2*day, nil, false)
	hidden := b.assign(t, "Not yet shown", -day, 2*day, nil, true)
	b.system(t, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE course_items SET visible_from = now() + interval '1 day' WHERE id = ?`, hidden.ItemID).Error
	})
	marked := b.assign(t, "Marked", -day, day, nil, true)
	sub, err := b.e.App.Assignments.Submit(b.ctx, learner, marked.ID, assignment.SubmissionInput{Body: "Mine"})
	require.NoError(t, err)
	handed := b.assign(t, "Handed in", -day, day, nil, true)
	_, err = b.e.App.Assignments.Submit(b.ctx, learner, handed.ID, assignment.SubmissionInput{Body: "Done"})
	require.NoError(t, err)
	b.quiz(t, "Open quiz", -time.Hour, 20*day)
	b.quiz(t, "Closed quiz", -3*day, -day)
	b.quiz(t, "Later quiz", 10*day, 12*day)
	arr, err := b.e.App.Assignments.SetArrangement(b.ctx, access.Member(b.e.A.ID, b.e.A.AdminID), b.c.Learner2.ID,
		assignment.ArrangementInput{ExtraTimePercent: ptr(25)})
	require.NoError(t, err)
	require.Equal(t, 25, arr.ExtraTimePercent)

	// Not released yet: not on the list, and no mark shown.
	_, err = b.e.App.Assignments.SetMark(b.ctx, teacher, sub.ID, assignment.MarkInput{Score: ptr(15.0), Feedback: "Good", Released: ptr(false)})
	require.NoError(t, err)
	l, err := b.svc.ForLearner(b.ctx, learner, b.c.Learner.ID, time.Now())
	require.NoError(t, err)
	require.Empty(t, l.Marked)
	_, err = b.e.App.Assignments.SetMark(b.ctx, teacher, sub.ID, assignment.MarkInput{Score: ptr(15.0), Feedback: "Good", Released: ptr(true)})
	require.NoError(t, err)

	now := time.Now()
	l, err = b.svc.ForLearner(b.ctx, learner, b.c.Learner.ID, now)
	require.NoError(t, err)
	require.Equal(t, []string{"Soon", "Open quiz"}, titles(l.Due))
	require.Equal(t, []string{"Late allowed"}, titles(l.Overdue))
	require.Equal(t, []string{"Closed quiz", "Gone"}, titles(l.Missing)) // latest first
	require.Equal(t, []string{"Marked"}, titles(l.Marked))
	require.Equal(t, 15.0, *l.Marked[0].Score)
	require.Equal(t, b.c.ID, l.Due[0].CourseID)
	require.Equal(t, "todo- course", l.Due[0].CourseTitle)

	// Learner2's own due dates (25% of each window more): "Late allowed"
	// is due in 16.75 hours for them, "Gone" in 1.25 days.
	l2, err := b.svc.ForLearner(b.ctx, learner2, b.c.Learner2.ID, now)
	require.NoError(t, err)
	require.Equal(t, []string{"Late allowed", "Gone", "Marked", "Handed in", "Soon", "Open quiz"}, titles(l2.Due))
	require.True(t, l2.Due[1].ExtraTime)
	require.WithinDuration(t, now.Add(day+6*time.Hour), l2.Due[1].Due, time.Minute)
	require.Empty(t, l2.Overdue)
	require.Equal(t, []string{"Closed quiz"}, titles(l2.Missing))
	require.Empty(t, l2.Marked)

	// Eleven days on: the scheduled one is shown, and being past its due
	// date with no late work it is missing; "Later quiz" is open.
	later, err := b.svc.ForLearner(b.ctx, learner, b.c.Learner.ID, now.Add(11*day))
	require.NoError(t, err)
	require.Contains(t, titles(later.Missing), "Not yet shown")
	require.Contains(t, titles(later.Due), "Later quiz")
	require.NotContains(t, titles(later.Missing), "Draft")

	// A guardian reads their child's lists; another learner, the teacher
	// and a guardian of someone else do not.
	var guardian, otherGuardian uuid.UUID
	b.system(t, func(tx *gorm.DB) error {
		for i, id := range []*uuid.UUID{&guardian, &otherGuardian} {
			p, err := identity.CreatePersonTx(tx, b.e.A.ID, identity.NewPerson{Username: "todo-guardian" + string(rune('a'+i)),
				DisplayName: "Todo Guardian", Password: lmstest.Password})
			if err != nil {
				return err
			}
			if _, err := identity.AssignRoleTx(tx, b.e.A.ID, p.ID, identity.RoleGuardian, &b.c.School); err != nil {
				return err
			}
			*id = p.ID
		}
		return tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id) VALUES (?, ?, ?), (?, ?, ?)`,
			b.e.A.ID, guardian, b.c.Learner.ID, b.e.A.ID, otherGuardian, b.c.Learner2.ID).Error
	})
	g, err := b.svc.ForLearner(b.ctx, access.Member(b.e.A.ID, guardian), b.c.Learner.ID, now)
	require.NoError(t, err)
	require.Equal(t, titles(l.Due), titles(g.Due))
	for _, sc := range []access.Scope{learner2, teacher, access.Member(b.e.A.ID, otherGuardian), access.Member(b.e.A.ID, b.e.A.AdminID)} {
		_, err = b.svc.ForLearner(b.ctx, sc, b.c.Learner.ID, now)
		require.ErrorIs(t, err, errs.ErrNotFound)
	}
	// Tenant B's admin reading A's learner finds nobody.
	_, err = b.svc.ForLearner(b.ctx, access.Member(b.e.B.ID, b.e.B.AdminID), b.c.Learner.ID, now)
	require.ErrorIs(t, err, errs.ErrNotFound)
}
