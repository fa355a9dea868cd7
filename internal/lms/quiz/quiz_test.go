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
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestDeadline(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 123456789, time.UTC)
	require.Equal(t, 50*time.Minute, quiz.Deadline(start, 40*60, 25).Sub(start.Truncate(time.Microsecond)))
	require.Equal(t, 60*time.Minute+45*time.Second, quiz.Deadline(start, 45*60, 35).Sub(start.Truncate(time.Microsecond)))
	require.Equal(t, time.Hour, quiz.Deadline(start, 3600, 0).Sub(start.Truncate(time.Microsecond)))
}

// When the learner's time runs out, nothing more is saved, and the
// attempt is handed in as of the deadline with what was saved in time;
// the quiz cannot be started before it opens or after it closes.
func TestTimeRunsOut(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "late-")
	s := quiz.NewService(e.App.DB)
	clock := time.Now().UTC()
	quiz.SetClock(s, func() time.Time { return clock })
	teacher, learner := access.Member(e.A.ID, fx.Teacher.ID), access.Member(e.A.ID, fx.Learner.ID)
	v := 42.0
	q1, err := s.AddQuestion(ctx, teacher, fx.ID, quiz.NewQuestion{Kind: "numeric", Prompt: "The answer?", Points: 1, Answer: quiz.Answer{Value: &v}})
	require.NoError(t, err)
	q2, err := s.AddQuestion(ctx, teacher, fx.ID, quiz.NewQuestion{Kind: "numeric", Prompt: "Again?", Points: 1, Answer: quiz.Answer{Value: &v}})
	require.NoError(t, err)
	qz, err := s.Create(ctx, teacher, fx.ID, quiz.NewQuiz{Title: "Quick", OpensAt: clock.Add(time.Minute), ClosesAt: clock.Add(time.Hour),
		TimeLimitMinutes: 10, QuestionIDs: []uuid.UUID{q1.ID, q2.ID}, Published: true})
	require.NoError(t, err)
	_, err = s.Start(ctx, learner, qz.ID)
	require.ErrorIs(t, err, errs.ErrConflict, "not open yet")
	clock = clock.Add(2 * time.Minute)
	sh, err := s.Start(ctx, learner, qz.ID)
	require.NoError(t, err)
	_, err = s.Save(ctx, learner, sh.Attempt.ID, q1.ID, quiz.Response{Value: &v})
	require.NoError(t, err)
	clock = sh.Attempt.DeadlineAt.Add(time.Millisecond)
	_, err = s.Save(ctx, learner, sh.Attempt.ID, q2.ID, quiz.Response{Value: &v})
	require.ErrorIs(t, err, errs.ErrConflict, "time ran out")
	got, err := s.Sheet(ctx, learner, sh.Attempt.ID)
	require.NoError(t, err)
	require.Equal(t, "submitted", string(got.Attempt.Status))
	require.True(t, sh.Attempt.DeadlineAt.Equal(*got.Attempt.SubmittedAt), "handed in as of the deadline")
	require.Len(t, got.Answers, 1, "only what was saved in time")
	staff, err := s.Sheet(ctx, teacher, sh.Attempt.ID)
	require.NoError(t, err)
	require.Equal(t, 1.0, *staff.Attempt.Score)
	clock = clock.Add(2 * time.Hour)
	_, err = s.Start(ctx, access.Member(e.A.ID, fx.Learner2.ID), qz.ID)
	require.ErrorIs(t, err, errs.ErrConflict, "closed")
}
