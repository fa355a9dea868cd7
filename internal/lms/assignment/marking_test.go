package assignment_test

import (
	"archive/zip"
	"bytes"
	"io"
	"sort"
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

// Work after a learner's due date is accepted, as late, until the closing
// date for late work and not after; without a closing date the due date is
// the end. A closing date before the due date is refused.
func TestLateWorkUntilTheClosingDate(t *testing.T) {
	t.Parallel()
	b := setup(t, "late-")
	now := time.Now()
	_, err := b.svc.Create(b.ctx, b.teacher, b.c.ID, assignment.NewAssignment{SectionID: b.c.Section, Title: "Essay",
		DueAt: now.Add(time.Hour), ClosesAt: ptr(now), MaxScore: 10})
	require.Equal(t, "closes_at", fieldOf(t, err))

	a := b.create(t, -2*time.Hour, -time.Hour)
	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Late, no closing date"})
	require.ErrorIs(t, err, errs.ErrConflict)

	a, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{ClosesAt: ptr(now.Add(time.Hour))})
	require.NoError(t, err)
	require.WithinDuration(t, now.Add(time.Hour), *a.ClosesAt, time.Second)
	mine, err := b.svc.Get(b.ctx, b.learner, a.ID)
	require.NoError(t, err)
	require.WithinDuration(t, now.Add(time.Hour), *mine.EffectiveClosesAt, time.Second)
	v, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Late but before closing"})
	require.NoError(t, err)
	require.True(t, v.Late)

	_, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{ClosesAt: ptr(now.Add(-time.Hour - time.Minute))})
	require.Equal(t, "closes_at", fieldOf(t, err), "closing before the due date")
	_, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{ClosesAt: ptr(now.Add(-time.Minute))})
	require.NoError(t, err)
	_, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "After closing"})
	require.ErrorIs(t, err, errs.ErrConflict)
	require.Contains(t, errs.Public(err), "closing date")

	a, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{NoLateWork: true})
	require.NoError(t, err)
	require.Nil(t, a.ClosesAt)
}

// An assignment takes text, files or both: what it does not take is a
// field error naming what to change.
func TestHandInOnlyWhatTheAssignmentTakes(t *testing.T) {
	t.Parallel()
	b := setup(t, "kinds-")
	a := b.create(t, -time.Hour, time.Hour)
	require.Equal(t, assignment.HandInBoth, a.HandIn)
	_, err := b.svc.Create(b.ctx, b.teacher, b.c.ID, assignment.NewAssignment{SectionID: b.c.Section, Title: "X",
		DueAt: time.Now().Add(time.Hour), MaxScore: 10, HandIn: "video"})
	require.Equal(t, "hand_in", fieldOf(t, err))

	_, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{HandIn: ptr(assignment.HandInText)})
	require.NoError(t, err)
	f := b.upload(t, b.learner, "essay.pdf")
	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Text", FileIDs: []uuid.UUID{f.ID}})
	require.Equal(t, "file_ids", fieldOf(t, err), "text only: no files")
	_, err = b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Text only"})
	require.NoError(t, err)

	_, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{HandIn: ptr(assignment.HandInFiles)})
	require.NoError(t, err)
	_, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "Some text"})
	require.Equal(t, "body", fieldOf(t, err), "files only: no text")
	_, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "Text", FileIDs: []uuid.UUID{b.upload(t, b.learner2, "a.pdf").ID}})
	require.Equal(t, "body", fieldOf(t, err), "files only: no text beside the files")
	_, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{FileIDs: []uuid.UUID{b.upload(t, b.learner2, "b.pdf").ID}})
	require.NoError(t, err)
}

