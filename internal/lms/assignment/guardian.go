package assignment

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// FeedbackForGuardian is the written feedback on learner's work on the
// given assignments, released to the learner, for the actor, who must be
// one of the learner's guardians (anyone else: the learner is not found).
// Feedback not yet released, and anyone else's, is never included. The
// caller decides whether the school shows parents feedback at all.
func (s *Service) FeedbackForGuardian(ctx context.Context, sc access.Scope, learner uuid.UUID, assignments []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(assignments) == 0 {
		return out, nil
	}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var linked bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM guardianships WHERE guardian_id = ? AND child_id = ?)`,
			sc.Actor().ID, learner).Row().Scan(&linked); err != nil {
			return fmt.Errorf("assignment: guardian of %s: %w", learner, err)
		}
		if !linked {
			return errs.New(errs.ErrNotFound, "There is no such child.")
		}
		var rows []struct {
			AssignmentID uuid.UUID
			Feedback     string
		}
		if err := tx.Raw(`SELECT s.assignment_id, m.feedback FROM submissions s JOIN marks m ON m.submission_id = s.id
			WHERE s.person_id = ? AND s.assignment_id IN ? AND m.released_at IS NOT NULL AND m.feedback <> ''`,
			learner, assignments).Scan(&rows).Error; err != nil {
			return fmt.Errorf("assignment: feedback for %s: %w", learner, err)
		}
		for _, r := range rows {
			out[r.AssignmentID] = r.Feedback
		}
		return nil
	})
	return out, err
}
