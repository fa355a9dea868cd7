package assignment_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// A learner's work, mark and feedback are theirs and their teachers':
// another learner, a teacher of another course, a learner not on the
// course and another tenant see nothing; the learner sees their mark and
// feedback only once released.
func TestWorkAndMarksArePrivate(t *testing.T) {
	t.Parallel()
	b := setup(t, "priv-")
	a := b.create(t, -time.Hour, time.Hour)
	f := b.upload(t, b.learner, "essay.pdf")
	v, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "My essay", FileIDs: []uuid.UUID{f.ID}})
	require.NoError(t, err)
	require.Len(t, v.Files, 1)
	sub := v.ID
	handedIn, err := b.svc.GetSubmission(b.ctx, b.learner, sub)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), handedIn.SubmittedAt, time.Minute, "the hand-in time is kept")

	// Another tenant's learner on their own course.
	cb := lmstest.NewCourse(t, b.e.DB.App, b.e.B.ID, "priv-")
	foreign := cb.Teacher.Scope(b.e.B.ID)
	for name, sc := range map[string]access.Scope{"learner2": b.learner2, "other teacher": b.other, "outsider": b.outsider, "tenant B": foreign} {
		_, err := b.svc.GetSubmission(b.ctx, sc, sub)
		require.ErrorIs(t, err, errs.ErrNotFound, name)
		_, err = b.svc.SubmissionFile(b.ctx, sc, sub, f.ID)
		require.ErrorIs(t, err, errs.ErrNotFound, name)
		_, err = b.svc.GetMark(b.ctx, sc, sub)
		require.ErrorIs(t, err, errs.ErrNotFound, name)
		_, err = b.svc.SetMark(b.ctx, sc, sub, assignment.MarkInput{Score: ptr(1.0)})
		require.ErrorIs(t, err, errs.ErrNotFound, name)
	}
	for name, sc := range map[string]access.Scope{"other teacher": b.other, "outsider": b.outsider, "tenant B": foreign} {
		_, err := b.svc.Get(b.ctx, sc, a.ID)
		require.ErrorIs(t, err, errs.ErrNotFound, name)
		_, err = b.svc.ListSubmissions(b.ctx, sc, a.ID, assignment.SubmissionFilter{}, uuid.Nil, 10)
		require.ErrorIs(t, err, errs.ErrNotFound, name)
	}
	_, err = b.svc.ListSubmissions(b.ctx, b.learner, a.ID, assignment.SubmissionFilter{}, uuid.Nil, 10)
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.MySubmission(b.ctx, b.learner2, a.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)

	// Marked with a feedback file, not released: the learner sees neither.
	ff := b.upload(t, b.teacher, "feedback.pdf")
	_, err = b.svc.SetMark(b.ctx, b.teacher, sub, assignment.MarkInput{Score: ptr(17.5), Feedback: "Good structure.", FeedbackFileID: &ff.ID})
	require.NoError(t, err)
	_, err = b.svc.GetMark(b.ctx, b.learner, sub)
	require.ErrorIs(t, err, errs.ErrNotFound)
	mine, err := b.svc.MySubmission(b.ctx, b.learner, a.ID)
	require.NoError(t, err)
	require.Nil(t, mine.Mark)
	require.Equal(t, assignment.StatusSubmitted, mine.Status)
	link, err := b.svc.SubmissionFile(b.ctx, b.learner, sub, f.ID)
	require.NoError(t, err)
	require.Contains(t, link.URL, "X-Amz-Signature")
	staff, err := b.svc.GetMark(b.ctx, b.teacher, sub)
	require.NoError(t, err)
	require.Equal(t, 17.5, staff.Score)
	require.NotNil(t, staff.FeedbackFile)
	list, err := b.svc.ListSubmissions(b.ctx, b.teacher, a.ID, assignment.SubmissionFilter{Status: assignment.StatusMarked}, uuid.Nil, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = b.svc.ListSubmissions(b.ctx, b.teacher, a.ID, assignment.SubmissionFilter{Status: assignment.StatusReleased}, uuid.Nil, 10)
	require.NoError(t, err)
	require.Empty(t, list)

	// Released: the learner sees the mark, the feedback and its file.
	n, err := b.svc.Release(b.ctx, b.teacher, a.ID)
	require.NoError(t, err)
	require.EqualValues(t, 1, n.Released)
	got, err := b.svc.GetMark(b.ctx, b.learner, sub)
	require.NoError(t, err)
	require.Equal(t, "Good structure.", got.Feedback)
	require.NotNil(t, got.FeedbackFile)
	mine, err = b.svc.MySubmission(b.ctx, b.learner, a.ID)
	require.NoError(t, err)
	require.Equal(t, assignment.StatusReleased, mine.Status)
	require.Equal(t, 17.5, mine.Mark.Score)
	// Still nobody else's.
	_, err = b.svc.GetMark(b.ctx, b.learner2, sub)
	require.ErrorIs(t, err, errs.ErrNotFound)
}

