package quiz

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// handIn scores the objective answers and totals the attempt.
func (s *Service) handIn(tx *gorm.DB, a Attempt, at time.Time) (Attempt, error) {
	var rows []struct {
		Question
		Response json.RawMessage
	}
	if err := tx.Raw(answeredSQL, a.ID).Scan(&rows).Error; err != nil {
		return a, err
	}
	for _, r := range rows {
		if r.Kind == "essay" {
			continue
		}
		var resp Response
		_ = json.Unmarshal(r.Response, &resp)
		sc := score(r.Question, resp)
		if err := tx.Exec(autoScoreSQL, sc, a.ID, r.ID).Error; err != nil {
			return a, err
		}
	}
	a.Status, a.SubmittedAt = AttemptSubmitted, &at
	if err := tx.Model(&Attempt{}).Where("id = ?", a.ID).Updates(map[string]any{"status": a.Status, "submitted_at": at}).Error; err != nil {
		return a, err
	}
	return a, s.total(tx, &a)
}

// total sets the attempt's score: the teacher's mark where there is one,
// else the automatic one; none while an essay is unmarked.
func (s *Service) total(tx *gorm.DB, a *Attempt) error {
	var t struct {
		Sum      float64
		Unmarked int
	}
	if err := tx.Raw(totalSQL, a.ID, a.QuizID).Scan(&t).Error; err != nil {
		return err
	}
	a.Score = nil
	if t.Unmarked == 0 {
		v := math.Round(t.Sum*100) / 100
		a.Score = &v
	}
	return tx.Model(&Attempt{}).Where("id = ?", a.ID).Update("score", a.Score).Error
}

// score is what an objective answer earns: all the question's points for
// a right answer, none otherwise (no partial credit, no negative marking).
func score(q Question, r Response) float64 {
	right := false
	switch q.Kind {
	case "single", "multiple":
		right = q.Answer != nil && slices.Equal(dedupe(r.Options), dedupe(q.Answer.Options))
	case "numeric":
		right = q.Answer != nil && q.Answer.Value != nil && r.Value != nil && math.Abs(*r.Value-*q.Answer.Value) <= q.Answer.Tolerance+1e-9
	case "short":
		if q.Answer != nil && r.Text != nil {
			got := strings.ToLower(strings.Join(strings.Fields(*r.Text), " "))
			for _, acc := range q.Answer.Accept {
				if got == strings.ToLower(strings.Join(strings.Fields(acc), " ")) {
					right = true
				}
			}
		}
	}
	if right {
		return q.Points
	}
	return 0
}

// MarkAnswer is a teacher's mark and feedback on one answer (an essay, or
// a correction of an automatic score).
func (s *Service) MarkAnswer(ctx context.Context, sc access.Scope, attemptID, questionID uuid.UUID, m Mark) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, rel, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers mark")
		}
		// The input is checked once the attempt is known to be theirs.
		var fe errs.FieldErrors
		feedback := fe.Text("feedback", m.Feedback, 0, 20000)
		if math.IsNaN(m.Score) || math.IsInf(m.Score, 0) || m.Score < 0 {
			fe.Add("score", "must be a number, 0 or more")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if a, err = s.closeIfLate(tx, q, a); err != nil {
			return err
		}
		if a.Status != AttemptSubmitted {
			return errs.New(errs.ErrConflict, "the attempt is still in progress")
		}
		var pts float64
		if err := database.Found(tx.Raw(pointsSQL, q.ID, questionID).Scan(&pts), "question %s is not on this quiz", questionID); err != nil {
			return err
		}
		if m.Score > pts {
			return errs.Field("score", "must be at most %g, what the question is worth", pts)
		}
		if err := tx.Exec(markSQL, a.TenantID, a.ID, questionID, m.Score, feedback, sc.Actor().ID).Error; err != nil {
			return err
		}
		if err := s.total(tx, &a); err != nil {
			return err
		}
		sh, err = s.sheet(tx, q, a, true)
		return err
	})
	return sh, err
}

// Attempts lists a quiz's attempts for its teachers (handing in those
// past their deadline first).
func (s *Service) Attempts(ctx context.Context, sc access.Scope, quizID uuid.UUID) ([]Attempt, error) {
	return s.AttemptPage(ctx, sc, quizID, database.Page{Limit: 2000})
}

// attemptOrder lists attempts by the learner's name, then id.
var attemptOrder = database.Keyset{Key: "p.display_name", Cast: "text", ID: "a.id"}

// At is where an attempt sits in the order AttemptPage lists them.
func (a Attempt) At() (string, uuid.UUID) { return a.PersonName, a.ID }

// AttemptPage is a page of a quiz's attempts, by learner name (teachers).
func (s *Service) AttemptPage(ctx context.Context, sc access.Scope, quizID uuid.UUID, p database.Page) ([]Attempt, error) {
	out := []Attempt{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, rel, err := load(tx, sc, quizID)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers see every attempt")
		}
		rows := tx.Table("quiz_attempts a").Select("a.*, p.display_name AS person_name").Joins("JOIN people p ON p.id = a.person_id").
			Where("a.quiz_id = ?", quizID)
		if err := attemptOrder.Apply(rows, p).Find(&out).Error; err != nil {
			return err
		}
		for i := range out {
			if out[i], err = s.closeIfLate(tx, q, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Release lets the quiz's learners see their results.
func (s *Service) Release(ctx context.Context, sc access.Scope, quizID uuid.UUID) (q Quiz, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rel course.Relation
		if q, rel, err = load(tx, sc, quizID); err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers release results")
		}
		if q.ResultsReleasedAt == nil {
			now := s.now().UTC()
			q.ResultsReleasedAt = &now
			return tx.Model(&Quiz{}).Where("id = ?", quizID).Update("results_released_at", now).Error
		}
		return nil
	})
	return q, err
}
