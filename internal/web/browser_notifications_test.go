package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/lms/notify"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A learner whose feedback was released and whose next piece of work is
// due tomorrow sees "Notifications (2 unread)" in the header, opens
// Notifications (their own notices only, newest first), marks one read
// and then all, and chooses no longer to be told of feedback in the app or
// by email. axe and the 375 px check on every page.
func TestLearnerNotificationsInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "nt-")
	teacher, learner, learner2 := fx.Teacher.Scope(e.A.ID), fx.Learner.Scope(e.A.ID), fx.Learner2.Scope(e.A.ID)
	now := time.Now()
	opens := now.Add(-time.Hour)
	hunt, err := e.App.Assignments.Create(ctx, teacher, fx.ID, assignment.NewAssignment{SectionID: fx.Section, Title: "Habitat hunt",
		OpensAt: &opens, DueAt: now.Add(time.Hour), MaxScore: 10})
	require.NoError(t, err)
	mark := func(sc access.Scope, feedback string) {
		v, err := e.App.Assignments.Submit(ctx, sc, hunt.ID, assignment.SubmissionInput{Body: "My pond survey"})
		require.NoError(t, err)
		score, yes := 8.0, true
		_, err = e.App.Assignments.SetMark(ctx, teacher, v.ID, assignment.MarkInput{Score: &score, Feedback: feedback, Released: &yes})
		require.NoError(t, err)
	}
	mark(learner, "Lovely detail about the pond.")
	mark(learner2, "Learner two's own feedback.")
	_, err = e.App.Assignments.Create(ctx, teacher, fx.ID, assignment.NewAssignment{SectionID: fx.Section, Title: "Fractions",
		OpensAt: &opens, DueAt: now.Add(5 * time.Hour), MaxScore: 10})
	require.NoError(t, err)
	_, err = e.App.Notify.Due(ctx, e.A.ID, now)
	require.NoError(t, err)

	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.Narrow = true
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	b.Go("/t/tenant-a/courses", "")
	require.Contains(t, b.Text("nav"), "Notifications (2 unread)")
	b.Submit(`//nav//a[starts-with(., "Notifications")]`, "notifications")
	list := b.Text("main")
	require.Contains(t, list, "Your work on “Habitat hunt”")
	require.Contains(t, list, "Lovely detail about the pond.")
	require.Contains(t, list, "“Fractions” (nt- course) is due")
	require.NotContains(t, list, "Learner two's own feedback", "nothing of another learner's work")
	var titles []string
	b.Run(chromedp.Evaluate(`[...document.querySelectorAll("main article h2")].map(h => h.textContent.trim())`, &titles))
	require.Len(t, titles, 2)
	require.Contains(t, titles[0], "Fractions", "newest first")

	b.Submit(`//main/article[1]//button[.="Mark as read"]`, "")
	require.Contains(t, b.Text("nav"), "Notifications (1 unread)")
	b.Submit(`//button[.="Mark all as read"]`, "")
	require.NotContains(t, b.Text("nav"), "unread")
	require.NotContains(t, b.Text("main"), "New")

	b.Submit(`//a[.="Choose how you are told"]`, "notification-settings")
	var checked bool
	b.Run(chromedp.Evaluate(`document.querySelector("#app_feedback").checked && document.querySelector("#email_feedback_now").checked`, &checked))
	require.True(t, checked, "the default: in the app and by email at once")
	b.Run(chromedp.Click("#app_feedback", chromedp.ByQuery), chromedp.Click("#email_feedback_none", chromedp.ByQuery),
		chromedp.Click("#email_reply_digest", chromedp.ByQuery))
	b.Submit(`//button[.="Save"]`, "")
	require.Contains(t, b.Text(".flash"), "Saved")
	b.Run(chromedp.Evaluate(`!document.querySelector("#app_feedback").checked && document.querySelector("#email_feedback_none").checked && document.querySelector("#email_reply_digest").checked`, &checked))
	require.True(t, checked, "the choice is kept")
	prefs, err := e.App.Notify.Preferences(ctx, learner)
	require.NoError(t, err)
	require.Equal(t, notify.Preference{Kind: notify.Feedback, InApp: false, Email: notify.EmailNone}, prefs[0])
	require.Equal(t, notify.Preference{Kind: notify.Reply, InApp: true, Email: notify.EmailDigest}, prefs[4])
}
