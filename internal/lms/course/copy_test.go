package course_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/privacy"
)

// A course in use: a page with an image, a file, a hidden scheduled link,
// an assignment handed in and marked, a quiz attempted, a forum post, and
// a learner's progress.
type usedCourse struct {
	c      lmstest.Course
	page   course.Item
	img    files.File
	file   course.Item
	assign assignment.Assignment
	quiz   quiz.Quiz
}

func courseInUse(t *testing.T, e *apptest.Env) usedCourse {
	ctx := context.Background()
	u := usedCourse{c: lmstest.NewCourse(t, e.DB.App, e.A.ID, "copy-")}
	c := u.c
	teacher, learner := c.Teacher.Scope(c.Tenant), c.Learner.Scope(c.Tenant)
	var err error
	u.img, err = e.App.Files.Upload(ctx, teacher, "diagram.png", bytes.NewReader(png))
	require.NoError(t, err)
	body := `<h2>Cells</h2><img src="` + course.ImagePath(c.Tenant, u.img.ID) + `" alt="A cell">`
	u.page, err = e.App.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: c.Section, Kind: course.KindPage, Title: "Cells", BodyHTML: &body})
	require.NoError(t, err)
	doc, err := e.App.Files.Upload(ctx, teacher, "notes.pdf", bytes.NewReader([]byte("%PDF-1.4 notes")))
	require.NoError(t, err)
	u.file, err = e.App.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: c.Section, Kind: course.KindFile, Title: "Notes", FileID: &doc.ID})
	require.NoError(t, err)
	sec2, err := e.App.Courses.AddSection(ctx, teacher, c.ID, course.NewSection{Title: "Week 2"})
	require.NoError(t, err)
	link, hidden, later := "https://example.org/cells", false, time.Now().Add(48*time.Hour).UTC().Truncate(time.Second)
	_, err = e.App.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: sec2.ID, Kind: course.KindLink, Title: "Reading", URL: &link, Published: &hidden, VisibleFrom: &later})
	require.NoError(t, err)

	u.assign, err = e.App.Assignments.Create(ctx, teacher, c.ID, assignment.NewAssignment{SectionID: sec2.ID, Title: "Essay", Instructions: "Write.", DueAt: time.Now().Add(time.Hour), MaxScore: 20})
	require.NoError(t, err)
	sub, err := e.App.Assignments.Submit(ctx, learner, u.assign.ID, assignment.SubmissionInput{Body: "My essay"})
	require.NoError(t, err)
	score := 15.0
	_, err = e.App.Assignments.SetMark(ctx, teacher, sub.ID, assignment.MarkInput{Score: &score, Feedback: "Good."})
	require.NoError(t, err)

	v := 42.0
	q, err := e.App.Quizzes.AddQuestion(ctx, teacher, c.ID, quiz.NewQuestion{Kind: "numeric", Prompt: "The answer?", Points: 1, Answer: quiz.Answer{Value: &v}})
	require.NoError(t, err)
	u.quiz, err = e.App.Quizzes.Create(ctx, teacher, c.ID, quiz.NewQuiz{Title: "Quick", OpensAt: time.Now().Add(-time.Minute), ClosesAt: time.Now().Add(time.Hour),
		TimeLimitMinutes: 10, QuestionIDs: []uuid.UUID{q.ID}, Published: true})
	require.NoError(t, err)
	sh, err := e.App.Quizzes.Start(ctx, learner, u.quiz.ID)
	require.NoError(t, err)
	_, err = e.App.Quizzes.Save(ctx, learner, sh.Attempt.ID, q.ID, quiz.Response{Value: &v})
	require.NoError(t, err)
	_, err = e.App.Quizzes.Submit(ctx, learner, sh.Attempt.ID)
	require.NoError(t, err)
	_, err = e.App.Quizzes.Release(ctx, teacher, u.quiz.ID)
	require.NoError(t, err)

	forum, err := e.App.Discussion.CreateForum(ctx, teacher, c.ID, discussion.NewForum{Title: "Questions"})
	require.NoError(t, err)
	_, err = e.App.Discussion.CreateThread(ctx, learner, forum.ID, discussion.NewThread{Title: "Due?", Body: "When is it due?"})
	require.NoError(t, err)
	_, err = e.App.Courses.GetItem(ctx, learner, u.page.ID) // progress
	require.NoError(t, err)
	return u
}

