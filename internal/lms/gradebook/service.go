// Package gradebook gathers a course's marks into one grid, for its
// teachers, and each learner's released marks into their own grades page.
//
// It owns no table: it reads assignments, submissions and marks
// (internal/lms/assignment) and quizzes and attempts (internal/lms/quiz).
// The grid is for the course's teachers and its school's admins
// (course.RequireTeach): a learner of the course gets ErrForbidden, anyone
// else ErrNotFound. A learner's grades page reads only their own work, and
// a mark only once it is released: an unreleased mark is never read for
// them, so no view can show it.
package gradebook

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service is the gradebook service.
type Service struct {
	db *database.DB
	// now is the clock due dates are checked against.
	now func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db, now: time.Now} }

// columnRow is an assignment or quiz as the statements read it.
type columnRow struct {
	CourseID          uuid.UUID
	ID                uuid.UUID
	Title             string
	OpensAt           time.Time
	DueAt             time.Time
	MaxScore          float64
	Visible           bool
	ResultsReleasedAt *time.Time
}

// workRow is a learner's submission (with its mark) or quiz attempt.
type workRow struct {
	ColumnID    uuid.UUID
	PersonID    *uuid.UUID // nil: nothing handed in (a learner's own rows)
	SubmittedAt *time.Time
	// Assignments.
	Marked     bool
	Score      *float64
	ReleasedAt *time.Time
	// Quizzes.
	Status     *string
	DeadlineAt *time.Time
}

// learner is a row of the grid before its cells.
type learner struct {
	PersonID         uuid.UUID
	DisplayName      string
	ExtraTimePercent int
}

// column is a column with how to work out its cells.
type column struct {
	Column
	opens time.Time
}

// cell works out one learner's cell of the column from their work (nil:
// none) and their extra time.
func (c column) cell(w *workRow, pct int, now time.Time) Cell {
	if c.Kind == KindQuiz {
		return quizCell(c, w, now)
	}
	due := assignment.EffectiveDue(c.opens, c.DueAt, pct)
	switch {
	case w == nil && c.Visible && now.After(due):
		return Cell{State: StateMissing}
	case w == nil:
		return Cell{State: StateNone}
	}
	out := Cell{State: StateHandedIn, Late: w.SubmittedAt != nil && w.SubmittedAt.After(due)}
	if w.Marked && w.Score != nil {
		out.Score, out.State = w.Score, StateMarked
		if w.ReleasedAt != nil {
			out.State = StateReleased
		}
	}
	return out
}

func quizCell(c column, w *workRow, now time.Time) Cell {
	switch {
	case w == nil && c.Visible && now.After(c.DueAt):
		return Cell{State: StateMissing}
	case w == nil:
		return Cell{State: StateNone}
	case w.Status != nil && quiz.AttemptStatus(*w.Status) == quiz.AttemptInProgress && w.DeadlineAt != nil && now.Before(*w.DeadlineAt):
		return Cell{State: StateInProgress}
	case w.Score == nil:
		// Handed in (or out of time, handed in when next opened) with an
		// essay unmarked, or results not released to a learner.
		return Cell{State: StateHandedIn}
	case c.ResultsReleased:
		return Cell{State: StateReleased, Score: w.Score}
	}
	return Cell{State: StateMarked, Score: w.Score}
}

func toColumn(kind Kind, r columnRow) column {
	return column{Column: Column{Kind: kind, ID: r.ID, Title: r.Title, DueAt: r.DueAt, MaxScore: r.MaxScore, Visible: r.Visible,
		ResultsReleased: kind == KindQuiz && r.ResultsReleasedAt != nil}, opens: r.OpensAt}
}

// byDue orders columns of both kinds by due date, then title.
func byDue(a, b column) int {
	return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.Title, b.Title), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID.String(), b.ID.String()))
}

// key finds a learner's work on a column.
type key struct{ column, person uuid.UUID }