// The marking roster lists every learner of the course, handed in or not,
// with their status; counts cover every learner whatever the filter; a
// teacher's extra time on one assignment moves that learner's due date on
// it and nowhere else.
func TestRosterShowsEveryLearner(t *testing.T) {
	t.Parallel()
	b := setup(t, "roster-")
	a := b.create(t, -2*time.Hour, -time.Hour)
	other := b.create(t, -2*time.Hour, -time.Hour)
	r, err := b.svc.Roster(b.ctx, b.teacher, a.ID, "")
	require.NoError(t, err)
	require.Len(t, r.Learners, 2)
	require.Equal(t, 2, r.Counts[assignment.StatusMissing])

	// Learner2 gets 200% extra on a (window 1h: due in an hour) and hands in.
	_, err = b.svc.SetExtraTime(b.ctx, b.learner, a.ID, b.c.Learner2.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(200)})
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.SetExtraTime(b.ctx, b.other, a.ID, b.c.Learner2.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(200)})
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.SetExtraTime(b.ctx, b.teacher, a.ID, b.c.Outsider.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(200)})
	require.Equal(t, "person_id", fieldOf(t, err))
	x, err := b.svc.SetExtraTime(b.ctx, b.teacher, a.ID, b.c.Learner2.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(200)})
	require.NoError(t, err)
	require.Equal(t, 200, x.ExtraTimePercent)
	xs, err := b.svc.ListExtraTime(b.ctx, b.teacher, a.ID)
	require.NoError(t, err)
	require.Len(t, xs, 1)
	mine, err := b.svc.Get(b.ctx, b.learner2, a.ID)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), *mine.EffectiveDueAt, time.Minute)
	_, err = b.svc.Submit(b.ctx, b.learner2, other.ID, assignment.SubmissionInput{Body: "Not on the other one"})
	require.ErrorIs(t, err, errs.ErrConflict, "extra time on one assignment only")
	v2, err := b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "On time with extra time"})
	require.NoError(t, err)
	require.False(t, v2.Late)

	// Learner hands in late (a closing date lets them).
	_, err = b.svc.Update(b.ctx, b.teacher, a.ID, assignment.AssignmentPatch{ClosesAt: ptr(time.Now().Add(time.Hour))})
	require.NoError(t, err)
	v1, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Late"})
	require.NoError(t, err)
	r, err = b.svc.Roster(b.ctx, b.teacher, a.ID, "")
	require.NoError(t, err)
	status := map[uuid.UUID]assignment.Status{}
	for _, l := range r.Learners {
		status[l.PersonID] = l.Status
	}
	require.Equal(t, map[uuid.UUID]assignment.Status{b.c.Learner.ID: assignment.StatusLate, b.c.Learner2.ID: assignment.StatusHandedIn}, status)

	_, err = b.svc.SetMark(b.ctx, b.teacher, v1.ID, assignment.MarkInput{Score: ptr(5.0)})
	require.NoError(t, err)
	_, err = b.svc.SetMark(b.ctx, b.teacher, v2.ID, assignment.MarkInput{Score: ptr(6.0), Released: ptr(true)})
	require.NoError(t, err)
	r, err = b.svc.Roster(b.ctx, b.teacher, a.ID, assignment.StatusMarked)
	require.NoError(t, err)
	require.Len(t, r.Learners, 1)
	require.Equal(t, b.c.Learner.ID, r.Learners[0].PersonID)
	require.Equal(t, map[assignment.Status]int{assignment.StatusHandedIn: 0, assignment.StatusLate: 0, assignment.StatusMissing: 0,
		assignment.StatusMarked: 1, assignment.StatusReleased: 1}, r.Counts)
	_, err = b.svc.Roster(b.ctx, b.teacher, a.ID, "lost")
	require.Equal(t, "status", fieldOf(t, err))
	_, err = b.svc.Roster(b.ctx, b.learner, a.ID, "")
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.Roster(b.ctx, b.other, a.ID, "")
	require.ErrorIs(t, err, errs.ErrNotFound)
}

// Releasing to chosen learners releases theirs and nobody else's; a
// submission that is not marked work of this assignment releases nothing.
func TestReleaseToChosenLearners(t *testing.T) {
	t.Parallel()
	b := setup(t, "chosen-")
	a := b.create(t, -time.Hour, time.Hour)
	other := b.create(t, -time.Hour, time.Hour)
	s1, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "One"})
	require.NoError(t, err)
	s2, err := b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{Body: "Two"})
	require.NoError(t, err)
	so, err := b.svc.Submit(b.ctx, b.learner, other.ID, assignment.SubmissionInput{Body: "Other"})
	require.NoError(t, err)
	for _, id := range []uuid.UUID{s1.ID, s2.ID, so.ID} {
		_, err = b.svc.SetMark(b.ctx, b.teacher, id, assignment.MarkInput{Score: ptr(5.0)})
		require.NoError(t, err)
	}
	_, err = b.svc.ReleaseChosen(b.ctx, b.teacher, a.ID, assignment.ReleaseInput{SubmissionIDs: []uuid.UUID{s1.ID, so.ID}})
	require.Equal(t, "submission_ids", fieldOf(t, err))
	_, err = b.svc.ReleaseChosen(b.ctx, b.learner, a.ID, assignment.ReleaseInput{SubmissionIDs: []uuid.UUID{s1.ID}})
	require.ErrorIs(t, err, errs.ErrForbidden)
	out, err := b.svc.ReleaseChosen(b.ctx, b.teacher, a.ID, assignment.ReleaseInput{SubmissionIDs: []uuid.UUID{s1.ID}})
	require.NoError(t, err)
	require.EqualValues(t, 1, out.Released)
	_, err = b.svc.GetMark(b.ctx, b.learner, s1.ID)
	require.NoError(t, err)
	_, err = b.svc.GetMark(b.ctx, b.learner2, s2.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "not chosen: not released")
	_, err = b.svc.GetMark(b.ctx, b.learner, so.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "another assignment: not released")
}