// A copy carries the course's structure, content, files, quizzes and
// assignments, and no person: after copying a course with submissions,
// marks, attempts, posts and progress, no row that belongs to the copy (a
// row of the copy, or a row naming one) in any table of the privacy
// registry names a person other than the copier, whose enrolment as its
// teacher is its one enrolment.
func TestCopyCarriesNoPersonalData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	u := courseInUse(t, e)
	c := u.c
	// A teacher of the school who does not teach it may not copy it, nor
	// may its learners; its teachers may.
	_, err := e.App.Courses.Copy(ctx, c.OtherTeacher.Scope(c.Tenant), c.ID, course.CopyInput{Title: "Stolen"})
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = e.App.Courses.Copy(ctx, c.Learner.Scope(c.Tenant), c.ID, course.CopyInput{Title: "Mine"})
	require.ErrorIs(t, err, errs.ErrForbidden)

	// The copier is a second teacher of the course, so that what the
	// first one wrote names them, not the copier.
	copier := c.OtherTeacher
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(c.Tenant, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (?, ?, ?, 'teacher')`, c.Tenant, c.ID, copier.ID).Error
	}))
	cp, err := e.App.Courses.Copy(ctx, copier.Scope(c.Tenant), c.ID, course.CopyInput{Title: "Biology 2027/28"})
	require.NoError(t, err)
	require.Equal(t, course.Draft, cp.Status)
	require.Equal(t, c.School, cp.SchoolID)
	require.Equal(t, course.RoleTeacher, cp.MyRole)

	// The structure and content.
	orig, err := e.App.Courses.Page(ctx, copier.Scope(c.Tenant), c.ID)
	require.NoError(t, err)
	got, err := e.App.Courses.Page(ctx, copier.Scope(c.Tenant), cp.ID)
	require.NoError(t, err)
	require.Len(t, got.Sections, len(orig.Sections))
	for i, s := range orig.Sections {
		require.Equal(t, s.Title, got.Sections[i].Title)
		require.Len(t, got.Sections[i].Items, len(s.Items))
		for j, it := range s.Items {
			g := got.Sections[i].Items[j]
			require.NotEqual(t, it.ID, g.ID)
			require.Equal(t, [5]any{it.Kind, it.Title, it.Position, it.Published, it.URL}, [5]any{g.Kind, g.Title, g.Position, g.Published, g.URL})
			require.Equal(t, it.VisibleFrom == nil, g.VisibleFrom == nil)
			if it.VisibleFrom != nil {
				require.True(t, it.VisibleFrom.Equal(*g.VisibleFrom), "the schedule is kept")
			}
			if it.FileID != nil {
				require.NotEqual(t, *it.FileID, *g.FileID, "the file is a copy")
				v, err := e.App.Courses.GetItem(ctx, copier.Scope(c.Tenant), g.ID)
				require.NoError(t, err)
				require.Equal(t, "notes.pdf", v.File.Name)
			}
		}
	}
	newPage := got.Sections[0].Items[0]
	pv, err := e.App.Courses.GetItem(ctx, copier.Scope(c.Tenant), newPage.ID)
	require.NoError(t, err)
	require.NotContains(t, *pv.BodyHTML, u.img.ID.String(), "the copied page shows its own copy of the image")
	var newImg uuid.UUID
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(c.Tenant, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT file_id FROM item_images WHERE item_id = ?`, newPage.ID).Row().Scan(&newImg)
	}))
	require.Contains(t, *pv.BodyHTML, course.ImagePath(c.Tenant, newImg))
	_, err = e.App.Courses.ImageLink(ctx, copier.Scope(c.Tenant), newImg)
	require.NoError(t, err)
	var region string
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(c.Tenant, "test"), func(tx *gorm.DB) (err error) {
		region, err = files.Region(tx)
		return err
	}))
	rc, err := e.App.Files.Open(ctx, region, files.File{ObjectKey: files.Key(c.Tenant, newImg)})
	require.NoError(t, err)
	stored, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	require.Equal(t, png, stored, "the image's object was copied in the store")

	// Quizzes with their questions, assignments; no work, no results.
	qs, err := e.App.Quizzes.List(ctx, copier.Scope(c.Tenant), cp.ID)
	require.NoError(t, err)
	require.Len(t, qs, 1)
	require.Equal(t, "Quick", qs[0].Title)
	require.Nil(t, qs[0].ResultsReleasedAt)
	q, err := e.App.Quizzes.Get(ctx, copier.Scope(c.Tenant), qs[0].ID)
	require.NoError(t, err)
	require.Len(t, q.QuestionIDs, 1)
	as, err := e.App.Assignments.List(ctx, copier.Scope(c.Tenant), cp.ID, "", uuid.Nil, 10)
	require.NoError(t, err)
	require.Len(t, as, 1)
	require.Equal(t, "Essay", as[0].Title)
	require.Equal(t, "Write.", as[0].Instructions)

	// No person but the copier, in any table with a person column.
	noPersonButCopier(t, e, c.Tenant, cp.ID, copier.ID)

	// The original is untouched: its people and work are still there.
	still, err := e.App.Assignments.ListSubmissions(ctx, copier.Scope(c.Tenant), u.assign.ID, assignment.SubmissionFilter{}, uuid.Nil, 10)
	require.NoError(t, err)
	require.Len(t, still, 1)
}

