package due

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// pctSQL is a learner's extra time on assignment a: the larger of their
// standing arrangement and the extra time granted on that assignment (the
// rule of assignment's own pctSQL; the date itself is assignment.EffectiveDue).
const pctSQL = `GREATEST(COALESCE((SELECT extra_time_percent FROM special_arrangements WHERE person_id = @p), 0),
	COALESCE((SELECT extra_time_percent FROM assignment_extra_time x WHERE x.assignment_id = a.id AND x.person_id = @p), 0))`

// workRow is an assignment of one of the learner's courses with their
// hand-in and released mark.
type workRow struct {
	ID          uuid.UUID
	CourseID    uuid.UUID
	CourseTitle string
	Title       string
	Published   bool
	VisibleFrom *time.Time
	OpensAt     time.Time
	DueAt       time.Time
	ClosesAt    *time.Time
	ExtraPct    int
	MaxScore    float64
	SubmittedAt *time.Time
	ReleasedAt  *time.Time
	Score       *float64
}

// learnerWorkSQL reads the assignments of the published courses @p learns
// on, with @p's hand-in and its mark once released (never before).
const learnerWorkSQL = `SELECT a.id, a.course_id, c.title AS course_title, i.title, i.published, i.visible_from,
	a.opens_at, a.due_at, a.closes_at, ` + pctSQL + ` AS extra_pct, a.max_score,
	s.submitted_at, m.released_at, CASE WHEN m.released_at IS NOT NULL THEN m.score END AS score
FROM enrolments e
JOIN courses c ON c.id = e.course_id AND c.status = 'published'
JOIN assignments a ON a.course_id = c.id
JOIN course_items i ON i.id = a.item_id
LEFT JOIN submissions s ON s.assignment_id = a.id AND s.person_id = @p
LEFT JOIN marks m ON m.submission_id = s.id
WHERE e.person_id = @p AND e.role = 'learner' AND i.published`

// quizRow is a published quiz of one of the learner's courses with their
// attempt.
type quizRow struct {
	ID                uuid.UUID
	CourseID          uuid.UUID
	CourseTitle       string
	Title             string
	OpensAt           time.Time
	ClosesAt          time.Time
	ResultsReleasedAt *time.Time
	Status            *string
	DeadlineAt        *time.Time
	Score             *float64
	MaxScore          *float64
	Published         bool
}

const learnerQuizSQL = `SELECT q.id, q.course_id, c.title AS course_title, q.title, q.opens_at, q.closes_at, q.results_released_at,
	t.status, t.deadline_at, CASE WHEN q.results_released_at IS NOT NULL THEN t.score END AS score, t.max_score
FROM enrolments e
JOIN courses c ON c.id = e.course_id AND c.status = 'published'
JOIN quizzes q ON q.course_id = c.id AND q.published
LEFT JOIN quiz_attempts t ON t.quiz_id = q.id AND t.person_id = @p
WHERE e.person_id = @p AND e.role = 'learner'`

// ForLearner is what learner has to do at now: due soon, overdue, missing
// and returned with feedback, across every published course they learn
// on. The learner themself and their guardians may read it; for anyone
// else the learner is ErrNotFound.
func (s *Service) ForLearner(ctx context.Context, sc access.Scope, learner uuid.UUID, now time.Time) (Learner, error) {
	out := Learner{PersonID: learner, Due: []Item{}, Overdue: []Item{}, Missing: []Item{}, Marked: []Item{}}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := mayRead(tx, sc, learner); err != nil {
			return err
		}
		var err error
		out, err = learnerLists(tx, learner, now)
		return err
	})
	return out, err
}

