package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/gradebook"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// The gradebook answers its teachers as JSON, CSV and a workbook, by
// teaching group; a learner of the course is refused it and reads only
// their own released marks at /grades.
func TestGradebookAPI(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "gba-")
	teacherSc := c.Teacher.Scope(e.A.ID)
	now := time.Now()
	a, err := e.App.Assignments.Create(ctx, teacherSc, c.ID, assignment.NewAssignment{SectionID: c.Section, Title: "Essay",
		OpensAt: &now, DueAt: now.Add(time.Hour), MaxScore: 20})
	require.NoError(t, err)
	for _, m := range []struct {
		who      lmstest.Person
		score    float64
		released bool
	}{{c.Learner, 15, true}, {c.Learner2, 10, false}} {
		v, err := e.App.Assignments.Submit(ctx, m.who.Scope(e.A.ID), a.ID, assignment.SubmissionInput{Body: "Work"})
		require.NoError(t, err)
		_, err = e.App.Assignments.SetMark(ctx, teacherSc, v.ID, assignment.MarkInput{Score: &m.score, Released: &m.released})
		require.NoError(t, err)
	}
	g, err := e.App.Courses.CreateGroup(ctx, teacherSc, c.ID, course.NewGroup{Name: "Set 1"})
	require.NoError(t, err)
	require.NoError(t, e.App.Courses.AddMember(ctx, teacherSc, g.ID, c.Learner2.ID))

	teacher := e.Login(e.A.Slug, c.Teacher.Username, lmstest.Password)
	learner := e.Login(e.A.Slug, c.Learner.Username, lmstest.Password)
	path := "/api/v1/t/tenant-a/courses/" + c.ID.String() + "/gradebook"

	var grid gradebook.Grid
	teacher.Expect(200, "GET", path, nil).Decode(&grid)
	require.Len(t, grid.Rows, 2)
	require.Equal(t, 12.5, *grid.Columns[0].Average)
	teacher.Expect(200, "GET", path+"?group="+g.ID.String(), nil).Decode(&grid)
	require.Len(t, grid.Rows, 1)
	require.Equal(t, c.Learner2.ID, grid.Rows[0].PersonID)
	teacher.Expect(400, "GET", path+"?group=nonsense", nil)

	r := teacher.Expect(200, "GET", path+".csv?group="+g.ID.String(), nil)
	require.Contains(t, r.Header.Get("Content-Type"), "text/csv")
	require.Contains(t, r.Header.Get("Content-Disposition"), "gradebook.csv")
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"gba- learner2", "10", "50", "Essay"}, rows[1])

	r = teacher.Expect(200, "GET", path+".xlsx", nil)
	require.Equal(t, gradebook.XLSXType, r.Header.Get("Content-Type"))
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	require.NoError(t, err)
	got, err := f.GetCellValue(gradebook.SheetName, "B2")
	require.NoError(t, err)
	require.Equal(t, "15", got)
	require.NoError(t, f.Close())

	for _, p := range []string{path, path + ".csv", path + ".xlsx"} {
		learner.Expect(403, "GET", p, nil)
	}
	e.Login(e.A.Slug, c.OtherTeacher.Username, lmstest.Password).Expect(404, "GET", path, nil)

	mine := itemsOf[gradebook.CourseGrades](learner.Expect(200, "GET", "/api/v1/t/tenant-a/grades", nil))
	require.Len(t, mine, 1)
	require.Equal(t, 15.0, *mine[0].Items[0].Score)
	r = e.Login(e.A.Slug, c.Learner2.Username, lmstest.Password).Expect(200, "GET", "/api/v1/t/tenant-a/grades", nil)
	require.NotContains(t, r.Text(), `"score"`, "learner2's mark is not released, and learner's is not theirs")
	require.Contains(t, r.Text(), `"state":"handed-in"`)
}
