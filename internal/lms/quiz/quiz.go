package quiz

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Create sets a quiz of questions from the course's bank.
func (s *Service) Create(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewQuiz) (Quiz, error) {
	q := Quiz{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Published: in.Published,
		OpensAt: in.OpensAt.Truncate(time.Microsecond), ClosesAt: in.ClosesAt.Truncate(time.Microsecond)}
	var fe errs.FieldErrors
	q.Title = fe.Text("title", in.Title, 1, 200)
	q.Instructions = fe.Text("instructions", in.Instructions, 0, 20000)
	if in.OpensAt.IsZero() || in.ClosesAt.IsZero() || !q.ClosesAt.After(q.OpensAt) {
		fe.Add("closes_at", "opens_at and closes_at are required, and closes_at must be after opens_at")
	}
	if in.TimeLimitMinutes < 1 || in.TimeLimitMinutes > 1440 {
		fe.Add("time_limit_minutes", "must be 1-1440 minutes")
	}
	q.TimeLimitSeconds = in.TimeLimitMinutes * 60
	ids := []uuid.UUID{}
	for _, id := range in.QuestionIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > 200 {
		fe.Add("question_ids", "choose 1-200 questions of the course's bank")
	}
	if err := fe.Err(); err != nil {
		return q, err
	}
	actor := sc.Actor().ID
	q.CreatedBy, q.QuestionIDs = &actor, ids
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Question{}).Where("course_id = ? AND id IN ?", courseID, ids).Count(&n).Error; err != nil {
			return err
		}
		if int(n) != len(ids) {
			return errs.Field("question_ids", "must all be questions of this course's bank")
		}
		if err := tx.Create(&q).Error; err != nil {
			return err
		}
		for i, id := range ids {
			if err := tx.Exec(insertItemSQL, q.TenantID, q.ID, id, i).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return q, err
}

// List is a course's quizzes: all for its teachers, published ones with
// the learner's own limit and attempt for its learners.
func (s *Service) List(ctx context.Context, sc access.Scope, courseID uuid.UUID) ([]Quiz, error) {
	return s.ListPage(ctx, sc, courseID, database.Page{Limit: 500})
}

// quizOrder lists quizzes by when they open, then id.
var quizOrder = database.Keyset{Key: "opens_at", Cast: "timestamptz", ID: "id"}

// At is where a quiz sits in the order ListPage lists them.
func (q Quiz) At() (string, uuid.UUID) { return database.TimeKey(q.OpensAt), q.ID }

// ListPage is a page of a course's quizzes, by when they open.
func (s *Service) ListPage(ctx context.Context, sc access.Scope, courseID uuid.UUID, p database.Page) ([]Quiz, error) {
	out := []Quiz{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := course.Relate(tx, sc, courseID)
		if err != nil {
			return err
		}
		if !rel.Visible() {
			return errs.New(errs.ErrNotFound, "course %s", courseID)
		}
		q := quizOrder.Apply(tx.Where("course_id = ?", courseID), p)
		if !rel.Teaches() {
			q = q.Where("published")
		}
		if err := q.Find(&out).Error; err != nil {
			return err
		}
		if rel.Teaches() || !rel.Learns() {
			return nil
		}
		return s.personalise(tx, sc.Actor().ID, out)
	})
	return out, err
}

func (s *Service) personalise(tx *gorm.DB, person uuid.UUID, qs []Quiz) error {
	pct, err := extraTime(tx, person)
	if err != nil {
		return err
	}
	for i := range qs {
		qs[i].MyTimeLimitSeconds = qs[i].TimeLimitSeconds + qs[i].TimeLimitSeconds*pct/100
		var a Attempt
		res := tx.Where("quiz_id = ? AND person_id = ?", qs[i].ID, person).Limit(1).Find(&a)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			s.hideUnreleased(qs[i], &a)
			qs[i].MyAttempt = &a
		}
	}
	return nil
}

func (s *Service) hideUnreleased(q Quiz, a *Attempt) {
	if q.ResultsReleasedAt == nil {
		a.Score = nil
	}
}

// Get is one quiz; teachers also get its questions' ids.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (q Quiz, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rel course.Relation
		if q, rel, err = load(tx, sc, id); err != nil {
			return err
		}
		if rel.Teaches() {
			return tx.Raw(itemIDsSQL, id).Scan(&q.QuestionIDs).Error
		}
		qs := []Quiz{q}
		if err := s.personalise(tx, sc.Actor().ID, qs); err != nil {
			return err
		}
		q = qs[0]
		return nil
	})
	return q, err
}
