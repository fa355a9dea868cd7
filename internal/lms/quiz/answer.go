package quiz

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
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

// Posted is what a form posted for the questions of an attempt: each
// question's values, read by its kind (the chosen option ids, a number, a
// text). A question absent from it is left as saved.
type Posted map[uuid.UUID][]string

// response reads a question's posted values; ok is false when they answer
// nothing (an empty number, no option chosen where none was saved).
func response(q Question, vals []string, saved bool) (r Response, ok bool, err error) {
	switch q.Kind {
	case "single", "multiple":
		var opts []string
		for _, v := range vals {
			if v != "" {
				opts = append(opts, v)
			}
		}
		if len(opts) == 0 && !saved {
			return r, false, nil
		}
		r.Options = opts
		if r.Options == nil {
			r.Options = []string{}
		}
	case "numeric":
		if len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			return r, false, nil
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(vals[0]), 64)
		if err != nil {
			return r, false, errs.Field("value", "must be a number, like 3.14 (question: %s)", q.Prompt)
		}
		r.Value = &v
	default:
		if len(vals) == 0 || (vals[0] == "" && !saved) {
			return r, false, nil
		}
		t := vals[0]
		r.Text = &t
	}
	return r, true, nil
}

// saveForm saves, in tx, every answer the form posted for the attempt's
// quiz; nothing when the learner's time has run out.
func (s *Service) saveForm(tx *gorm.DB, q Quiz, a Attempt, posted Posted) error {
	now := s.now().UTC()
	if now.After(a.DeadlineAt) || len(posted) == 0 {
		return nil
	}
	var questions []Question
	if err := tx.Raw(questionsSQL, q.ID).Scan(&questions).Error; err != nil {
		return err
	}
	var have []uuid.UUID
	if err := tx.Table("quiz_answers").Where("attempt_id = ?", a.ID).Pluck("question_id", &have).Error; err != nil {
		return err
	}
	saved := map[uuid.UUID]bool{}
	for _, id := range have {
		saved[id] = true
	}
	for _, question := range questions {
		vals, asked := posted[question.ID]
		if !asked {
			continue
		}
		r, ok, err := response(question, vals, saved[question.ID])
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		raw, err := checkResponse(question, r)
		if err != nil {
			return err
		}
		if err := tx.Exec(saveAnswerSQL, a.TenantID, a.ID, question.ID, string(raw), now).Error; err != nil {
			return err
		}
	}
	return nil
}

// SaveForm records every answer a form posted, at once (the attempt page
// without JavaScript: one button saves them all).
func (s *Service) SaveForm(ctx context.Context, sc access.Scope, attemptID uuid.UUID, posted Posted) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
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
		if s.now().After(a.DeadlineAt) {
			if _, err := s.closeIfLate(tx, q, a); err != nil {
				return err
			}
			return errs.New(errs.ErrConflict, "your time ran out at %s; the answers saved before then are handed in", a.DeadlineAt.UTC().Format(time.RFC3339))
		}
		return s.saveForm(tx, q, a, posted)
	})
}
