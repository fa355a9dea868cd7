package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A teacher opens a course's gradebook from the course page, narrows it to
// a teaching group and downloads it as CSV; at 375 px the page does not
// scroll sideways (every page is checked) and the table scrolls in its own
// box. Each learner's grades page shows their own released marks
// and nothing else.
func TestGradebookInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "gb-")
	teacher := c.Teacher.Scope(e.A.ID)
	// Names that are not part of each other, to tell the rows apart.
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET display_name = CASE id WHEN ? THEN 'Ada Brook' ELSE 'Ben Carter' END WHERE id IN ?`,
			c.Learner.ID, []any{c.Learner.ID, c.Learner2.ID}).Error
	}))
	now := time.Now()
	set := func(title string, due time.Duration) assignment.Assignment {
		a, err := e.App.Assignments.Create(ctx, teacher, c.ID, assignment.NewAssignment{SectionID: c.Section, Title: title,
			OpensAt: &now, DueAt: now.Add(due), MaxScore: 10})
		require.NoError(t, err)
		return a
	}
	mark := func(a assignment.Assignment, who lmstest.Person, score float64, released bool) {
		v, err := e.App.Assignments.Submit(ctx, who.Scope(e.A.ID), a.ID, assignment.SubmissionInput{Body: "My work"})
		require.NoError(t, err)
		_, err = e.App.Assignments.SetMark(ctx, teacher, v.ID, assignment.MarkInput{Score: &score, Released: &released})
		require.NoError(t, err)
	}
	rocks := set("The rock cycle poster", time.Hour)
	mark(rocks, c.Learner, 8, true)
	mark(rocks, c.Learner2, 6, false)
	set("Volcano fact file", 2*time.Hour)
	set("Earthquakes and plate boundaries", 3*time.Hour)
	g, err := e.App.Courses.CreateGroup(ctx, teacher, c.ID, course.NewGroup{Name: "Set B"})
	require.NoError(t, err)
	require.NoError(t, e.App.Courses.AddMember(ctx, teacher, g.ID, c.Learner2.ID))

	b := webtest.New(t, e.Server.URL)
	b.Plain = true  // a school user: no developer strings on their pages
	b.Narrow = true // every page is also laid out 375 px wide, with no sideways scroll
	b.SignIn("tenant-a", c.Teacher.Username, lmstest.Password)
	b.Go("/t/tenant-a/courses/"+c.ID.String(), "")
	b.Submit(`main a[href$="/gradebook"]`, "teacher-gradebook")
	require.Contains(t, b.Text("h1"), "Gradebook")
	table := b.Text("table")
	require.Contains(t, table, "Ada Brook")
	require.Contains(t, table, "Ben Carter")
	require.Contains(t, table, "8 Released")
	require.Contains(t, table, "6 Not released")
	require.Contains(t, table, "Average of marked work")

	b.Run(chromedp.SetValue("#group", g.ID.String(), chromedp.ByQuery))
	b.Submit(`form.search button[type=submit]`, "teacher-gradebook-group")
	table = b.Text("table")
	require.Contains(t, table, "Ben Carter")
	require.NotContains(t, table, "Ada Brook", "only Set B")

	data := b.Download(`a[href*="/gradebook.csv"]`)
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, "heading, Ben, averages: %q", rows)
	require.Equal(t, "Learner", rows[0][0])
	require.Equal(t, []string{"Ben Carter", "6", "", "", "60", "The rock cycle poster"}, rows[1])

	b.Viewport([2]int64{375, 812})
	b.Go("/t/tenant-a/courses/"+c.ID.String()+"/gradebook", "teacher-gradebook-phone")
	var inside bool
	b.Run(chromedp.Evaluate(`(() => { const w = document.querySelector(".table-wrap"); return w.scrollWidth > w.clientWidth; })()`, &inside))
	require.True(t, inside, "the wide table scrolls inside its own box")
	b.Viewport(webtest.Desktop)
	b.SignOut()

	// Ben's mark is not released: his page says handed in, without it.
	b.SignIn("tenant-a", c.Learner2.Username, lmstest.Password)
	b.Submit(`nav a[href$="/grades"]`, "learner-grades-unreleased")
	main := b.Text("main")
	require.Contains(t, main, "The rock cycle poster")
	require.Contains(t, main, "Handed in, no mark released yet")
	require.NotContains(t, main, "6 out of 10")
	require.NotContains(t, main, "8 out of 10", "never another learner's mark")
	b.SignOut()

	b.SignIn("tenant-a", c.Learner.Username, lmstest.Password)
	b.Submit(`nav a[href$="/grades"]`, "learner-grades")
	main = b.Text("main")
	require.Contains(t, main, "8 out of 10")
	require.Contains(t, main, "80%")
	require.NotContains(t, main, "6 out of 10")
}
