package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Sign-ins, in the browser (axe, 375 px, plain words): a learner types a
// wrong password, then the right one; their school's admin finds both on
// "Sign-ins" from Data protection, in words, with the network and never
// the address; "Failed sign-ins only" leaves the wrong password alone;
// the learner's name leads to their page. The other tenant's admin sees
// none of it, not even by asking for the learner by id.
func TestSignInsInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "si-")
	const name = "si- learner"

	l := webtest.New(t, e.Server.URL)
	l.Plain = true
	l.SignIn("tenant-a", fx.Learner.Username, "not-the-password")
	require.Contains(t, l.Path(), "/signin", "the wrong password does not sign in")
	l.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	require.NotContains(t, l.Path(), "/signin")
	// The learner sees both on "Where you are signed in".
	l.Go("/account/sessions", "")
	mine := l.Text("main table tbody")
	require.Contains(t, mine, "Wrong password")
	require.Contains(t, mine, "Signed in")

	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	a.Go("/t/tenant-a/admin/protection", "")
	a.Submit(`//main//a[normalize-space(.)="Sign-ins"]`, "sign-ins")
	require.Contains(t, a.Path(), "/t/tenant-a/admin/sign-ins")
	rows := a.Text("main table tbody")
	require.Contains(t, rows, name)
	require.Contains(t, rows, "Wrong password")
	require.Contains(t, rows, "Signed in")
	require.Contains(t, rows, "Password", "the method in words")
	require.Contains(t, rows, "127.0.0.0/16", "the network, not the address")
	require.NotContains(t, a.Text("main"), "127.0.0.1")
	require.NotContains(t, a.Text("main"), "not-the-password")

	a.Run(chromedp.Click("#failures", chromedp.ByQuery))
	a.Submit(`//main//button[contains(., "Show")]`, "sign-ins-failures")
	rows = a.Text("main table tbody")
	require.Contains(t, rows, "Wrong password")
	require.Contains(t, rows, name)
	require.NotContains(t, rows, "Signed in", "failures only")

	a.Submit(`//main//table//a[contains(., "`+name+`")]`, "")
	require.Contains(t, a.Path(), "/admin/people/"+fx.Learner.ID.String())
	// From the learner's page, their sign-ins alone (not the admin's own).
	a.Submit(`//main//a[contains(., "`+name+`'s sign-ins")]`, "sign-ins-person")
	require.Contains(t, a.Text("main h1"), name)
	rows = a.Text("main table tbody")
	require.Contains(t, rows, "Wrong password")
	require.Contains(t, rows, "Signed in")
	require.NotContains(t, rows, "Admin of tenant-a", "only the learner's")

	// Tenant B's admin: none of tenant A's sign-ins, and not by id either.
	bb := webtest.New(t, e.Server.URL)
	bb.Plain = true
	bb.SignIn("tenant-b", e.B.AdminUser, apptest.AdminPassword)
	bb.Go("/t/tenant-b/admin/sign-ins", "")
	main := bb.Text("main")
	require.NotContains(t, main, name)
	require.NotContains(t, main, "Wrong password")
	bb.Go("/t/tenant-b/admin/sign-ins?person="+fx.Learner.ID.String(), "")
	require.NotContains(t, bb.Text("main"), name)
	require.NotContains(t, bb.Text("main"), "Wrong password")
}
