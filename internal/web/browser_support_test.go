package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Support asks tenant A for access to its people; A's admin (an access
// approver) approves it; the support person reads people within the grant
// but not courses; the admin sees each look in the access log with both
// names, revokes, and the support person's next page is refused.
func TestSupportAccessInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	seedDemo(t, e)
	adminAPI := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminAPI.Expect(201, "POST", "/api/v1/t/tenant-a/people/"+e.A.AdminID.String()+"/roles", map[string]any{"role": "approver"})

	// Support asks, with a bad form first.
	sup := webtest.New(t, e.Server.URL)
	sup.StaffSignIn(e.Support, apptest.SupportPassword)
	sup.Go("/platform/support", "support-requests-empty")
	sup.Submit(`a.button[href="/platform/support/new"]`, "support-request-new")
	sup.Fill("#tenant", "tenant-a")
	sup.Submit(`main form button[type=submit]`, "support-request-errors")
	summary := sup.Text(".error-summary")
	require.Contains(t, summary, "The ticket must be")
	require.Contains(t, summary, "The reason must be")
	require.Contains(t, summary, "What you need to read must name")
	sup.Fill("#ticket", "INC-2042")
	sup.Run(chromedp.SetValue("#reason_code", "data-issue", chromedp.ByQuery))
	sup.Fill("#justification", "A learner's name shows wrongly on the people page")
	sup.Run(chromedp.Click("#area-people", chromedp.ByQuery))
	sup.Submit(`main form button[type=submit]`, "support-request-sent")
	require.Contains(t, sup.Text(".flash"), "sent")
	require.Contains(t, sup.Text("main"), "Waiting for a decision")
	requestPage := sup.Path()

	// Not yet approved: the school's pages are closed.
	sup.Go("/t/tenant-a/admin/people", "support-refused-pending")
	require.Contains(t, sup.Text("h1"), "not allowed")

	// The approver sees the alert and approves for two hours.
	adm := webtest.New(t, e.Server.URL)
	adm.Plain = true // a school user: no developer strings on their pages
	adm.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	adm.Go("/t/tenant-a/admin/support", "admin-support-requests")
	require.Contains(t, adm.Text(".alerts"), "INC-2042")
	require.Contains(t, adm.Text(".alerts"), "Sam Support")
	adm.Submit(`table a`, "admin-support-request")
	require.Contains(t, adm.Text("main"), "A learner's name shows wrongly")
	adm.Fill("#duration_minutes", "120")
	adm.Submit(`button[value=approve]`, "admin-support-approved")
	require.Contains(t, adm.Text(".flash"), "Approved")
	require.Contains(t, adm.Text("main"), "Access in force")

	// Support reads people, within the grant, and nothing else.
	sup.Go(requestPage, "support-request-approved")
	require.Contains(t, sup.Text("main"), "Admin of tenant-a", "the approver is named")
	sup.Submit(`main ul a`, "support-reads-people")
	require.Equal(t, "/t/tenant-a/admin/people", sup.Path())
	require.Contains(t, sup.Text("table"), "Alex Learner")
	banner := sup.Text(".reading")
	require.Contains(t, banner, "support ticket INC-2042")
	require.Contains(t, banner, "read-only")
	var offered int
	sup.Run(chromedp.Evaluate(`[...document.querySelectorAll("main a.button, main form[method=post]")].filter(e => e.offsetParent !== null).length`, &offered))
	require.Zero(t, offered, "no forms or add buttons are offered to a reader")
	sup.Go("/t/tenant-a/courses", "support-refused-courses")
	require.Contains(t, sup.Text("main"), "does not cover")

	// The school sees each look, with both names, and ends access.
	adm.Go("/t/tenant-a/admin/access-log", "admin-access-log")
	log := adm.Text("table.log")
	require.Contains(t, log, "Sam Support")
	require.Contains(t, log, "Sam Support read the page “People” under ticket INC-2042, approved by Admin of tenant-a.")
	require.Contains(t, log, "Sam Support tried to read the page “My courses” and was refused.")
	adm.Go("/t/tenant-a/admin/support", "")
	adm.Submit(`table a`, "")
	adm.Submit(`button.danger`, "admin-support-revoked")
	require.Contains(t, adm.Text(".flash"), "Access ended")

	// The support person's very next page is refused.
	sup.Go("/t/tenant-a/admin/people", "support-refused-after-revoke")
	require.Contains(t, sup.Text("h1"), "not allowed")
	require.NotContains(t, sup.Text("main"), "Alex Learner")
}
