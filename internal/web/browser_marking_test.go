package web_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// From the pages only: a teacher sets an assignment (a closing date before
// the due date is refused) and gives one learner extra time on it; two
// learners hand in; the teacher sees every learner's status, marks with a
// feedback file and "Save and go to the next learner", releases to one
// learner, and downloads every hand-in as one zip; the learner released to
// sees the mark, the other does not; an admin sets a learner's standing
// extra time on their person page.
func TestMarkingInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "mk-")
	dir := t.TempDir()
	work := filepath.Join(dir, "my-work.pdf")
	require.NoError(t, os.WriteFile(work, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644))
	feedback := filepath.Join(dir, "feedback.pdf")
	require.NoError(t, os.WriteFile(feedback, []byte("%PDF-1.4\n%%EOF\n"), 0o644))

	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.Narrow = true
	setDate := func(sel string, at time.Time) {
		b.Run(chromedp.SetValue(sel, at.In(localtime.London).Format("2006-01-02T15:04"), chromedp.ByQuery))
	}

	// The teacher sets the assignment from the section's form.
	b.SignIn("tenant-a", c.Teacher.Username, lmstest.Password)
	b.Go("/t/tenant-a/sections/"+c.Section.String()+"/assignments/new", "marking-set-assignment")
	now := time.Now()
	b.Fill("#title", "River report")
	b.Fill("#instructions", "Describe the river near school.")
	setDate("#opens_at", now.Add(-time.Hour))
	setDate("#due_at", now.Add(24*time.Hour))
	setDate("#closes_at", now.Add(time.Hour))
	b.Fill("#max_score", "20")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".error-summary"), "due date")
	setDate("#closes_at", now.Add(48*time.Hour))
	b.Submit(`main form button[type=submit]`, "marking-assignment-teacher")
	require.Contains(t, b.Text(".flash"), "assignment is set")
	assignPath := strings.SplitN(b.Path(), "?", 2)[0]
	require.Contains(t, b.Text("main"), "accepted until")
	require.Contains(t, b.Text("main"), "Everyone (2)")
	require.Contains(t, b.Text("main"), "Not handed in yet")

	// Learner2 gets half as much time again on this assignment.
	b.Run(chromedp.SetValue("#person_id", c.Learner2.ID.String(), chromedp.ByQuery))
	b.Fill("#extra_time_percent", "50")
	b.Submit(`form[action$="/extra-time"] button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "extra time is saved")
	require.Contains(t, b.Text("main"), "mk- learner2: 50% extra time")
	require.Contains(t, b.Text("main"), "(extra time 50%)")

	// The change form keeps what was set.
	b.Submit(`//a[contains(., "Change the assignment")]`, "marking-edit-assignment")
	var title string
	b.Run(chromedp.Value("#title", &title, chromedp.ByQuery))
	require.Equal(t, "River report", title)
	b.Fill("#max_score", "25")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "assignment is saved")
	require.Contains(t, b.Text("dl.facts"), "25")
	b.SignOut()

	// Two learners hand in.
	for _, l := range []struct {
		p    lmstest.Person
		text string
		file bool
	}{{c.Learner, "The river is wide and slow.", true}, {c.Learner2, "Herons fish by the weir.", false}} {
		b.SignIn("tenant-a", l.p.Username, lmstest.Password)
		b.Go(assignPath, "")
		b.Fill("#body", l.text)
		if l.file {
			b.Run(chromedp.SetUploadFiles("#files", []string{work}, chromedp.ByQuery))
		}
		b.Submit(`form[data-upload] button[type=submit]`, "")
		require.Contains(t, b.Text(".flash"), "handed in")
		b.SignOut()
	}

	// The teacher sees every learner's status and counts, and filters.
	b.SignIn("tenant-a", c.Teacher.Username, lmstest.Password)
	b.Go(assignPath, "marking-roster")
	require.Contains(t, b.Text("main"), "Handed in (2)")
	require.Contains(t, b.Text("main"), "Not handed in (0)")
	b.Submit(`//a[contains(., "Handed in (2)")]`, "")
	require.Contains(t, b.Text("table"), "mk- learner2")

	// Mark the first, with a feedback file, and go on to the next.
	b.Submit(`//a[normalize-space(.)="mk- learner"]`, "marking-mark")
	b.Fill("#score", "18")
	b.Fill("#feedback", "Vivid description.")
	b.Run(chromedp.SetUploadFiles("#feedback_file", []string{feedback}, chromedp.ByQuery))
	b.Submit(`//button[contains(., "Save and go to the next learner")]`, "")
	require.Contains(t, b.Text(".flash"), "mark has been saved")
	require.Contains(t, b.Text("h1"), "mk- learner2")
	b.Fill("#score", "12")
	b.Fill("#feedback", "Say more about the weir.")
	b.Submit(`//button[contains(., "Save and go to the next learner")]`, "")
	require.Contains(t, b.Text(".flash"), "last learner")
	require.Equal(t, assignPath, strings.SplitN(b.Path(), "?", 2)[0])
	require.Contains(t, b.Text("main"), "Marked, not released (2)")

	// Release to the first learner only.
	b.Run(chromedp.Click(`input[aria-label="Release the mark of mk- learner"]`, chromedp.ByQuery))
	b.Submit(`//button[contains(., "Release marks to the ticked learners")]`, "")
	require.Contains(t, b.Text(".flash"), "ticked learners")
	require.Contains(t, b.Text("main"), "Released (1)")
	require.Contains(t, b.Text("main"), "Marked, not released (1)")

	// Every hand-in in one zip, a folder per learner.
	data := b.Download(`a[href$="/hand-ins.zip"]`)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	got := map[string]string{}
	var names []string
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(r)
		require.NoError(t, err)
		got[f.Name] = string(body)
		names = append(names, f.Name)
	}
	sort.Strings(names)
	l1, l2 := "mk- learner "+c.Learner.ID.String()[:8], "mk- learner2 "+c.Learner2.ID.String()[:8]
	require.Equal(t, []string{l1 + "/answer.txt", l1 + "/my-work.pdf", l2 + "/answer.txt"}, names)
	require.Equal(t, "Herons fish by the weir.", got[l2+"/answer.txt"])
	b.SignOut()

	// Released to the first learner, who sees the mark and the file; not
	// to the second.
	b.SignIn("tenant-a", c.Learner.Username, lmstest.Password)
	b.Go(assignPath, "marking-learner-feedback")
	require.Contains(t, b.Text(".feedback"), "18 out of 25")
	require.Contains(t, b.Text(".feedback"), "feedback file")
	b.SignOut()
	b.SignIn("tenant-a", c.Learner2.Username, lmstest.Password)
	b.Go(assignPath, "")
	require.NotContains(t, b.Text("main"), "Say more about the weir")
	b.SignOut()

	// An admin sets a learner's standing extra time on their person page.
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/tenant-a/admin/people/"+c.Learner.ID.String(), "")
	b.Fill("#extra_time_percent", "400")
	b.Submit(`form[action$="/arrangement"] button[type=submit]`, "")
	require.Contains(t, b.Text(".error-summary"), "300")
	b.Fill("#extra_time_percent", "25")
	b.Submit(`form[action$="/arrangement"] button[type=submit]`, "marking-admin-arrangement")
	require.Contains(t, b.Text(".flash"), "every assignment")
	require.Contains(t, b.Text("main"), "25% extra time")
}
