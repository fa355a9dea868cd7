package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// An operator records a legal order whose notice is deferred and reads
// under it while the school sees nothing; gives notice and the school sees
// the order and the read; records a breach that the school sees with the
// 72-hour clock in its data-protection pages.
func TestLegalOrderAndBreachInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := webtest.New(t, e.Server.URL)
	op.StaffSignIn(e.Operator, apptest.OperatorPassword)
	op.Go("/platform/legal", "operator-legal")
	op.Fill("#tenant", "tenant-a")
	op.Submit(`main form button[type=submit]`, "operator-legal-errors")
	require.Contains(t, op.Text(".error-summary"), "The reference")
	op.Fill("#reference", "CO-2026-117")
	op.Fill("#issuing_body", "High Court of Justice")
	op.Run(chromedp.SetValue("#order_date", "2026-11-20", chromedp.ByQuery))
	op.Fill("#scope", "Account records of one named person")
	op.Run(chromedp.Click("#area-people", chromedp.ByQuery), chromedp.Click("#deferred", chromedp.ByQuery))
	op.Fill("#document_sha256", strings.Repeat("ab", 32))
	op.Fill("#deferral_reason", "The order prohibits disclosure for 28 days")
	op.Run(chromedp.SetValue("#notice_by", time.Now().AddDate(0, 1, 0).Format(time.DateOnly), chromedp.ByQuery))
	op.Submit(`main form button[type=submit]`, "operator-legal-recorded")
	require.Contains(t, op.Text(".flash"), "recorded")
	require.Contains(t, op.Text("table"), "Deferred")
	require.Contains(t, op.Text("table"), "Waiting for a second operator")
	op.Go("/t/tenant-a/admin/people", "operator-refused-unconfirmed")
	require.Contains(t, op.Text("main"), "confirmed by a second operator")

	// A second operator confirms it on the same page.
	_, _, err := e.App.Identity.EnsureStaff(context.Background(), "second@processor.example", "Sol Second", "operator", "second-password-123")
	require.NoError(t, err)
	op2 := webtest.New(t, e.Server.URL)
	op2.StaffSignIn("second@processor.example", "second-password-123")
	op2.Go("/platform/legal", "")
	op2.Submit(`button.confirm`, "operator-legal-confirmed")
	require.Contains(t, op2.Text("table"), "Sol Second")

	op.Go("/t/tenant-a/admin/people", "operator-reads-under-order")
	require.Contains(t, op.Text("table"), "Admin of tenant-a")

	adm := webtest.New(t, e.Server.URL)
	adm.Plain = true // a school user: no developer strings on their pages
	adm.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	adm.Go("/t/tenant-a/admin/access-log", "admin-log-before-notice")
	require.NotContains(t, adm.Text("main"), "CO-2026-117")

	op.Go("/platform/legal", "")
	op.Submit(`table button`, "operator-notice-given")
	require.Contains(t, op.Text(".flash"), "told")
	adm.Go("/t/tenant-a/admin/access-log", "admin-log-after-notice")
	log := adm.Text("table.log")
	require.Contains(t, log, "CO-2026-117")
	require.Contains(t, log, "Olive Operator")
	require.Contains(t, log, "Olive Operator read the page “People” under legal order CO-2026-117.")

	op.Go("/platform/breaches", "operator-breaches")
	op.Fill("#title", "Misdirected report")
	op.Fill("#description", "A class report was emailed to the wrong address.")
	op.Fill("#tenants", "tenant-a: names and marks of one class")
	op.Submit(`main form button[type=submit]`, "operator-breach-recorded")
	require.Contains(t, op.Text(".flash"), "recorded")
	require.Contains(t, op.Text("main"), "tenant-a: names and marks of one class")

	adm.Go("/t/tenant-a/admin/protection", "admin-protection")
	require.Contains(t, adm.Text("main"), "1 open")
	adm.Submit(`a[href$="/admin/breaches"]`, "admin-breaches")
	require.Contains(t, adm.Text("main"), "names and marks of one class")
	require.Contains(t, adm.Text("main"), "hours left")
	adm.Go("/t/tenant-a/admin/security", "admin-security")
	adm.Go("/t/tenant-a/admin/processor-records", "admin-processor-records")
	require.Contains(t, adm.Text("main"), "row-level security")
	adm.Go("/t/tenant-a/admin/sub-processors", "admin-sub-processors")
}