// mayRead refuses anyone but the learner and their guardians.
func mayRead(tx *gorm.DB, sc access.Scope, learner uuid.UUID) error {
	if sc.Actor().Kind != access.ActorMember {
		return errs.New(errs.ErrNotFound, "learner %s", learner)
	}
	if sc.Actor().ID == learner {
		return nil
	}
	var ok bool
	if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM guardianships WHERE guardian_id = ? AND child_id = ?)`,
		sc.Actor().ID, learner).Row().Scan(&ok); err != nil {
		return fmt.Errorf("due: guardian of %s: %w", learner, err)
	}
	if !ok {
		return errs.New(errs.ErrNotFound, "learner %s", learner)
	}
	return nil
}

// learnerLists sorts the learner's work into the four lists.
func learnerLists(tx *gorm.DB, learner uuid.UUID, now time.Time) (Learner, error) {
	out := Learner{PersonID: learner, Due: []Item{}, Overdue: []Item{}, Missing: []Item{}, Marked: []Item{}}
	var work []workRow
	if err := tx.Raw(learnerWorkSQL, map[string]any{"p": learner}).Scan(&work).Error; err != nil {
		return out, fmt.Errorf("due: work of %s: %w", learner, err)
	}
	for _, w := range work {
		if !(course.Item{Published: w.Published, VisibleFrom: w.VisibleFrom}).LearnersSee(now) {
			continue
		}
		d := assignment.EffectiveDue(w.OpensAt, w.DueAt, w.ExtraPct)
		it := Item{Kind: KindAssignment, ID: w.ID, CourseID: w.CourseID, CourseTitle: w.CourseTitle, Title: w.Title,
			Due: d, Closes: assignment.Closes(w.ClosesAt, d), ExtraTime: w.ExtraPct > 0, MaxScore: w.MaxScore}
		switch {
		case w.SubmittedAt != nil:
			if w.ReleasedAt != nil && now.Sub(*w.ReleasedAt) < Recent {
				it.MarkedAt, it.Score = w.ReleasedAt, w.Score
				out.Marked = append(out.Marked, it)
			}
		case now.Before(it.Due):
			if it.Due.Sub(now) < Soon {
				out.Due = append(out.Due, it)
			}
		case now.Before(it.Closes):
			out.Overdue = append(out.Overdue, it)
		default:
			out.Missing = append(out.Missing, it)
		}
	}
	var quizzes []quizRow
	if err := tx.Raw(learnerQuizSQL, map[string]any{"p": learner}).Scan(&quizzes).Error; err != nil {
		return out, fmt.Errorf("due: quizzes of %s: %w", learner, err)
	}
	for _, q := range quizzes {
		opens := q.OpensAt
		it := Item{Kind: KindQuiz, ID: q.ID, CourseID: q.CourseID, CourseTitle: q.CourseTitle, Title: q.Title,
			Opens: &opens, Due: q.ClosesAt, Closes: q.ClosesAt}
		// Attempted: handed in, or started and its time is up (it is
		// handed in at its deadline).
		attempted := q.Status != nil && (*q.Status == "submitted" || q.DeadlineAt != nil && !now.Before(*q.DeadlineAt))
		switch {
		case attempted:
			if q.ResultsReleasedAt != nil && now.Sub(*q.ResultsReleasedAt) < Recent {
				it.MarkedAt, it.Score = q.ResultsReleasedAt, q.Score
				if q.MaxScore != nil {
					it.MaxScore = *q.MaxScore
				}
				out.Marked = append(out.Marked, it)
			}
		case now.Before(q.ClosesAt):
			// Open now (to do until attempted), or opening and closing within the week.
			if !now.Before(q.OpensAt) || q.ClosesAt.Sub(now) < Soon {
				out.Due = append(out.Due, it)
			}
		default:
			out.Missing = append(out.Missing, it)
		}
	}
	sort.SliceStable(out.Due, func(i, j int) bool { return out.Due[i].Due.Before(out.Due[j].Due) })
	sort.SliceStable(out.Overdue, func(i, j int) bool { return out.Overdue[i].Due.Before(out.Overdue[j].Due) })
	sort.SliceStable(out.Missing, func(i, j int) bool { return out.Missing[i].Due.After(out.Missing[j].Due) })
	sort.SliceStable(out.Marked, func(i, j int) bool { return out.Marked[i].MarkedAt.After(*out.Marked[j].MarkedAt) })
	return out, nil
}
