package quiz

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Save records the learner's answer to one question, at once: a dropped
// connection loses at most the answer being typed. Refused once their
// deadline has passed.
func (s *Service) Save(ctx context.Context, sc access.Scope, attemptID, questionID uuid.UUID, r Response) (SavedAnswer, error) {
	var out SavedAnswer
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, _, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if a.PersonID != sc.Actor().ID {
			return errs.New(errs.ErrForbidden, "only the learner answers their attempt")
		}
		if a.Status != AttemptInProgress {
			return errs.New(errs.ErrConflict, "the attempt has been handed in")
		}
		now := s.now().UTC()
		if now.After(a.DeadlineAt) {
			if _, err := s.closeIfLate(tx, q, a); err != nil {
				return err
			}
			return errs.New(errs.ErrConflict, "your time ran out at %s; the answers saved before then are handed in", a.DeadlineAt.UTC().Format(time.RFC3339))
		}
		var question Question
		if err := database.Found(tx.Raw(questionSQL, q.ID, questionID).Scan(&question), "question %s is not on this quiz", questionID); err != nil {
			return err
		}
		raw, err := checkResponse(question, r)
		if err != nil {
			return err
		}
		out = SavedAnswer{TenantID: a.TenantID, AttemptID: a.ID, QuestionID: questionID, Response: raw, SavedAt: now}
		return tx.Exec(saveAnswerSQL, a.TenantID, a.ID, questionID, string(raw), now).Error
	})
	return out, err
}

// checkResponse validates r against the question's kind and returns what
// is stored.
func checkResponse(q Question, r Response) (json.RawMessage, error) {
	var keep Response
	switch q.Kind {
	case "single", "multiple":
		ids := map[string]bool{}
		for _, o := range q.Options {
			ids[o.ID] = true
		}
		for _, id := range r.Options {
			if !ids[id] {
				return nil, errs.Field("options", "must be options of the question")
			}
		}
		keep.Options = dedupe(r.Options)
		if q.Kind == "single" && len(keep.Options) > 1 {
			return nil, errs.Field("options", "choose one option")
		}
	case "numeric":
		if r.Value == nil || math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) {
			return nil, errs.Field("value", "must be a number")
		}
		keep.Value = r.Value
	case "short", "essay":
		max := 200
		if q.Kind == "essay" {
			max = 50000
		}
		if r.Text == nil || len([]rune(*r.Text)) > max || errs.HasControlText(*r.Text) {
			return nil, errs.Field("text", "must be at most %d characters without control characters", max)
		}
		keep.Text = r.Text
	}
	return json.Marshal(keep)
}
