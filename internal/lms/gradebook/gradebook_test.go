package gradebook_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/gradebook"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// bundle is one school with a course whose work is in every state the
// gradebook shows:
//
//	           Poster (10)   Essay (20)          Report (10)   Quiz (5)      Draft (10, hidden)
//	learner    missing       15 released         handed in     5 unreleased  -
//	learner2   - (extra time) 10 not released    -             -             -
//
// Poster was due an hour ago; learner2's extra time moves their due date
// past now. The group "Set 1" holds learner only.
type bundle struct {
	ctx                          context.Context
	db                           *dbtest.DB
	svc                          *gradebook.Service
	courses                      *course.Service
	quizzes                      *quiz.Service
	assignments                  *assignment.Service
	c                            lmstest.Course
	teacher, learner, learner2   access.Scope
	other, outsider, admin       access.Scope
	poster, essay, report, draft assignment.Assignment
	quiz                         quiz.Quiz
	group                        course.Group
}

func ptr[T any](v T) *T { return &v }

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	r, err := tenant.NewService(db.App, nil, true).Apply(ctx, apptest.Manifest("tenant-a", "uk"), uuid.Nil)
	require.NoError(t, err)
	c := lmstest.NewCourse(t, db.App, r.TenantID, "g-")
	b := &bundle{ctx: ctx, db: db, svc: gradebook.NewService(db.App), courses: course.NewService(db.App, nil), quizzes: quiz.NewService(db.App), c: c,
		teacher: c.Teacher.Scope(c.Tenant), learner: c.Learner.Scope(c.Tenant), learner2: c.Learner2.Scope(c.Tenant),
		other: c.OtherTeacher.Scope(c.Tenant), outsider: c.Outsider.Scope(c.Tenant)}
	require.NoError(t, access.Transact(ctx, db.App, access.System(c.Tenant, "test-setup"), func(tx *gorm.DB) error {
		p, err := identity.CreatePersonTx(tx, c.Tenant, identity.NewPerson{Username: "head", DisplayName: "Head"})
		require.NoError(t, err)
		b.admin = access.Member(c.Tenant, p.ID)
		_, err = identity.AssignRoleTx(tx, c.Tenant, p.ID, identity.RoleAdmin, &c.School)
		return err
	}))

	as := assignment.NewService(db.App, nil)
	b.assignments = as
	now := time.Now()
	set := func(title string, opens, due time.Duration, max float64, published bool) assignment.Assignment {
		a, err := as.Create(ctx, b.teacher, c.ID, assignment.NewAssignment{SectionID: c.Section, Title: title,
			OpensAt: ptr(now.Add(opens)), DueAt: now.Add(due), MaxScore: max, Published: &published})
		require.NoError(t, err)
		return a
	}
	b.poster = set("Poster", -2*time.Hour, -time.Hour, 10, true)
	b.essay = set("Essay", -time.Hour, time.Hour, 20, true)
	b.report = set("Report", -time.Hour, 2*time.Hour, 10, true)
	b.draft = set("Draft", -3*time.Hour, -2*time.Hour, 10, false)
	_, err = as.SetArrangement(ctx, b.admin, c.Learner2.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(300)})
	require.NoError(t, err)

	hand := func(sc access.Scope, a assignment.Assignment) assignment.SubmissionView {
		v, err := as.Submit(ctx, sc, a.ID, assignment.SubmissionInput{Body: "My work"})
		require.NoError(t, err)
		return v
	}
	mark := func(v assignment.SubmissionView, score float64, released bool) {
		_, err := as.SetMark(ctx, b.teacher, v.ID, assignment.MarkInput{Score: &score, Released: &released})
		require.NoError(t, err)
	}
	mark(hand(b.learner, b.essay), 15, true)
	mark(hand(b.learner2, b.essay), 10, false)
	hand(b.learner, b.report)

	v := 42.0
	q1, err := b.quizzes.AddQuestion(ctx, b.teacher, c.ID, quiz.NewQuestion{Kind: "numeric", Prompt: "The answer?", Points: 5, Answer: quiz.Answer{Value: &v}})
	require.NoError(t, err)
	b.quiz, err = b.quizzes.Create(ctx, b.teacher, c.ID, quiz.NewQuiz{Title: "Quiz", OpensAt: now.Add(-time.Minute), ClosesAt: now.Add(3 * time.Hour),
		TimeLimitMinutes: 10, QuestionIDs: []uuid.UUID{q1.ID}, Published: true})
	require.NoError(t, err)
	sh, err := b.quizzes.Start(ctx, b.learner, b.quiz.ID)
	require.NoError(t, err)
	_, err = b.quizzes.Save(ctx, b.learner, sh.Attempt.ID, q1.ID, quiz.Response{Value: &v})
	require.NoError(t, err)
	_, err = b.quizzes.Submit(ctx, b.learner, sh.Attempt.ID)
	require.NoError(t, err)

	b.group, err = b.courses.CreateGroup(ctx, b.teacher, c.ID, course.NewGroup{Name: "Set 1"})
	require.NoError(t, err)
	require.NoError(t, b.courses.AddMember(ctx, b.teacher, b.group.ID, c.Learner.ID))
	return b
}

