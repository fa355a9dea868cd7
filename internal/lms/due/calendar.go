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

// Calendar is the actor's calendar from from to to: due dates, quiz
// windows and course events of the courses they are on. A learner sees
// what learners see (published courses; items shown by now) with their own
// due dates; a teacher every assignment and quiz of the courses they teach.
// Sorted by start.
func (s *Service) Calendar(ctx context.Context, sc access.Scope, from, to time.Time) ([]Entry, error) {
	var out []Entry
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var err error
		out, err = calendar(tx, sc.Actor().ID, from, to, s.now())
		return err
	})
	return out, err
}

// coursesSQL is the courses @p is on and how: learners on published
// courses, teachers on any but archived ones.
const coursesSQL = `SELECT c.id, c.title, e.role FROM enrolments e JOIN courses c ON c.id = e.course_id
	WHERE e.person_id = @p AND (e.role = 'learner' AND c.status = 'published' OR e.role = 'teacher' AND c.status <> 'archived')`

// calendar reads person's calendar inside an open transaction.
func calendar(tx *gorm.DB, person uuid.UUID, from, to, now time.Time) ([]Entry, error) {
	out := []Entry{}
	var courses []struct {
		ID    uuid.UUID
		Title string
		Role  string
	}
	if err := tx.Raw(coursesSQL, map[string]any{"p": person}).Scan(&courses).Error; err != nil {
		return nil, fmt.Errorf("due: calendar courses: %w", err)
	}
	if len(courses) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(courses))
	title := map[uuid.UUID]string{}
	teaches := map[uuid.UUID]bool{}
	for i, c := range courses {
		ids[i], title[c.ID], teaches[c.ID] = c.ID, c.Title, c.Role == "teacher"
	}
	args := map[string]any{"p": person, "ids": ids, "from": from, "to": to}

	var work []workRow
	// The widest extra time is 300% of the window: read every assignment
	// whose plain due date could land in range for someone with it, then
	// keep the ones whose own due date does.
	if err := tx.Raw(`SELECT a.id, a.course_id, i.title, i.published, i.visible_from, a.opens_at, a.due_at, a.closes_at, `+pctSQL+` AS extra_pct
		FROM assignments a JOIN course_items i ON i.id = a.item_id
		WHERE a.course_id IN @ids AND a.due_at < @to AND a.due_at + 3 * (a.due_at - a.opens_at) >= @from`, args).Scan(&work).Error; err != nil {
		return nil, fmt.Errorf("due: calendar work: %w", err)
	}
	for _, w := range work {
		at := w.DueAt
		if !teaches[w.CourseID] {
			if !(course.Item{Published: w.Published, VisibleFrom: w.VisibleFrom}).LearnersSee(now) {
				continue
			}
			at = assignment.EffectiveDue(w.OpensAt, w.DueAt, w.ExtraPct)
		}
		if at.Before(from) || !at.Before(to) {
			continue
		}
		out = append(out, Entry{Kind: KindAssignment, ID: w.ID, CourseID: w.CourseID, CourseTitle: title[w.CourseID], Title: w.Title, Starts: at})
	}

	var quizzes []quizRow
	if err := tx.Raw(`SELECT q.id, q.course_id, q.title, q.opens_at, q.closes_at, q.published FROM quizzes q
		WHERE q.course_id IN @ids AND q.opens_at < @to AND q.closes_at >= @from`, args).Scan(&quizzes).Error; err != nil {
		return nil, fmt.Errorf("due: calendar quizzes: %w", err)
	}
	for _, q := range quizzes {
		if !q.Published && !teaches[q.CourseID] {
			continue
		}
		closes := q.ClosesAt
		out = append(out, Entry{Kind: KindQuiz, ID: q.ID, CourseID: q.CourseID, CourseTitle: title[q.CourseID], Title: q.Title, Starts: q.OpensAt, Ends: &closes})
	}

	var events []Event
	if err := tx.Raw(`SELECT * FROM course_events WHERE course_id IN @ids AND starts_at < @to AND COALESCE(ends_at, starts_at) >= @from`, args).Scan(&events).Error; err != nil {
		return nil, fmt.Errorf("due: calendar events: %w", err)
	}
	for _, e := range events {
		out = append(out, Entry{Kind: KindEvent, ID: e.ID, CourseID: e.CourseID, CourseTitle: title[e.CourseID], Title: e.Title, Starts: e.StartsAt, Ends: e.EndsAt})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Starts.Equal(out[j].Starts) {
			return out[i].Starts.Before(out[j].Starts)
		}
		return out[i].Title < out[j].Title
	})
	return out, nil
}

// CourseRef names a course.
type CourseRef struct {
	ID    uuid.UUID `json:"id"`
	Title string    `json:"title"`
}

// Teaching is the courses the actor teaches (not archived), by title: the
// courses they may put events on.
func (s *Service) Teaching(ctx context.Context, sc access.Scope) ([]CourseRef, error) {
	out := []CourseRef{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT c.id, c.title FROM enrolments e JOIN courses c ON c.id = e.course_id
			WHERE e.person_id = ? AND e.role = 'teacher' AND c.status <> 'archived' ORDER BY c.title, c.id`, sc.Actor().ID).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("due: courses taught: %w", err)
	}
	return out, nil
}

// AddEvent puts an event on a course's calendar: the course's teachers and
// its school's admins only.
func (s *Service) AddEvent(ctx context.Context, sc access.Scope, in NewEvent) (e Event, err error) {
	var fe errs.FieldErrors
	e.Title = fe.Line("title", in.Title, 1, 200)
	now := time.Now()
	switch {
	case in.StartsAt.IsZero():
		fe.Add("starts_at", "Enter when it starts")
	case in.StartsAt.Before(now.AddDate(-1, 0, 0)) || in.StartsAt.After(now.AddDate(5, 0, 0)):
		// A school calendar holds this year's events and the next few.
		fe.Add("starts_at", "Enter a start within a year before today and five years after")
	}
	if in.EndsAt != nil && !in.EndsAt.After(in.StartsAt) {
		fe.Add("ends_at", "Enter an end after the start, or leave it empty")
	}
	if in.CourseID == uuid.Nil {
		fe.Add("course_id", "Choose a course")
	}
	if err := fe.Err(); err != nil {
		return e, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, in.CourseID); err != nil {
			return err
		}
		actor := sc.Actor().ID
		e.TenantID, e.ID, e.CourseID, e.CreatedBy = sc.Tenant(), uuid.Must(uuid.NewV7()), in.CourseID, &actor
		e.StartsAt = in.StartsAt.Truncate(time.Microsecond)
		if in.EndsAt != nil {
			t := in.EndsAt.Truncate(time.Microsecond)
			e.EndsAt = &t
		}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("due: add event: %w", err)
		}
		return nil
	})
	return e, err
}

// DeleteEvent takes an event off its course's calendar (its teachers and
// its school's admins).
func (s *Service) DeleteEvent(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var courseID uuid.UUID
		if err := tx.Raw(`SELECT course_id FROM course_events WHERE id = ?`, id).Row().Scan(&courseID); err != nil {
			return errs.New(errs.ErrNotFound, "event %s", id)
		}
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM course_events WHERE id = ?`, id).Error
	})
}
