package assignment

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// SetMark marks a submission (the course's teachers and its school's
// admins): score from 0 to the assignment's max_score, written feedback,
// and optionally a feedback file the marker uploaded. It replaces any
// earlier mark; a feedback file no longer used leaves storage.
func (s *Service) SetMark(ctx context.Context, sc access.Scope, submissionID uuid.UUID, in MarkInput) (m Mark, err error) {
	var fe errs.FieldErrors
	if in.Score == nil || math.IsNaN(*in.Score) || *in.Score < 0 {
		fe.Add("score", "is required: a number from 0 to the assignment's max_score")
	}
	feedback := fe.Text("feedback", in.Feedback, 0, 20000)
	if err := fe.Err(); err != nil {
		return m, err
	}
	score := math.Round(*in.Score*100) / 100
	var dropped bool
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		sub, a, rel, err := loadSubmission(tx, sc, submissionID)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers and its school's admins mark work")
		}
		if err := identity.RefuseRestricted(tx, sub.PersonID); err != nil {
			return err
		}
		if score > a.MaxScore {
			return errs.Field("score", "must be at most the assignment's max_score (%g)", a.MaxScore)
		}
		var old Mark
		res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("submission_id = ?", submissionID).Limit(1).Find(&old)
		if res.Error != nil {
			return fmt.Errorf("mark: find: %w", res.Error)
		}
		had := res.RowsAffected > 0
		m = Mark{TenantID: sc.Tenant(), SubmissionID: submissionID, Score: score, Feedback: feedback, FeedbackFileID: in.FeedbackFileID}
		if in.FeedbackFileID != nil && (!had || old.FeedbackFileID == nil || *old.FeedbackFileID != *in.FeedbackFileID) {
			if _, err := files.Claim(tx, sc, *in.FeedbackFileID, files.ForFeedback); err != nil {
				if errors.Is(err, errs.ErrInvalid) {
					return errs.Field("feedback_file_id", "is not a file you uploaded that is ready and not already in use")
				}
				return err
			}
		}
		if had && old.FeedbackFileID != nil && (in.FeedbackFileID == nil || *old.FeedbackFileID != *in.FeedbackFileID) {
			dropped = true
			// Unlink first: the mark must not point at a file being purged.
			if err := tx.Exec(`UPDATE marks SET feedback_file_id = NULL WHERE submission_id = ?`, submissionID).Error; err != nil {
				return fmt.Errorf("mark: unlink feedback file: %w", err)
			}
			if err := files.Discard(tx, *old.FeedbackFileID); err != nil {
				return err
			}
		}
		switch {
		case in.Released == nil && had:
			m.ReleasedAt = old.ReleasedAt
		case in.Released != nil && *in.Released && had && old.ReleasedAt != nil:
			m.ReleasedAt = old.ReleasedAt
		case in.Released != nil && *in.Released:
			now := s.now()
			m.ReleasedAt = &now
		}
		actor := sc.Actor().ID
		m.MarkedBy, m.MarkedAt = &actor, s.now()
		err = tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "submission_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"score", "feedback", "feedback_file_id", "marked_by", "marked_at", "released_at"}),
		}).Create(&m).Error
		if err != nil {
			return fmt.Errorf("mark: save: %w", err)
		}
		if m.ReleasedAt != nil && (!had || old.ReleasedAt == nil) {
			return s.tellReleased(tx, sc, []uuid.UUID{submissionID})
		}
		return nil
	})
	if err == nil && dropped {
		s.files.PurgeSoon(ctx, sc.Tenant())
	}
	return m, err
}

// GetMark returns a submission's mark with a link to its feedback file: to
// the course's teachers, and to the learner only once released (before
// that it does not exist for them).
func (s *Service) GetMark(ctx context.Context, sc access.Scope, submissionID uuid.UUID) (v MarkView, err error) {
	var f *files.File
	var region string
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, _, rel, err := loadSubmission(tx, sc, submissionID)
		if err != nil {
			return err
		}
		res := tx.Where("submission_id = ?", submissionID).Limit(1).Find(&v.Mark)
		if res.Error != nil {
			return fmt.Errorf("mark: get: %w", res.Error)
		}
		if res.RowsAffected == 0 || !rel.Teaches() && v.ReleasedAt == nil {
			return errs.New(errs.ErrNotFound, "mark of submission %s", submissionID)
		}
		if v.FeedbackFileID == nil {
			return nil
		}
		ff, err := files.Get(tx, *v.FeedbackFileID)
		if err != nil {
			return err
		}
		f = &ff
		region, err = files.Region(tx)
		return err
	})
	if err != nil || f == nil {
		return v, err
	}
	link, err := s.files.Link(ctx, sc, region, *f)
	v.FeedbackFile = &link
	return v, err
}

// Release releases every marked, unreleased submission of an assignment to
// its learners and returns how many it released.
func (s *Service) Release(ctx context.Context, sc access.Scope, assignmentID uuid.UUID) (out Released, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, err := loadTeach(tx, sc, assignmentID); err != nil {
			return err
		}
		var ids []uuid.UUID
		if err := tx.Raw(`UPDATE marks SET released_at = ? WHERE released_at IS NULL
			AND submission_id IN (SELECT id FROM submissions WHERE assignment_id = ?) RETURNING submission_id`,
			s.now(), assignmentID).Scan(&ids).Error; err != nil {
			return fmt.Errorf("mark: release: %w", err)
		}
		out.Released = int64(len(ids))
		return s.tellReleased(tx, sc, ids)
	})
	return out, err
}