// cells maps a row's cells by column title.
func cells(g gradebook.Grid, r gradebook.Row) map[string]gradebook.Cell {
	out := map[string]gradebook.Cell{}
	for i, c := range g.Columns {
		out[c.Title] = r.Cells[i]
	}
	return out
}

func column(t *testing.T, g gradebook.Grid, title string) gradebook.Column {
	t.Helper()
	for _, c := range g.Columns {
		if c.Title == title {
			return c
		}
	}
	t.Fatalf("no column %q", title)
	return gradebook.Column{}
}

func score(v float64) *float64 { return &v }

// The grid holds every learner by every assignment and quiz, due first,
// with each cell's score or state, column averages of marked work and
// each learner's percentage of their marked work.
func TestGridCellsAndAverages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	g, err := b.svc.Grid(b.ctx, b.teacher, b.c.ID, nil)
	require.NoError(t, err)
	require.Equal(t, "g- course", g.CourseTitle)
	var titles []string
	for _, c := range g.Columns {
		titles = append(titles, c.Title)
	}
	require.Equal(t, []string{"Draft", "Poster", "Essay", "Report", "Quiz"}, titles, "due first")
	require.Equal(t, []gradebook.Group{{ID: b.group.ID, Name: "Set 1"}}, g.Groups)
	require.Len(t, g.Rows, 2)
	require.Equal(t, b.c.Learner.ID, g.Rows[0].PersonID, "by name: g- learner, g- learner2")

	one, two := cells(g, g.Rows[0]), cells(g, g.Rows[1])
	require.Equal(t, gradebook.Cell{State: gradebook.StateMissing}, one["Poster"])
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, two["Poster"], "extra time: not due for learner2 yet")
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, one["Draft"], "hidden from learners: never missing")
	require.Equal(t, gradebook.Cell{State: gradebook.StateReleased, Score: score(15)}, one["Essay"])
	require.Equal(t, gradebook.Cell{State: gradebook.StateMarked, Score: score(10)}, two["Essay"])
	require.Equal(t, gradebook.Cell{State: gradebook.StateHandedIn}, one["Report"])
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, two["Report"])
	require.Equal(t, gradebook.Cell{State: gradebook.StateMarked, Score: score(5)}, one["Quiz"], "results not released")
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, two["Quiz"], "quiz still open")

	require.Equal(t, score(12.5), column(t, g, "Essay").Average)
	require.Equal(t, 2, column(t, g, "Essay").Marked)
	require.Equal(t, score(5), column(t, g, "Quiz").Average)
	require.Nil(t, column(t, g, "Report").Average, "nothing marked")
	require.False(t, column(t, g, "Draft").Visible)
	require.True(t, column(t, g, "Essay").Visible)
	require.Equal(t, 5.0, column(t, g, "Quiz").MaxScore, "what its questions are worth")
	require.Equal(t, score(80), g.Rows[0].Percent, "(15 + 5) of (20 + 5)")
	require.Equal(t, score(50), g.Rows[1].Percent, "10 of 20")

	_, err = b.quizzes.Release(b.ctx, b.teacher, b.quiz.ID)
	require.NoError(t, err)
	g, err = b.svc.Grid(b.ctx, b.admin, b.c.ID, nil)
	require.NoError(t, err, "the school's admin sees it too")
	require.Equal(t, gradebook.Cell{State: gradebook.StateReleased, Score: score(5)}, cells(g, g.Rows[0])["Quiz"])
	require.True(t, column(t, g, "Quiz").ResultsReleased)

	// A due date moved back makes work already handed in late, and the
	// work not handed in missing.
	_, err = b.assignments.Update(b.ctx, b.teacher, b.report.ID, assignment.AssignmentPatch{DueAt: ptr(time.Now().Add(-time.Minute))})
	require.NoError(t, err)
	g, err = b.svc.Grid(b.ctx, b.teacher, b.c.ID, nil)
	require.NoError(t, err)
	require.Equal(t, gradebook.Cell{State: gradebook.StateHandedIn, Late: true}, cells(g, g.Rows[0])["Report"])
	require.Equal(t, "handed in late, not marked", cells(g, g.Rows[0])["Report"].Text())
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, cells(g, g.Rows[1])["Report"], "learner2's extra time")
}