// noPersonButCopier walks the privacy registry: the rows of the copy are
// those with course_id = the copy, and, transitively, those naming one of
// their ids in a uuid column. Every person column of those rows is empty
// or the copier; the copier's enrolment is the copy's one enrolment.
func noPersonButCopier(t *testing.T, e *apptest.Env, tenant, copy, copier uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	err := access.Transact(ctx, e.DB.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
		uuidCols := map[string][]string{}
		var cols []struct{ TableName, ColumnName string }
		if err := tx.Raw(`SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type = 'uuid' AND column_name <> 'tenant_id'`).Scan(&cols).Error; err != nil {
			return err
		}
		for _, c := range cols {
			uuidCols[c.TableName] = append(uuidCols[c.TableName], c.ColumnName)
		}
		ours := map[uuid.UUID]bool{copy: true}
		list := func() []uuid.UUID {
			out := make([]uuid.UUID, 0, len(ours))
			for id := range ours {
				out = append(out, id)
			}
			return out
		}
		// rowsOf is the condition on table t's rows that belong to the copy.
		rowsOf := func(t string) string {
			cond := "false"
			for _, c := range uuidCols[t] {
				if c != "id" {
					cond += " OR " + c + " IN @ids"
				}
			}
			return cond
		}
		for round := 0; round < 4; round++ {
			for _, tb := range privacy.Tables() {
				if !has(uuidCols[tb.Name], "id") || rowsOf(tb.Name) == "false" {
					continue
				}
				var ids []uuid.UUID
				if err := tx.Raw(`SELECT id FROM `+tb.Name+` WHERE `+rowsOf(tb.Name), map[string]any{"ids": list()}).Scan(&ids).Error; err != nil {
					return fmt.Errorf("%s: %w", tb.Name, err)
				}
				for _, id := range ids {
					if id != copier {
						ours[id] = true
					}
				}
			}
		}
		checked := 0
		for _, tb := range privacy.Tables() {
			for _, col := range tb.Columns {
				if col.Refers != privacy.RefPerson || rowsOf(tb.Name) == "false" {
					continue
				}
				var found []uuid.UUID
				q := `SELECT ` + col.Name + ` FROM ` + tb.Name + ` WHERE (` + rowsOf(tb.Name) + `) AND ` + col.Name + ` IS NOT NULL AND ` + col.Name + ` <> @copier`
				if err := tx.Raw(q, map[string]any{"ids": list(), "copier": copier}).Scan(&found).Error; err != nil {
					return fmt.Errorf("%s.%s: %w", tb.Name, col.Name, err)
				}
				if len(found) > 0 {
					return fmt.Errorf("%s.%s of the copy names %d people other than the copier", tb.Name, col.Name, len(found))
				}
				checked++
			}
		}
		require.Greater(t, checked, 20, "the registry's person columns were checked")
		var enrolled []uuid.UUID
		if err := tx.Raw(`SELECT person_id FROM enrolments WHERE course_id = ?`, copy).Scan(&enrolled).Error; err != nil {
			return err
		}
		if len(enrolled) != 1 || enrolled[0] != copier {
			return errors.New("the copy's enrolments are not the copier's alone")
		}
		return nil
	})
	require.NoError(t, err)
}

func has(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// A copy that fails leaves nothing: no course, no copied file.
func TestFailedCopyLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	u := courseInUse(t, e)
	c := u.c
	count := func(q string) (n int64) {
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(c.Tenant, "test"), func(tx *gorm.DB) error {
			return tx.Raw(q).Row().Scan(&n)
		}))
		return n
	}
	courses, ready := count(`SELECT count(*) FROM courses`), count(`SELECT count(*) FROM files WHERE status = 'ready'`)
	e.App.Courses.OnCopy(func(tx *gorm.DB, cp course.Copying) error { return errors.New("the store went away") })
	_, err := e.App.Courses.Copy(ctx, c.Teacher.Scope(c.Tenant), c.ID, course.CopyInput{Title: "Doomed"})
	require.Error(t, err)
	require.Equal(t, courses, count(`SELECT count(*) FROM courses`), "no course is left")
	require.Equal(t, ready, count(`SELECT count(*) FROM files WHERE status = 'ready'`))
	require.Zero(t, count(`SELECT count(*) FROM files WHERE status <> 'ready'`), "the copied objects are gone")
}
