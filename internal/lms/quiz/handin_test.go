package quiz_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Hand in saves every answer the form holds first: one typed and never
// saved on its own counts; an answer left empty stays unanswered; after the
// deadline nothing more is saved.
func TestHandInSavesTheFormFirst(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "handin-")
	s := quiz.NewService(e.App.DB)
	clock := time.Now().UTC()
	quiz.SetClock(s, func() time.Time { return clock })
	teacher, learner := access.Member(e.A.ID, fx.Teacher.ID), access.Member(e.A.ID, fx.Learner.ID)
	v := 42.0
	num, err := s.AddQuestion(ctx, teacher, fx.ID, quiz.NewQuestion{Kind: "numeric", Prompt: "The answer?", Points: 1, Answer: quiz.Answer{Value: &v}})
	require.NoError(t, err)
	short, err := s.AddQuestion(ctx, teacher, fx.ID, quiz.NewQuestion{Kind: "short", Prompt: "Capital of France?", Points: 1, Answer: quiz.Answer{Accept: []string{"Paris"}}})
	require.NoError(t, err)
	pick, err := s.AddQuestion(ctx, teacher, fx.ID, quiz.NewQuestion{Kind: "single", Prompt: "Largest?", Points: 1,
		Options: []quiz.Option{{ID: "a", Text: "Mouse"}, {ID: "b", Text: "Whale"}}, Answer: quiz.Answer{Options: []string{"b"}}})
	require.NoError(t, err)
	qz, err := s.Create(ctx, teacher, fx.ID, quiz.NewQuiz{Title: "Form", OpensAt: clock.Add(-time.Minute), ClosesAt: clock.Add(time.Hour),
		TimeLimitMinutes: 10, QuestionIDs: []uuid.UUID{num.ID, short.ID, pick.ID}, Published: true})
	require.NoError(t, err)
	sh, err := s.Start(ctx, learner, qz.ID)
	require.NoError(t, err)

	// A bad number refuses the hand-in, with nothing handed in.
	_, err = s.HandIn(ctx, learner, sh.Attempt.ID, quiz.Posted{num.ID: {"forty"}})
	require.ErrorIs(t, err, errs.ErrInvalid)
	require.NoError(t, s.SaveForm(ctx, learner, sh.Attempt.ID, quiz.Posted{pick.ID: {"b"}}))

	got, err := s.HandIn(ctx, learner, sh.Attempt.ID, quiz.Posted{num.ID: {"42"}, short.ID: {"Paris"}, pick.ID: {"b"}})
	require.NoError(t, err)
	require.Equal(t, quiz.AttemptSubmitted, got.Attempt.Status)
	require.Len(t, got.Answers, 3, "the answers typed and not saved are handed in")
	staff, err := s.Sheet(ctx, teacher, sh.Attempt.ID)
	require.NoError(t, err)
	require.Equal(t, 3.0, *staff.Attempt.Score)

	// Past the deadline the form is not saved.
	sh2, err := s.Start(ctx, access.Member(e.A.ID, fx.Learner2.ID), qz.ID)
	require.NoError(t, err)
	clock = sh2.Attempt.DeadlineAt.Add(time.Second)
	late, err := s.HandIn(ctx, access.Member(e.A.ID, fx.Learner2.ID), sh2.Attempt.ID, quiz.Posted{num.ID: {"42"}, short.ID: {""}})
	require.NoError(t, err)
	require.Empty(t, late.Answers)
	require.True(t, sh2.Attempt.DeadlineAt.Equal(*late.Attempt.SubmittedAt))
}