// Filtering by a teaching group shows its members only, and the averages
// are of them; a group of another course is not found.
func TestGridGroupFilter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	g, err := b.svc.Grid(b.ctx, b.teacher, b.c.ID, &b.group.ID)
	require.NoError(t, err)
	require.Equal(t, &gradebook.Group{ID: b.group.ID, Name: "Set 1"}, g.Group)
	require.Len(t, g.Rows, 1)
	require.Equal(t, b.c.Learner.ID, g.Rows[0].PersonID)
	require.Equal(t, score(15), column(t, g, "Essay").Average, "learner2's 10 is not in this group")

	other, err := b.courses.Create(b.ctx, b.admin, course.NewCourse{SchoolID: b.c.School, Title: "Other"})
	require.NoError(t, err)
	elsewhere, err := b.courses.CreateGroup(b.ctx, b.admin, other.ID, course.NewGroup{Name: "Set 1"})
	require.NoError(t, err)
	_, err = b.svc.Grid(b.ctx, b.teacher, b.c.ID, &elsewhere.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.Grid(b.ctx, b.teacher, b.c.ID, ptr(uuid.Must(uuid.NewV7())))
	require.ErrorIs(t, err, errs.ErrNotFound)
}

// Only the course's teachers and its school's admins see the grid: a
// learner on the course is refused, a teacher of another course and a
// learner not on it learn nothing of it.
func TestGridOnlyForItsTeachers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.Grid(b.ctx, b.learner, b.c.ID, nil)
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.Grid(b.ctx, b.other, b.c.ID, nil)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.Grid(b.ctx, b.outsider, b.c.ID, nil)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.Grid(b.ctx, b.teacher, uuid.Must(uuid.NewV7()), nil)
	require.ErrorIs(t, err, errs.ErrNotFound)
}

// grades finds a learner's grades on the fixture course, by title.
func grades(t *testing.T, b *bundle, sc access.Scope) (gradebook.CourseGrades, map[string]gradebook.Grade) {
	t.Helper()
	mine, err := b.svc.Mine(b.ctx, sc)
	require.NoError(t, err)
	require.Len(t, mine.Courses, 1)
	c := mine.Courses[0]
	require.Equal(t, b.c.ID, c.CourseID)
	out := map[string]gradebook.Grade{}
	for _, it := range c.Items {
		out[it.Title] = it
	}
	return c, out
}

// A learner's grades page shows their own released marks and released
// quiz results only: an unreleased mark reads as handed in, hidden work
// is not there, and another learner's marks never are.
func TestMineShowsOnlyReleasedOwnMarks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c, mine := grades(t, b, b.learner)
	require.NotContains(t, mine, "Draft", "hidden from learners")
	require.Len(t, mine, 4)
	require.Equal(t, gradebook.Cell{State: gradebook.StateReleased, Score: score(15)}, mine["Essay"].Cell)
	require.Equal(t, 20.0, mine["Essay"].MaxScore)
	require.Equal(t, gradebook.Cell{State: gradebook.StateMissing}, mine["Poster"].Cell)
	require.Equal(t, gradebook.Cell{State: gradebook.StateHandedIn}, mine["Report"].Cell)
	require.Equal(t, gradebook.Cell{State: gradebook.StateHandedIn}, mine["Quiz"].Cell, "results not released: no score")
	require.Equal(t, score(75), c.Percent, "15 of 20: released marks only")

	c, mine = grades(t, b, b.learner2)
	require.Equal(t, gradebook.Cell{State: gradebook.StateHandedIn}, mine["Essay"].Cell, "their 10 is not released; learner's 15 is not theirs")
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, mine["Poster"].Cell, "their extra time")
	require.Nil(t, c.Percent)
	for _, it := range c.Items {
		require.Nil(t, it.Score, it.Title)
	}

	_, err := b.quizzes.Release(b.ctx, b.teacher, b.quiz.ID)
	require.NoError(t, err)
	c, mine = grades(t, b, b.learner)
	require.Equal(t, gradebook.Cell{State: gradebook.StateReleased, Score: score(5)}, mine["Quiz"].Cell)
	require.Equal(t, score(80), c.Percent)

	staff, err := b.svc.Mine(b.ctx, b.teacher)
	require.NoError(t, err)
	require.Empty(t, staff.Courses, "a teacher learns on no course")
	outsider, err := b.svc.Mine(b.ctx, b.outsider)
	require.NoError(t, err)
	require.Empty(t, outsider.Courses)
	_, err = b.svc.Mine(b.ctx, access.System(b.c.Tenant, "job"))
	require.ErrorIs(t, err, errs.ErrForbidden)
}

