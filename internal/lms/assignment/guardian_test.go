package assignment_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// A guardian reads the feedback released to their own child, never what
// is not released yet, never another child's; anyone who is not the
// child's guardian (the child's teacher included) is told there is no
// such child.
func TestGuardianReadsOnlyTheirChildsReleasedFeedback(t *testing.T) {
	t.Parallel()
	b := setup(t, "gf-")
	var parent uuid.UUID
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		parent = b.c.Outsider.ID // any member may be linked as a guardian here
		return tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id) VALUES (?, ?, ?)`, b.e.A.ID, parent, b.c.Learner.ID).Error
	}))
	released, held := b.create(t, -time.Hour, 24*time.Hour), b.create(t, -time.Hour, 24*time.Hour)
	yes, no := true, false
	mark := func(sc access.Scope, a assignment.Assignment, feedback string, release *bool) {
		sub, err := b.svc.Submit(b.ctx, sc, a.ID, assignment.SubmissionInput{Body: "My essay"})
		require.NoError(t, err)
		score := 15.0
		_, err = b.svc.SetMark(b.ctx, b.teacher, sub.ID, assignment.MarkInput{Score: &score, Feedback: feedback, Released: release})
		require.NoError(t, err)
	}
	mark(b.learner, released, "Clear argument", &yes)
	mark(b.learner, held, "Not yet released", &no)
	mark(b.learner2, released, "Another child's feedback", &yes)

	got, err := b.svc.FeedbackForGuardian(b.ctx, b.outsider, b.c.Learner.ID, []uuid.UUID{released.ID, held.ID})
	require.NoError(t, err)
	require.Equal(t, map[uuid.UUID]string{released.ID: "Clear argument"}, got)

	for _, who := range []access.Scope{b.teacher, b.learner2, b.admin} {
		_, err = b.svc.FeedbackForGuardian(b.ctx, who, b.c.Learner.ID, []uuid.UUID{released.ID})
		require.ErrorIs(t, err, errs.ErrNotFound)
	}
	_, err = b.svc.FeedbackForGuardian(b.ctx, b.outsider, b.c.Learner2.ID, []uuid.UUID{released.ID})
	require.ErrorIs(t, err, errs.ErrNotFound, "not their child")
}
