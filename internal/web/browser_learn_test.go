package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// seedDemo gives tenant-a the demo course of `make run`: a page, a PDF, a
// video, a link, an assignment and a forum thread; Jo teaches, Sam and Alex
// learn.
func seedDemo(t *testing.T, e *apptest.Env) {
	t.Helper()
	_, err := demo.Seed(context.Background(), demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}, e.A.ID)
	require.NoError(t, err)
}

// A learner signs in, opens the course, plays the video and hands in an
// assignment with a file; the teacher marks it and releases the mark; the
// learner sees it only after release.
func TestLearnerAndTeacherInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	seedDemo(t, e)
	pdf := filepath.Join(t.TempDir(), "my-habitats.pdf")
	require.NoError(t, os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644))

	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.SignIn("tenant-a", "alex.learner", demo.Password)
	require.Equal(t, "/t/tenant-a/courses", b.Path())
	b.Screenshot("learner-courses")
	b.Submit(`.cards a`, "learner-course")
	require.Contains(t, b.Text("h1"), "Year 5 Science")
	require.Contains(t, b.Text("main"), "Not opened yet")

	// The video plays from storage through its presigned link.
	var pageHref, videoHref string
	b.Run(chromedp.AttributeValue(`//a[contains(., "What is a habitat?")]`, "href", &pageHref, nil, chromedp.BySearch),
		chromedp.AttributeValue(`//a[contains(., "Video: pond life")]`, "href", &videoHref, nil, chromedp.BySearch))
	b.Go(pageHref, "learner-page")
	require.Contains(t, b.Text(".content-body"), "A habitat is the place")
	b.Go(videoHref, "learner-video")
	var playing bool
	b.Run(chromedp.Evaluate(`(async () => { const v = document.querySelector("video"); v.muted = true; await v.play(); await new Promise(r => setTimeout(r, 1200)); return v.currentTime > 0 && !v.error && v.readyState >= 2; })()`,
		&playing, func(p *webtest.EvalParams) *webtest.EvalParams { return p.WithAwaitPromise(true) }))
	require.True(t, playing, "the video should play")

	// Hand in work with a file, through the form.
	var assignHref string
	b.Run(chromedp.Navigate(b.Base + "/t/tenant-a/courses"))
	b.Page("")
	b.Submit(`.cards a`, "")
	b.Run(chromedp.AttributeValue(`//a[contains(., "Habitat hunt")]`, "href", &assignHref, nil, chromedp.BySearch))
	b.Go(assignHref, "learner-assignment")
	require.Contains(t, b.Text("main"), "You have not handed anything in yet")
	b.Fill("#body", "Pond: frogs. Hedge: blackbirds. Log pile: woodlice.")
	b.Run(chromedp.SetUploadFiles("#files", []string{pdf}, chromedp.ByQuery))
	b.Submit(`form[data-upload] button[type=submit]`, "learner-handed-in")
	b.Run(chromedp.WaitVisible(".flash", chromedp.ByQuery))
	require.Contains(t, b.Text(".flash"), "handed in")
	require.Contains(t, b.Text("main"), "my-habitats.pdf")
	require.Contains(t, b.Text("main"), "not released a mark yet")
	b.SignOut()

	// The teacher marks Alex's work and releases it.
	b.SignIn("tenant-a", "jo.teacher", demo.Password)
	b.Go(strings.TrimPrefix(assignHref, b.Base), "teacher-submissions")
	b.Run(chromedp.Click(`//a[contains(., "Alex Learner")]`, chromedp.BySearch))
	b.Page("teacher-marking")
	b.Fill("#score", "eleven")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".error-summary"), "number")
	b.Fill("#score", "7")
	b.Fill("#feedback", "Good three habitats, Alex. Say what each animal eats next time.")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "saved")
	b.SignOut()

	// Not released yet: Alex sees no mark.
	b.SignIn("tenant-a", "alex.learner", demo.Password)
	b.Go(strings.TrimPrefix(assignHref, b.Base), "")
	require.NotContains(t, b.Text("main"), "Say what each animal eats")
	b.SignOut()

	b.SignIn("tenant-a", "jo.teacher", demo.Password)
	b.Go(strings.TrimPrefix(assignHref, b.Base), "")
	b.Submit(`form[action$="/release"] button`, "")
	require.Contains(t, b.Text(".flash"), "visible to learners")
	b.SignOut()

	b.SignIn("tenant-a", "alex.learner", demo.Password)
	b.Go(strings.TrimPrefix(assignHref, b.Base), "learner-feedback")
	require.Contains(t, b.Text(".feedback"), "7 out of 10")
	require.Contains(t, b.Text(".feedback"), "Say what each animal eats")
	b.Viewport(webtest.Phone)
	b.Go(strings.TrimPrefix(assignHref, b.Base), "learner-feedback-phone")
}