// rename gives a person a display name (to try the formula guard).
func rename(t *testing.T, b *bundle, person uuid.UUID, name string) {
	t.Helper()
	require.NoError(t, access.Transact(b.ctx, b.db.App, access.System(b.c.Tenant, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET display_name = ? WHERE id = ?`, name, person).Error
	}))
}

// The CSV holds a heading row, a row per learner and the averages, with a
// name that looks like a formula written as text.
func TestExportCSV(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rename(t, b, b.c.Learner2.ID, "=HYPERLINK(\"http://evil\")")
	g, err := b.svc.Grid(b.ctx, b.teacher, b.c.ID, nil)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, g.WriteCSV(&buf))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"Learner", "Draft (out of 10)", "Poster (out of 10)", "Essay (out of 20)", "Report (out of 10)", "Quiz (out of 5)", "Overall %", "Marks not released"},
		{"'=HYPERLINK(\"http://evil\")", "", "", "10", "", "", "50", "Essay"},
		{"g- learner", "", "missing", "15", "handed in, not marked", "5", "80", "Quiz"},
		{"Average", "", "", "12.5", "", "5", "", ""},
	}, rows)
}

// The workbook holds the same table, scores as numbers and names as text.
func TestExportXLSX(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rename(t, b, b.c.Learner.ID, "=1+1")
	g, err := b.svc.Grid(b.ctx, b.teacher, b.c.ID, &b.group.ID)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, g.WriteXLSX(&buf))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	require.Equal(t, []string{gradebook.SheetName}, f.GetSheetList())
	rows, err := f.GetRows(gradebook.SheetName)
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"Learner", "Draft (out of 10)", "Poster (out of 10)", "Essay (out of 20)", "Report (out of 10)", "Quiz (out of 5)", "Overall %", "Marks not released"},
		{"=1+1", "", "missing", "15", "handed in, not marked", "5", "80", "Quiz"},
		{"Average", "", "", "15", "", "5"},
	}, rows, "the group's learner only")
	for _, at := range []string{"D2", "F2", "G2", "D3"} {
		typ, err := f.GetCellType(gradebook.SheetName, at)
		require.NoError(t, err)
		require.NotEqual(t, excelize.CellTypeSharedString, typ, at+" is a number")
		require.NotEqual(t, excelize.CellTypeInlineString, typ, at+" is a number")
	}
	formula, err := f.GetCellFormula(gradebook.SheetName, "A2")
	require.NoError(t, err)
	require.Empty(t, formula, "a name is text, never a formula")
}

// Extra time a teacher gives one learner on one assignment moves only that
// learner's due date there, in the grid and on their own page.
func TestExtraTimeOnOneAssignment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.assignments.SetExtraTime(b.ctx, b.teacher, b.poster.ID, b.c.Learner.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(300)})
	require.NoError(t, err)
	g, err := b.svc.Grid(b.ctx, b.teacher, b.c.ID, nil)
	require.NoError(t, err)
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, cells(g, g.Rows[0])["Poster"], "not due for learner yet")
	_, mine := grades(t, b, b.learner)
	require.Equal(t, gradebook.Cell{State: gradebook.StateNone}, mine["Poster"].Cell)
}