// Bad input is a field error naming the field: a score above the maximum,
// a file nobody uploaded, someone else's upload.
func TestBadInputNamesTheField(t *testing.T) {
	t.Parallel()
	b := setup(t, "bad-")
	a := b.create(t, -time.Hour, time.Hour)
	_, err := b.svc.Create(b.ctx, b.teacher, b.c.ID, assignment.NewAssignment{SectionID: b.c.Section, Title: " ", DueAt: time.Now(), OpensAt: ptr(time.Now().Add(time.Hour)), MaxScore: 2000})
	var fe errs.FieldErrors
	require.ErrorAs(t, err, &fe)
	require.Len(t, fe, 3) // title, max_score, due_at
	_, err = b.svc.Create(b.ctx, b.teacher, b.c.ID, assignment.NewAssignment{SectionID: uuid.Must(uuid.NewV7()), Title: "x", DueAt: time.Now().Add(time.Hour), MaxScore: 10})
	require.Equal(t, "section_id", fieldOf(t, err))
	_, err = b.svc.Create(b.ctx, b.learner, b.c.ID, assignment.NewAssignment{SectionID: b.c.Section, Title: "x", DueAt: time.Now().Add(time.Hour), MaxScore: 10})
	require.ErrorIs(t, err, errs.ErrForbidden)

	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{})
	require.Equal(t, "body", fieldOf(t, err))
	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "x", FileIDs: []uuid.UUID{uuid.Must(uuid.NewV7())}})
	require.Equal(t, "file_ids", fieldOf(t, err))
	theirs := b.upload(t, b.learner2, "theirs.pdf")
	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "x", FileIDs: []uuid.UUID{theirs.ID}})
	require.Equal(t, "file_ids", fieldOf(t, err))
	v, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "x"})
	require.NoError(t, err)

	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(20.5)})
	require.Equal(t, "score", fieldOf(t, err))
	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(-1.0)})
	require.Equal(t, "score", fieldOf(t, err))
	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(5.0), FeedbackFileID: &theirs.ID})
	require.Equal(t, "feedback_file_id", fieldOf(t, err))
	_, err = b.svc.SetMark(b.ctx, b.learner, v.ID, assignment.MarkInput{Score: ptr(20.0)})
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(12.0)})
	require.NoError(t, err)
	_, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{MaxScore: ptr(10.0)})
	require.Equal(t, "max_score", fieldOf(t, err))
	_, err = b.svc.SetArrangement(b.ctx, b.admin, b.c.Learner.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(301)})
	require.Equal(t, "extra_time_percent", fieldOf(t, err))
}

// Files leave storage when nothing uses them any more: dropped from a
// resubmission, replaced as feedback, or with their assignment, whether it
// is deleted directly or as a course item.
func TestFilesLeaveStorageWithTheirWork(t *testing.T) {
	t.Parallel()
	b := setup(t, "del-")
	a := b.create(t, -time.Hour, time.Hour)
	f1, f2 := b.upload(t, b.learner, "one.pdf"), b.upload(t, b.learner, "two.pdf")
	v, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{FileIDs: []uuid.UUID{f1.ID, f2.ID}})
	require.NoError(t, err)
	require.Len(t, v.Files, 2)
	v, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{FileIDs: []uuid.UUID{f2.ID}})
	require.NoError(t, err)
	require.Len(t, v.Files, 1)
	require.False(t, b.stored(t, f1.ID), "dropped file purged")
	require.True(t, b.stored(t, f2.ID))

	fb1, fb2 := b.upload(t, b.teacher, "fb1.pdf"), b.upload(t, b.teacher, "fb2.pdf")
	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(3.0), FeedbackFileID: &fb1.ID})
	require.NoError(t, err)
	// Same file again: kept.
	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(4.0), FeedbackFileID: &fb1.ID})
	require.NoError(t, err)
	require.True(t, b.stored(t, fb1.ID))
	_, err = b.svc.SetMark(b.ctx, b.teacher, v.ID, assignment.MarkInput{Score: ptr(4.0), FeedbackFileID: &fb2.ID})
	require.NoError(t, err)
	require.False(t, b.stored(t, fb1.ID), "replaced feedback file purged")

	// Learners cannot delete; teachers can, and the files go.
	require.ErrorIs(t, b.svc.Delete(b.ctx, b.learner, a.ID), errs.ErrForbidden)
	require.NoError(t, b.svc.Delete(b.ctx, b.teacher, a.ID))
	require.False(t, b.stored(t, f2.ID))
	require.False(t, b.stored(t, fb2.ID))
	_, err = b.svc.Get(b.ctx, b.teacher, a.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.GetSubmission(b.ctx, b.learner, v.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)

	// Through the course: deleting the assignment's item (the hook the app
	// registers with the course service) removes the work's files too.
	b.e.App.Courses.OnDeleteItems(assignment.DropForItems)
	a2 := b.create(t, -time.Hour, time.Hour)
	f3 := b.upload(t, b.learner, "three.pdf")
	_, err = b.svc.Submit(b.ctx, b.learner, a2.ID, assignment.SubmissionInput{FileIDs: []uuid.UUID{f3.ID}})
	require.NoError(t, err)
	require.NoError(t, b.e.App.Courses.DeleteItem(b.ctx, b.teacher, a2.ItemID))
	require.False(t, b.stored(t, f3.ID))
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, b.teacher, func(tx *gorm.DB) error {
		var n int64
		require.NoError(t, tx.Table("files").Where("id IN ?", []uuid.UUID{f1.ID, f2.ID, f3.ID, fb1.ID, fb2.ID}).Count(&n).Error)
		require.Zero(t, n)
		return nil
	}))
}
