package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A teacher runs a forum in the browser: opens it from the course page;
// learners start a thread and reply; an author edits and deletes their own
// post; a learner reports a rude reply; the teacher sees the report on the
// forum page and hides the post, pins and locks the thread and closes the
// forum; the learners then read the teacher's reason and can post no more.
// Every page is checked with axe and laid out 375 px wide.
func TestForumModerationInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "fm-")
	courseURL := "/t/tenant-a/courses/" + fx.ID.String()
	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.Narrow = true

	// The teacher opens a forum from the course page.
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go(courseURL, "")
	b.Submit(`//a[.="Open a forum"]`, "forum-open")
	b.Submit(`//button[.="Open the forum"]`, "")
	require.Contains(t, b.Text(".error-summary"), "There is a problem", "a forum has a title")
	b.Fill("#title", "Homework questions")
	b.Submit(`//button[.="Open the forum"]`, "")
	require.Contains(t, b.Text(".flash"), "The forum is open")
	forumURL := b.Path()
	b.SignOut()

	// A learner starts a thread; another replies rudely, then thinks better
	// of a second post and deletes it.
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	b.Go(forumURL, "")
	b.Fill("#title", "When is the poster due?")
	b.Fill("#body", "I could not find the date.")
	b.Submit(`//button[.="Start thread"]`, "")
	threadURL := b.Path()
	b.SignOut()
	b.SignIn("tenant-a", fx.Learner2.Username, lmstest.Password)
	b.Go(threadURL, "")
	b.Fill("#body", "Read the board, silly.")
	b.Submit(`//button[.="Post reply"]`, "")
	b.Fill("#body", "Actually it is Friday")
	b.Submit(`//button[.="Post reply"]`, "")
	b.Submit(`//li[contains(@class,"post")][contains(., "Actually it is Friday")]//a[contains(., "Edit")]`, "forum-edit-post")
	b.Fill("#body", "Actually it is Friday, I think.")
	b.Submit(`//button[.="Save"]`, "")
	require.Contains(t, b.Text(".flash"), "Your post has been changed")
	require.Contains(t, b.Text("main"), "Actually it is Friday, I think.")
	b.Submit(`//li[contains(@class,"post")][contains(., "Friday, I think")]//button[contains(., "Delete")]`, "")
	require.Contains(t, b.Text(".flash"), "The post has been deleted")
	require.Contains(t, b.Text("main"), "This post was deleted.")
	b.SignOut()

	// The first learner reports the rude reply; an empty report is refused.
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	b.Go(threadURL, "")
	rude := `//li[contains(@class,"post")][contains(., "Read the board")]`
	b.Run(chromedp.Click(rude+`//summary[contains(., "Report")]`, chromedp.BySearch))
	b.Submit(rude+`//button[.="Report the post"]`, "")
	require.Contains(t, b.Text(".error-summary"), "There is a problem", "a report says why")
	b.Run(chromedp.SendKeys(rude+`//textarea[@name="reason"]`, "It calls me silly.", chromedp.BySearch))
	b.Submit(rude+`//button[.="Report the post"]`, "forum-reported")
	require.Contains(t, b.Text(".flash"), "teachers have been told")
	require.NotContains(t, b.Text("main"), "Lock to learners", "learners do not moderate")
	b.SignOut()

	// The teacher sees the report on the forum page and hides the post.
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go(forumURL, "forum-teacher-reports")
	report := `//li[starts-with(@id,"report-")][contains(., "It calls me silly.")]`
	require.Contains(t, b.Text(report), "Read the board, silly.")
	b.Run(chromedp.SendKeys(report+`//input[@name="hidden_reason"]`, "Please be kind to each other.", chromedp.BySearch))
	b.Submit(report+`//button[.="Hide the post"]`, "")
	require.Contains(t, b.Text(".flash"), "The post is hidden")
	require.Contains(t, b.Text("main"), "No open reports.")

	// Pin and lock the thread, then close the forum.
	b.Submit(`//a[.="When is the poster due?"]`, "")
	b.Submit(`//button[.="Pin to the top"]`, "")
	require.Contains(t, b.Text(".flash"), "Pinned")
	b.Submit(`//button[.="Lock to learners' replies"]`, "forum-teacher-thread")
	require.Contains(t, b.Text(".flash"), "Locked")
	b.Go(forumURL, "")
	b.Submit(`//button[.="Close the forum"]`, "")
	require.Contains(t, b.Text(".flash"), "The forum is closed")
	b.SignOut()

	// The learners read the reason, and post no more.
	b.SignIn("tenant-a", fx.Learner2.Username, lmstest.Password)
	b.Go(threadURL, "forum-learner-hidden")
	main := b.Text("main")
	require.Contains(t, main, "A teacher has hidden this post. Reason: Please be kind to each other.")
	require.Contains(t, main, "Read the board, silly.", "its author still reads their own hidden post")
	require.NotContains(t, main, "Post reply", "a locked thread takes no replies from learners")
	b.SignOut()
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	b.Go(threadURL, "")
	require.NotContains(t, b.Text("main"), "Read the board, silly.", "the class no longer reads a hidden post")
	b.Go(forumURL, "")
	require.Contains(t, b.Text("main"), "This forum is closed")
	require.NotContains(t, b.Text("main"), "Start a thread")
}
