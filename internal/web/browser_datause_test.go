package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A school signs a data use agreement; only then can the operator have a
// pseudonymised copy made, which the school sees in its log; the school
// sets an alert webhook and sees its secret once.
func TestDataUseInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := webtest.New(t, e.Server.URL)
	op.StaffSignIn(e.Operator, apptest.OperatorPassword)
	op.Go("/platform/tenants/"+e.A.ID.String(), "operator-tenant-copies")
	op.Submit(`button.secondary`, "operator-copy-refused")
	require.Contains(t, op.Text("main"), "no data use agreement in force")

	adm := webtest.New(t, e.Server.URL)
	adm.Plain = true // a school user: no developer strings on their pages
	adm.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	adm.Go("/t/tenant-a/admin/data-use", "admin-data-use")
	adm.Submit(`main form button[type=submit]`, "admin-data-use-errors")
	require.Contains(t, adm.Text(".error-summary"), "The purpose")
	adm.Fill("#purpose", "Testing the new gradebook")
	adm.Fill("#terms", "Copies are deleted within 30 days of use.")
	adm.Run(chromedp.SetValue("#starts_on", "2026-01-01", chromedp.ByQuery), chromedp.SetValue("#ends_on", "2027-12-31", chromedp.ByQuery))
	adm.Submit(`main form button[type=submit]`, "admin-data-use-signed")
	require.Contains(t, adm.Text("main"), "In force")

	op.Go("/platform/tenants/"+e.A.ID.String(), "")
	op.Submit(`button.secondary`, "operator-copy-queued")
	require.Contains(t, op.Text(".flash"), "queued")
	require.NoError(t, e.App.DataUse.RunQueued(context.Background()))
	op.Go("/platform/tenants/"+e.A.ID.String(), "operator-copy-done")
	require.Contains(t, op.Text("main"), "done")

	adm.Go("/t/tenant-a/admin/access-log", "admin-log-copy")
	require.Contains(t, adm.Text("table.log"), "pseudonymised copy of the school’s data was made")

	// Withdrawn: the copy goes, and the school's log says so.
	adm.Go("/t/tenant-a/admin/data-use", "")
	adm.Submit(`form[action$="/withdraw"] button`, "admin-data-use-withdrawn")
	require.Contains(t, adm.Text(".flash"), "copies made under it are removed")
	adm.Go("/t/tenant-a/admin/access-log", "admin-log-copy-removed")
	require.Contains(t, adm.Text("table.log"), "A pseudonymised copy was removed")
	op.Go("/platform/tenants/"+e.A.ID.String(), "operator-copy-removed")
	require.Contains(t, op.Text("main"), "removed")

	adm.Go("/t/tenant-a/admin/webhook", "admin-webhook")
	adm.Fill("#url", "ftp://nowhere")
	adm.Submit(`main form button[type=submit]`, "admin-webhook-error")
	require.Contains(t, adm.Text(".error-summary"), "https://")
	adm.Fill("#url", "https://school.example/lms-alerts")
	adm.Submit(`main form button[type=submit]`, "admin-webhook-set")
	require.Regexp(t, `^whsec_[A-Za-z0-9+/]{43}=$`, adm.Text("code.secret"), "a Standard Webhooks secret")
}
