package assignment_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var pdf = []byte("%PDF-1.4\n%%EOF\n")

type testBundle struct {
	e   *apptest.Env
	svc *assignment.Service
	c   lmstest.Course
	ctx context.Context
	// scopes in tenant A
	teacher, learner, learner2, other, outsider, admin access.Scope
}

func setup(t *testing.T, prefix string) *testBundle {
	t.Helper()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, prefix)
	return &testBundle{e: e, svc: e.App.Assignments, c: c, ctx: context.Background(),
		teacher: c.Teacher.Scope(e.A.ID), learner: c.Learner.Scope(e.A.ID), learner2: c.Learner2.Scope(e.A.ID),
		other: c.OtherTeacher.Scope(e.A.ID), outsider: c.Outsider.Scope(e.A.ID), admin: access.Member(e.A.ID, e.A.AdminID)}
}

// create sets an assignment open from opens to due (relative to now).
func (b *testBundle) create(t *testing.T, opens, due time.Duration) assignment.Assignment {
	t.Helper()
	now := time.Now()
	a, err := b.svc.Create(b.ctx, b.teacher, b.c.ID, assignment.NewAssignment{SectionID: b.c.Section, Title: "Essay",
		Instructions: "Write 500 words.", OpensAt: ptr(now.Add(opens)), DueAt: now.Add(due), MaxScore: 20})
	require.NoError(t, err)
	return a
}

func (b *testBundle) upload(t *testing.T, sc access.Scope, name string) files.File {
	t.Helper()
	f, err := b.e.App.Files.Upload(b.ctx, sc, name, bytes.NewReader(pdf))
	require.NoError(t, err)
	return f
}

// stored reports whether any version of the file's object is in A's bucket.
func (b *testBundle) stored(t *testing.T, id uuid.UUID) bool {
	t.Helper()
	key := files.Key(b.e.A.ID, id)
	out, err := b.e.App.Store.S3.ListObjectVersions(b.ctx, &s3.ListObjectVersionsInput{Bucket: ptr(b.e.App.Store.Bucket("uk")), Prefix: &key})
	require.NoError(t, err)
	return len(out.Versions)+len(out.DeleteMarkers) > 0
}

func ptr[T any](v T) *T { return &v }

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var fe errs.FieldErrors
	require.ErrorAs(t, err, &fe)
	return fe[0].Field
}

// Learners hand in and replace work until their due date and not after;
// extra time moves one learner's deadline and nobody else's; marked work
// cannot be replaced.
func TestSubmitUntilEffectiveDue(t *testing.T) {
	t.Parallel()
	b := setup(t, "due-")
	a := b.create(t, -time.Hour, time.Hour)

	v, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "First draft"})
	require.NoError(t, err)
	require.Equal(t, 1, v.Attempt)
	require.Equal(t, assignment.StatusSubmitted, v.Status)
	v, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Second draft"})
	require.NoError(t, err)
	require.Equal(t, 2, v.Attempt)
	require.Equal(t, "Second draft", v.Body)
	// Staff do not submit.
	_, err = b.svc.Submit(b.ctx, b.teacher, a.ID, assignment.SubmissionInput{Body: "x"})
	require.ErrorIs(t, err, errs.ErrForbidden)

	// Window 10h, due an hour ago. Learner2 has 25% extra: 2.5h more, so
	// 1.5h left; Learner has none.
	now := time.Now()
	_, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{OpensAt: ptr(now.Add(-11 * time.Hour)), DueAt: ptr(now.Add(-time.Hour))})
	require.NoError(t, err)
	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Too late"})
	require.ErrorIs(t, err, errs.ErrConflict)
	_, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "Mine"})
	require.ErrorIs(t, err, errs.ErrConflict)

	// Teachers only read arrangements; admins set them.
	_, err = b.svc.SetArrangement(b.ctx, b.teacher, b.c.Learner2.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(25)})
	require.ErrorIs(t, err, errs.ErrForbidden)
	arr, err := b.svc.SetArrangement(b.ctx, b.admin, b.c.Learner2.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(25)})
	require.NoError(t, err)
	require.Equal(t, 25, arr.ExtraTimePercent)
	got, err := b.svc.GetArrangement(b.ctx, b.teacher, b.c.Learner2.ID)
	require.NoError(t, err)
	require.Equal(t, 25, got.ExtraTimePercent)
	// A teacher who does not teach the learner does not see it; nor do learners.
	_, err = b.svc.GetArrangement(b.ctx, b.other, b.c.Learner2.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.GetArrangement(b.ctx, b.learner, b.c.Learner2.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.SetArrangement(b.ctx, b.admin, b.c.Teacher.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(25)})
	require.Equal(t, "person", fieldOf(t, err))

	mine, err := b.svc.Get(b.ctx, b.learner2, a.ID)
	require.NoError(t, err)
	require.WithinDuration(t, now.Add(90*time.Minute), *mine.EffectiveDueAt, time.Minute)
	staff, err := b.svc.Get(b.ctx, b.teacher, a.ID)
	require.NoError(t, err)
	require.Nil(t, staff.EffectiveDueAt)
	v, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "Mine, with extra time"})
	require.NoError(t, err)
	require.WithinDuration(t, now.Add(90*time.Minute), v.EffectiveDueAt, time.Minute)
	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Still too late"})
	require.ErrorIs(t, err, errs.ErrConflict)

	// The teacher's list shows each learner's own deadline, and the
	// learner's list of upcoming work includes it only for Learner2.
	subs, err := b.svc.ListSubmissions(b.ctx, b.teacher, a.ID, assignment.SubmissionFilter{}, uuid.Nil, 10)
	require.NoError(t, err)
	require.Len(t, subs, 2)
	require.Equal(t, b.c.Learner.ID, subs[0].PersonID)
	require.WithinDuration(t, now.Add(-time.Hour), subs[0].EffectiveDueAt, time.Second)
	require.Equal(t, 25, subs[1].ExtraTimePercent)
	require.WithinDuration(t, now.Add(90*time.Minute), subs[1].EffectiveDueAt, time.Second)
	up, err := b.svc.List(b.ctx, b.learner2, b.c.ID, assignment.DueUpcoming, uuid.Nil, 10)
	require.NoError(t, err)
	require.Len(t, up, 1)
	up, err = b.svc.List(b.ctx, b.learner, b.c.ID, assignment.DueUpcoming, uuid.Nil, 10)
	require.NoError(t, err)
	require.Empty(t, up)
	past, err := b.svc.List(b.ctx, b.learner, b.c.ID, assignment.DuePast, uuid.Nil, 10)
	require.NoError(t, err)
	require.Len(t, past, 1)

	// Once marked, work stays as marked.
	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(15.0)})
	require.NoError(t, err)
	_, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "Changed after marking"})
	require.ErrorIs(t, err, errs.ErrConflict)

	// Not open yet.
	later := b.create(t, time.Hour, 2*time.Hour)
	_, err = b.svc.Submit(b.ctx, b.learner, later.ID, assignment.SubmissionInput{Body: "Early"})
	require.ErrorIs(t, err, errs.ErrConflict)
}

func TestEffectiveDue(t *testing.T) {
	t.Parallel()
	opens := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	due := opens.Add(4 * time.Hour)
	require.Equal(t, due, assignment.EffectiveDue(opens, due, 0))
	require.Equal(t, due.Add(time.Hour), assignment.EffectiveDue(opens, due, 25))
	require.Equal(t, due.Add(12*time.Hour), assignment.EffectiveDue(opens, due, 300))
}
