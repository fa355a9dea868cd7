package quiz

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Deadline is when an attempt started at start must be handed in: the time
// limit lengthened by pct per cent (25 % more time for 25 % extra time),
// to the microsecond the database keeps.
func Deadline(start time.Time, limitSeconds, pct int) time.Time {
	limit := time.Duration(limitSeconds) * time.Second
	extra := time.Duration(int64(limit) * int64(pct) / 100)
	return start.Add(limit + extra).Truncate(time.Microsecond)
}

// Start begins the learner's attempt, or returns the one they started
// (resuming after a dropped connection). Their deadline is fixed now:
// the time limit plus their extra time.
func (s *Service) Start(ctx context.Context, sc access.Scope, quizID uuid.UUID) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, rel, err := load(tx, sc, quizID)
		if err != nil {
			return err
		}
		if !rel.Learns() {
			return errs.New(errs.ErrForbidden, "only the course's learners take its quizzes")
		}
		me := sc.Actor().ID
		var a Attempt
		res := tx.Where("quiz_id = ? AND person_id = ?", quizID, me).Limit(1).Find(&a)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			now := s.now().UTC().Truncate(time.Microsecond)
			if now.Before(q.OpensAt) || !now.Before(q.ClosesAt) {
				return errs.New(errs.ErrConflict, "the quiz is open from %s to %s", q.OpensAt.UTC().Format(time.RFC3339), q.ClosesAt.UTC().Format(time.RFC3339))
			}
			pct, err := extraTime(tx, me)
			if err != nil {
				return err
			}
			var max float64
			if err := tx.Raw(maxScoreSQL, quizID).Row().Scan(&max); err != nil {
				return err
			}
			a = Attempt{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), QuizID: quizID, PersonID: me, ExtraTimePercent: pct,
				StartedAt: now, DeadlineAt: Deadline(now, q.TimeLimitSeconds, pct), Status: AttemptInProgress, MaxScore: max}
			if err := tx.Create(&a).Error; err != nil {
				return fmt.Errorf("quiz: start: %w", err)
			}
		}
		sh, err = s.sheet(tx, q, a, false)
		return err
	})
	return sh, err
}

// Sheet is an attempt for its learner or a teacher of the course. An
// attempt past its deadline is handed in first, with the answers saved in
// time.
func (s *Service) Sheet(ctx context.Context, sc access.Scope, attemptID uuid.UUID) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, rel, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if a, err = s.closeIfLate(tx, q, a); err != nil {
			return err
		}
		sh, err = s.sheet(tx, q, a, rel.Teaches())
		return err
	})
	return sh, err
}

// loadAttempt reads an attempt its learner, or a teacher of its course,
// may see.
func (s *Service) loadAttempt(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Quiz, Attempt, course.Relation, error) {
	var a Attempt
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&a), "attempt %s", id); err != nil {
		return Quiz{}, a, course.Relation{}, err
	}
	q, rel, err := load(tx, sc, a.QuizID)
	if err != nil || (!rel.Teaches() && a.PersonID != sc.Actor().ID) {
		return q, a, rel, errs.New(errs.ErrNotFound, "attempt %s", id)
	}
	return q, a, rel, nil
}

func (s *Service) sheet(tx *gorm.DB, q Quiz, a Attempt, staff bool) (Sheet, error) {
	sh := Sheet{Quiz: q, Attempt: a, Questions: []Question{}, Answers: []SavedAnswer{}, Staff: staff}
	if err := tx.Raw(questionsSQL, q.ID).Scan(&sh.Questions).Error; err != nil {
		return sh, err
	}
	if err := tx.Where("attempt_id = ?", a.ID).Order("question_id").Find(&sh.Answers).Error; err != nil {
		return sh, err
	}
	released := staff || q.ResultsReleasedAt != nil
	for i := range sh.Questions {
		if !staff {
			sh.Questions[i].Answer = nil // the key is never shown to learners
		}
		sh.Questions[i].CreatedBy = nil
	}
	if !released {
		sh.Attempt.Score = nil
		for i := range sh.Answers {
			sh.Answers[i].AutoScore, sh.Answers[i].TeacherScore, sh.Answers[i].Feedback, sh.Answers[i].MarkedAt = nil, nil, "", nil
		}
	}
	if left := a.DeadlineAt.Sub(s.now()); a.Status == AttemptInProgress && left > 0 {
		sh.SecondsLeft = int(left / time.Second)
	}
	return sh, nil
}

// Submit hands the learner's attempt in and scores its objective questions.
func (s *Service) Submit(ctx context.Context, sc access.Scope, attemptID uuid.UUID) (sh Sheet, err error) {
	return s.HandIn(ctx, sc, attemptID, nil)
}

// HandIn saves every answer the attempt's form posted, then hands the
// attempt in, in one transaction: an answer typed and not yet saved when
// the learner pressed Hand in is never lost. After the deadline nothing
// more is saved and the attempt is handed in as of then.
func (s *Service) HandIn(ctx context.Context, sc access.Scope, attemptID uuid.UUID, posted Posted) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, _, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if a.PersonID != sc.Actor().ID {
			return errs.New(errs.ErrForbidden, "only the learner hands their attempt in")
		}
		if a.Status == AttemptInProgress {
			if err := s.saveForm(tx, q, a, posted); err != nil {
				return err
			}
			at := s.now().UTC()
			if at.After(a.DeadlineAt) {
				at = a.DeadlineAt
			}
			if a, err = s.handIn(tx, a, at); err != nil {
				return err
			}
		}
		sh, err = s.sheet(tx, q, a, false)
		return err
	})
	return sh, err
}

// closeIfLate hands in an attempt whose deadline has passed, as of its
// deadline.
func (s *Service) closeIfLate(tx *gorm.DB, q Quiz, a Attempt) (Attempt, error) {
	if a.Status != AttemptInProgress || !s.now().After(a.DeadlineAt) {
		return a, nil
	}
	return s.handIn(tx, a, a.DeadlineAt)
}
