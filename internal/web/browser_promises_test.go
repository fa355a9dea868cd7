package web_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// absent reports whether no element matches sel on b's page.
func absent(t *testing.T, b *webtest.Browser, sel string) bool {
	t.Helper()
	var none bool
	q, err := json.Marshal(sel)
	require.NoError(t, err)
	b.Run(chromedp.Evaluate(`document.querySelector(`+string(q)+`) === null`, &none))
	return none
}

// The processor's promises on its pages: after the return window an
// operator sees that a school's legal hold keeps its data, and the day the
// deletion was due, with nothing to click; the school's admin, read-only
// otherwise, releases the hold; the watch then starts the deletion. An
// operator links a support person to a sub-processor on the staff page
// and unlinks them; support staff are offered neither.
func TestProcessorPromisesInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	api := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := api.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "claimant", "display_name": "Claimant"})
	r = api.Expect(201, "POST", "/api/v1/t/tenant-a/retention/holds", map[string]any{"person_id": r.JSON()["id"], "reason": "an employment tribunal claim"})
	_, err := e.App.DB.Pool.Exec(ctx, `UPDATE contracts SET starts_on = current_date - 400, ends_on = current_date - 31,
		updated_at = now() - interval '31 days' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	due := time.Now().UTC().AddDate(0, 0, -1).Format("Mon 2 Jan 2006")

	op := webtest.New(t, e.Server.URL)
	op.StaffSignIn(e.Operator, apptest.OperatorPassword)
	page := "/platform/tenants/" + e.A.ID.String()
	op.Go(page, "operator-deletion-kept")
	require.Contains(t, op.Text("main"), "Due on "+due+" and kept")
	require.Contains(t, op.Text("main table"), "A legal hold the school placed, on a person")
	require.NotContains(t, op.Text("main"), "tribunal", "not why")
	require.NotContains(t, op.Text("main"), "Claimant", "nor whom")
	require.True(t, absent(t, op, `form[action$="/deletion"]`), "nothing to start while it is kept")

	adm := webtest.New(t, e.Server.URL)
	adm.Plain = true // a school user: no developer strings on their pages
	adm.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	adm.Go("/t/tenant-a/admin/contract", "admin-contract-hold-keeps")
	require.Contains(t, adm.Text("main"), "A legal hold keeps it")
	adm.Go("/t/tenant-a/admin/retention", "admin-retention-after-end")
	require.Contains(t, adm.Text("main .notice"), "contract has ended")
	require.True(t, absent(t, adm, `form[action$="/retention/holds"]`), "no new hold after the end")
	require.True(t, absent(t, adm, `input[value="dry-run"]`))
	adm.Submit(`form[action$="/release"] button`, "admin-hold-released-after-end")
	require.Contains(t, adm.Text(".flash"), "released")
	require.Contains(t, adm.Text("main"), "No holds")

	// The contract-end export the watch queued is still being made: the
	// deletion waits for it, and nothing offers to start it meanwhile.
	op.Go(page, "operator-deletion-waits-for-export")
	require.Contains(t, op.Text(`section[aria-labelledby="deletion-h"]`), "export of the school's data is being made")
	require.True(t, absent(t, op, `form[action$="/deletion"]`), "nothing to start while the export is made")
	xs, err := e.App.Handback.Exports(ctx, access.Member(e.A.ID, e.A.AdminID))
	require.NoError(t, err)
	for _, x := range xs {
		require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, x.ID))
	}
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	op.Go(page, "operator-deletion-started-by-watch")
	require.Contains(t, op.Text("main"), "Deletion of the school's data")
	require.Contains(t, op.Text(`section[aria-labelledby="deletion-h"]`), "queued")

	// The staff page: link Sam Support to a sub-processor, then unlink.
	r = e.StaffLogin(e.Operator, apptest.OperatorPassword).Expect(201, "POST", "/api/v1/platform/sub-processors",
		map[string]any{"name": "Forensics Ltd", "purpose": "Security investigations", "country": "ie"})
	sp := r.JSON()["id"].(string)
	sam, err := e.App.Support.StaffByEmail(ctx, e.Support)
	require.NoError(t, err)
	op.Go("/platform/sub-processors", "operator-register-uk-eea")
	require.Contains(t, op.Text("main"), "Only the UK and the EEA are accepted")
	op.Submit(`a[href="/platform/staff"]`, "operator-staff")
	sel := "#sp-" + sam.String()
	op.Run(chromedp.SetValue(sel, sp, chromedp.ByQuery))
	op.Submit(`form[action="/platform/staff/`+sam.String()+`/sub-processor"] button`, "operator-staff-linked")
	require.Contains(t, op.Text(".flash"), "did not authorise")
	var chosen string
	op.Run(chromedp.Value(sel, &chosen, chromedp.ByQuery))
	require.Equal(t, sp, chosen)
	samAPI := e.StaffLogin(e.Support, apptest.SupportPassword)
	body := map[string]any{"ticket": "T-1", "reason_code": "fault", "justification": "A fault", "areas": []string{"courses"}}
	require.Equal(t, 403, samAPI.Do("POST", "/api/v1/platform/tenants/"+e.B.ID.String()+"/support-requests", body).Status,
		"B has not authorised Forensics Ltd")
	op.Run(chromedp.SetValue(sel, "", chromedp.ByQuery))
	op.Submit(`form[action="/platform/staff/`+sam.String()+`/sub-processor"] button`, "operator-staff-unlinked")
	require.Contains(t, op.Text(".flash"), "own staff again")
	require.Equal(t, 201, samAPI.Do("POST", "/api/v1/platform/tenants/"+e.B.ID.String()+"/support-requests", body).Status)

	// Support staff are offered no staff page and no register form.
	sup := webtest.New(t, e.Server.URL)
	sup.StaffSignIn(e.Support, apptest.SupportPassword)
	sup.Go("/platform/sub-processors", "support-register")
	require.True(t, absent(t, sup, `a[href="/platform/staff"]`))
	require.True(t, absent(t, sup, `form[action="/platform/sub-processors"]`))
	sup.Go(page, "support-deletion-started")
	require.Contains(t, sup.Text(`section[aria-labelledby="deletion-h"]`), "queued")
}