// Grid is a course's gradebook for its teachers and its school's admins:
// every learner (of teaching group group, when not nil) by every
// assignment and quiz, with marks whether released or not. A learner of
// the course gets ErrForbidden; anyone else, or a group not on the course,
// ErrNotFound.
func (s *Service) Grid(ctx context.Context, sc access.Scope, courseID uuid.UUID, group *uuid.UUID) (g Grid, err error) {
	g = Grid{CourseID: courseID, Groups: []Group{}, Columns: []Column{}, Rows: []Row{}}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		args := map[string]any{"course": courseID, "group": group}
		people, limited := sc.People()
		args["people"], args["limited"] = append(people, uuid.Nil), limited // Nil keeps an empty list valid SQL
		if err := s.groups(tx, args, &g); err != nil {
			return err
		}
		var learners []learner
		if err := tx.Raw(learnersSQL, args).Scan(&learners).Error; err != nil {
			return fmt.Errorf("gradebook: learners: %w", err)
		}
		cols, err := columns(tx, args)
		if err != nil {
			return err
		}
		extra, err := extraTime(tx, args)
		if err != nil {
			return err
		}
		work := map[key]*workRow{}
		for _, q := range []struct{ name, sql string }{{"submissions", submissionsSQL}, {"attempts", attemptsSQL}} {
			var rows []workRow
			if err := tx.Raw(q.sql, args).Scan(&rows).Error; err != nil {
				return fmt.Errorf("gradebook: %s: %w", q.name, err)
			}
			for i := range rows {
				work[key{rows[i].ColumnID, *rows[i].PersonID}] = &rows[i]
			}
		}
		now := s.now()
		for _, l := range learners {
			r := Row{PersonID: l.PersonID, DisplayName: l.DisplayName, Cells: make([]Cell, len(cols))}
			for i, c := range cols {
				k := key{c.ID, l.PersonID}
				r.Cells[i] = c.cell(work[k], max(l.ExtraTimePercent, extra[k]), now)
			}
			g.Rows = append(g.Rows, r)
		}
		for _, c := range cols {
			g.Columns = append(g.Columns, c.Column)
		}
		g.total()
		return nil
	})
	return g, err
}

// extraTime reads the extra time given on single assignments, by
// assignment and learner.
func extraTime(tx *gorm.DB, args map[string]any) (map[key]int, error) {
	var rows []struct {
		AssignmentID, PersonID uuid.UUID
		ExtraTimePercent       int
	}
	if err := tx.Raw(extraTimeSQL, args).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("gradebook: extra time: %w", err)
	}
	out := map[key]int{}
	for _, r := range rows {
		out[key{r.AssignmentID, r.PersonID}] = r.ExtraTimePercent
	}
	return out, nil
}

// groups reads the course's title and groups, and checks the group asked
// for is one of them.
func (s *Service) groups(tx *gorm.DB, args map[string]any, g *Grid) error {
	var rows []struct {
		Title     string
		GroupID   *uuid.UUID
		GroupName *string
	}
	if err := database.Found(tx.Raw(groupsSQL, args).Scan(&rows), "course %s", g.CourseID); err != nil {
		return err
	}
	g.CourseTitle = rows[0].Title
	want, _ := args["group"].(*uuid.UUID)
	for _, r := range rows {
		if r.GroupID == nil {
			continue
		}
		gr := Group{ID: *r.GroupID, Name: *r.GroupName}
		g.Groups = append(g.Groups, gr)
		if want != nil && *want == gr.ID {
			g.Group = &gr
		}
	}
	if want != nil && g.Group == nil {
		return errs.New(errs.ErrNotFound, "that teaching group is not on this course")
	}
	return nil
}

// columns reads the course's assignments and quizzes, in due order.
func columns(tx *gorm.DB, args map[string]any) ([]column, error) {
	var out []column
	for _, q := range []struct {
		kind Kind
		sql  string
	}{{KindAssignment, assignmentColumnsSQL}, {KindQuiz, quizColumnsSQL}} {
		var rows []columnRow
		if err := tx.Raw(q.sql, args).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("gradebook: %s columns: %w", q.kind, err)
		}
		for _, r := range rows {
			out = append(out, toColumn(q.kind, r))
		}
	}
	slices.SortStableFunc(out, byDue)
	return out, nil
}

