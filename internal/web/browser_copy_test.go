package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A teacher copies a course from its builder (the copy is a draft they
// teach, with the content and none of the learners); an admin rolls two
// courses over from the courses page and watches the progress. Every page
// axe-checked and laid out 375 px wide.
func TestCopyAndRolloverInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "bc-")
	other := lmstest.NewCourse(t, e.DB.App, e.A.ID, "bc2-")
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	course := "/api/v1/t/tenant-a/courses/" + fx.ID.String()
	teacher.Expect(http.StatusCreated, "POST", course+"/items", map[string]any{"section_id": fx.Section, "kind": "link", "title": "Reading list", "url": "https://example.org/reading"})

	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.Narrow = true
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	base := "/t/tenant-a"
	b.Go(base+"/courses/"+fx.ID.String()+"/edit", "")
	b.Submit(`/html/body//a[normalize-space()="Copy this course"]`, "copy-course")
	require.Contains(t, b.Text("main"), "none of the people")
	b.Fill(`#title`, "")
	b.Submit(`/html/body//button[normalize-space()="Copy the course"]`, "copy-course-error")
	require.Contains(t, b.Text(".error-summary"), "must be 1-200 characters")
	b.Fill(`#title`, "bc- course 2027/28")
	b.Submit(`/html/body//button[normalize-space()="Copy the course"]`, "copy-course-done")
	require.Contains(t, b.Text("main h1"), "bc- course 2027/28")
	require.Contains(t, b.Text("main"), "Reading list")
	require.Contains(t, b.Text("main"), "a draft")
	copied := strings.Split(strings.TrimPrefix(b.Path(), base+"/courses/"), "/")[0]
	b.Go(base+"/courses/"+copied+"/people", "")
	require.NotContains(t, b.Text("main"), "bc- learner", "no learner came with the copy")

	// The admin rolls both courses over.
	a := webtest.New(t, e.Server.URL)
	a.Plain = true // a school user: no developer strings on their pages
	a.Narrow = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	a.Go(base+"/admin/courses", "")
	a.Submit(`/html/body//a[contains(., "Roll courses over")]`, "rollover-new")
	a.Submit(`/html/body//button[normalize-space()="Copy the ticked courses"]`, "rollover-error")
	require.Contains(t, a.Text(".error-summary"), "There is a problem")
	a.Run(chromedp.Click(`#c-`+fx.ID.String(), chromedp.ByQuery), chromedp.Click(`#c-`+other.ID.String(), chromedp.ByQuery))
	a.Fill(`#suffix`, "2027/28")
	a.Submit(`/html/body//button[normalize-space()="Copy the ticked courses"]`, "rollover-progress")
	require.Contains(t, a.Text("main"), "of 2 courses copied")
	id, err := uuid.Parse(strings.TrimPrefix(a.Path(), base+"/rollovers/"))
	require.NoError(t, err)
	// The worker (run here: the test has no job runner).
	require.NoError(t, e.App.Courses.RunRollover(context.Background(), e.A.ID, id))
	a.Go(a.Path(), "rollover-done")
	require.Contains(t, a.Text("main"), "Done: 2 of 2 courses copied")
}