// The zip of hand-ins holds one folder per learner of the course who
// handed in, with their text and their files, and nothing of another
// assignment, another course's work, or someone no longer on the course.
func TestHandInsZipHoldsTheCoursesWorkOnly(t *testing.T) {
	t.Parallel()
	b := setup(t, "zip-")
	a := b.create(t, -time.Hour, time.Hour)
	f1 := b.upload(t, b.learner, "essay.pdf")
	_, err := b.svc.Submit(b.ctx, b.learner, a.ID, assignment.SubmissionInput{Body: "Learner's answer", FileIDs: []uuid.UUID{f1.ID}})
	require.NoError(t, err)
	f2 := b.upload(t, b.learner2, "essay.pdf")
	f3 := b.upload(t, b.learner2, "essay.pdf")
	_, err = b.svc.Submit(b.ctx, b.learner2, a.ID, assignment.SubmissionInput{FileIDs: []uuid.UUID{f2.ID, f3.ID}})
	require.NoError(t, err)

	// Another assignment of the course, handed in by the same learner.
	same := b.create(t, -time.Hour, time.Hour)
	_, err = b.svc.Submit(b.ctx, b.learner, same.ID, assignment.SubmissionInput{Body: "Another assignment's answer"})
	require.NoError(t, err)

	// Another course in the same tenant, with its own hand-in.
	oc := lmstest.NewCourse(t, b.e.DB.App, b.e.A.ID, "zother-")
	oa, err := b.svc.Create(b.ctx, oc.Teacher.Scope(b.e.A.ID), oc.ID, assignment.NewAssignment{SectionID: oc.Section, Title: "Essay",
		DueAt: time.Now().Add(time.Hour), MaxScore: 10})
	require.NoError(t, err)
	_, err = b.svc.Submit(b.ctx, oc.Learner.Scope(b.e.A.ID), oa.ID, assignment.SubmissionInput{Body: "Other course's answer"})
	require.NoError(t, err)

	_, err = b.svc.HandIns(b.ctx, b.learner, a.ID)
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.HandIns(b.ctx, oc.Teacher.Scope(b.e.A.ID), a.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)

	h, err := b.svc.HandIns(b.ctx, b.teacher, a.ID)
	require.NoError(t, err)
	require.Equal(t, "Essay.zip", h.Name)
	var buf bytes.Buffer
	require.NoError(t, h.Write(b.ctx, &buf))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	got := map[string]string{}
	var names []string
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(r)
		require.NoError(t, err)
		got[f.Name] = string(body)
		names = append(names, f.Name)
	}
	l1 := "zip- learner " + b.c.Learner.ID.String()[:8]
	l2 := "zip- learner2 " + b.c.Learner2.ID.String()[:8]
	want := []string{l1 + "/answer.txt", l1 + "/essay.pdf", l2 + "/2 essay.pdf", l2 + "/essay.pdf"}
	sort.Strings(names)
	require.Equal(t, want, names)
	require.Equal(t, "Learner's answer", got[l1+"/answer.txt"])
	require.Equal(t, string(pdf), got[l1+"/essay.pdf"])

	// Taken off the course: their work is no longer in the class's zip.
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`DELETE FROM enrolments WHERE course_id = ? AND person_id = ?`, b.c.ID, b.c.Learner2.ID).Error
	}))
	h, err = b.svc.HandIns(b.ctx, b.teacher, a.ID)
	require.NoError(t, err)
	buf.Reset()
	require.NoError(t, h.Write(b.ctx, &buf))
	zr, err = zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	require.Len(t, zr.File, 2)
}