// total works out each column's average and each row's percentage over
// the rows shown.
func (g *Grid) total() {
	sums := make([]float64, len(g.Columns))
	for i := range g.Rows {
		var got, worth float64
		for j, c := range g.Rows[i].Cells {
			if !c.Scored() {
				continue
			}
			sums[j] += *c.Score
			g.Columns[j].Marked++
			got, worth = got+*c.Score, worth+g.Columns[j].MaxScore
		}
		g.Rows[i].Percent = percent(got, worth)
	}
	for j := range g.Columns {
		if n := g.Columns[j].Marked; n > 0 {
			v := round(sums[j]/float64(n), 100)
			g.Columns[j].Average = &v
		}
	}
}

// percent is got out of max as a percentage to one decimal place; nil when
// nothing counts.
func percent(got, worth float64) *float64 {
	if worth <= 0 {
		return nil
	}
	v := round(got/worth*100, 10)
	return &v
}

func round(v, by float64) float64 { return math.Round(v*by) / by }

// myRow is a column of a learner's course with their own work.
type myRow struct {
	Column           columnRow `gorm:"embedded"`
	Work             workRow   `gorm:"embedded"`
	ExtraTimePercent int
}

// Mine is the actor's own grades on every course they learn on that
// learners see: the assignments and quizzes learners see there, each with
// the actor's released mark, or where their work is (handed in, missing).
// A mark not yet released reads as handed in.
func (s *Service) Mine(ctx context.Context, sc access.Scope) (out Grades, err error) {
	out.Courses, err = s.MinePage(ctx, sc, database.Page{})
	return out, err
}

// myCourseOrder lists a learner's courses by title, then id.
var myCourseOrder = database.Keyset{Key: "c.title", Cast: "text", ID: "c.id"}

// At is where a course sits in the order MinePage lists them.
func (g CourseGrades) At() (string, uuid.UUID) { return g.Title, g.CourseID }

// MinePage is a page of Mine's courses, by title.
func (s *Service) MinePage(ctx context.Context, sc access.Scope, pg database.Page) (courses []CourseGrades, err error) {
	var out Grades
	out.Courses = []CourseGrades{}
	if sc.Actor().Kind != access.ActorMember {
		return nil, errs.New(errs.ErrForbidden, "only members of the school have a grades page")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		args := pg.Args(map[string]any{"me": sc.Actor().ID})
		if err := tx.Raw(myCoursesSQL+" AND "+myCourseOrder.Cond(pg)+myCourseOrder.Tail(pg), args).Scan(&out.Courses).Error; err != nil {
			return fmt.Errorf("gradebook: my courses: %w", err)
		}
		var items []Grade
		var courses []uuid.UUID
		now := s.now()
		for _, q := range []struct {
			kind Kind
			sql  string
		}{{KindAssignment, myAssignmentsSQL}, {KindQuiz, myQuizzesSQL}} {
			var rows []myRow
			if err := tx.Raw(q.sql, args).Scan(&rows).Error; err != nil {
				return fmt.Errorf("gradebook: my %ss: %w", q.kind, err)
			}
			for _, r := range rows {
				c := toColumn(q.kind, r.Column)
				var w *workRow
				if r.Work.PersonID != nil {
					w = &r.Work
				}
				cell := c.cell(w, r.ExtraTimePercent, now)
				if cell.State == StateMarked {
					// Never for a learner (the statements read released
					// marks only); kept out should they ever change.
					cell = Cell{State: StateHandedIn, Late: cell.Late}
				}
				items = append(items, Grade{Kind: q.kind, ID: c.ID, Title: c.Title, DueAt: c.DueAt, MaxScore: c.MaxScore, Cell: cell})
				courses = append(courses, r.Column.CourseID)
			}
		}
		at := map[uuid.UUID]int{}
		for i := range out.Courses {
			at[out.Courses[i].CourseID] = i
			out.Courses[i].Items = []Grade{}
		}
		for i, it := range items {
			if j, ok := at[courses[i]]; ok {
				out.Courses[j].Items = append(out.Courses[j].Items, it)
			}
		}
		for i := range out.Courses {
			c := &out.Courses[i]
			slices.SortStableFunc(c.Items, func(a, b Grade) int {
				return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.Title, b.Title), cmp.Compare(a.Kind, b.Kind))
			})
			var got, worth float64
			for _, it := range c.Items {
				if it.Released() && it.Score != nil {
					got, worth = got+*it.Score, worth+it.MaxScore
				}
			}
			c.Percent = percent(got, worth)
		}
		return nil
	})
	return out.Courses, err
}
