package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// startWorker runs the platform's job workers for the test, as `lms
// worker` does, so pages that queue jobs see them done.
func startWorker(t *testing.T, e *apptest.Env) {
	w, err := jobs.NewWorker(e.App.DB, e.App.JobSpec(), 2)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, w.Start(ctx))
	t.Cleanup(func() {
		cancel()
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = w.Stop(stop)
	})
}

// A learner asks for their data; the admin opens the request, runs the
// export and downloads the zip; the learner gives and withdraws consent;
// a guardian consents for a child; the admin restricts a learner, sees the
// retention dry run and the records of processing.
func TestSubjectRightsInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	_, err := demo.Seed(ctx, demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}, e.A.ID)
	require.NoError(t, err)
	startWorker(t, e)

	sam := webtest.New(t, e.Server.URL)
	sam.Plain = true // a school user: no developer strings on their pages
	sam.SignIn("tenant-a", "sam.learner", demo.Password)
	sam.Go("/t/tenant-a/my/privacy", "learner-my-data")
	sam.Submit(`form[action$="/my/privacy/consents"] button`, "learner-consent-given")
	require.Contains(t, sam.Text("main table"), "Given")
	sam.Run(chromedp.SetValue("#kind", "access", chromedp.ByQuery))
	sam.Fill("#details", "Please send me everything you hold about me.")
	sam.Submit(`form[action$="/my/privacy/requests"] button`, "learner-request-sent")
	require.Contains(t, sam.Text(".flash"), "within one month")
	require.Contains(t, sam.Text("main"), "Access (a copy of their data)")

	adm := webtest.New(t, e.Server.URL)
	adm.Plain = true // a school user: no developer strings on their pages
	adm.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	adm.Go("/t/tenant-a/admin", "admin-dashboard-requests")
	require.Contains(t, adm.Text("main"), "1 open")
	adm.Go("/t/tenant-a/admin/requests", "admin-requests")
	adm.Submit(`form[action$="/admin/requests"] button`, "admin-request-errors")
	require.Contains(t, adm.Text(".error-summary"), "no one with that username")
	adm.Submit(`main table a`, "admin-request")
	require.Contains(t, adm.Text("h1"), "Sam Learner")
	adm.Submit(`form[action$="/export"] button`, "admin-export-started")
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(adm.Text("main"), "Download the zip") {
		require.True(t, time.Now().Before(deadline), "the export did not finish: %s", adm.Text("main"))
		time.Sleep(300 * time.Millisecond)
		// No reload: the page shows the export's progress by itself.
	}
	adm.Screenshot("admin-export-ready")
	raw := adm.Download(`a[href*="/admin/exports/"]`)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	got := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		got[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	require.Contains(t, got, "README.txt")
	var people []map[string]any
	require.NoError(t, json.Unmarshal(got["data/people.json"], &people))
	require.Equal(t, "sam.learner", people[0]["username"])
	require.Contains(t, string(got["data/consents.json"]), "optional-communications")
	require.NotContains(t, string(raw), "alex.learner")

	// Withdrawal is one button, as easy as giving.
	sam.Go("/t/tenant-a/my/privacy", "")
	sam.Submit(`form[action$="/my/privacy/consents"] button`, "learner-consent-withdrawn")
	require.Contains(t, sam.Text(".flash"), "applies from now")

	// A guardian gives consent for a child under 13.
	r := adminAPI(e).Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "parent", "display_name": "Pat Parent", "password": "parent-password-1"})
	parent := r.JSON()["id"].(string)
	r = adminAPI(e).Expect(201, "POST", "/api/v1/t/tenant-a/people/"+parent+"/roles", map[string]any{"role": "guardian"})
	adm.Go("/t/tenant-a/admin/people", "")
	adm.Submit(`a[href*="/admin/people/"][href$="`+samID(t, e)+`"]`, "")
	adm.Submit(`main a[href*="/admin/people/"][href$="/privacy"]`, "admin-person-privacy")
	adm.Fill("#guardian-link", "parent")
	adm.Submit(`form[action$="/guardians"] button`, "admin-guardian-linked")

	pat := webtest.New(t, e.Server.URL)
	pat.Plain = true // a school user: no developer strings on their pages
	pat.SignIn("tenant-a", "parent", "parent-password-1")
	pat.Go("/t/tenant-a/my/children", "guardian-children")
	require.Contains(t, pat.Text("main"), "Sam Learner")
	pat.Submit(`form[action*="/my/children/"] button`, "guardian-consent-given")
	require.Contains(t, pat.Text("main table"), "Given")

	// Restricted: the consent stays recorded but is not relied on.
	adm.Go("/t/tenant-a/admin/people/"+samID(t, e)+"/privacy", "")
	adm.Fill("#reason", "Contests the accuracy of his record")
	adm.Submit(`form[action$="/privacy"]:has(#reason) button`, "admin-restricted")
	require.Contains(t, adm.Text("main"), "Restricted since")
	pat.Go("/t/tenant-a/my/children", "guardian-children-restricted")
	require.Contains(t, pat.Text("main table"), "not in use while processing")

	adm.Go("/t/tenant-a/admin/retention", "admin-retention")
	adm.Submit(`input[value="dry-run"] ~ button`, "admin-retention-dry-run")
	require.Contains(t, adm.Text("main"), "What enforcement would remove")
	adm.Go("/t/tenant-a/admin/records", "admin-records-of-processing")
	require.Contains(t, adm.Text("main"), "Learners (pupils and students)")
	require.Contains(t, adm.Text("main"), "public task (the school's education duties)", "lawful bases in words")
	require.NotContains(t, adm.Text("main"), "public-task")
	adm.Go("/t/tenant-a/admin/statistics", "admin-statistics")
	require.Contains(t, adm.Text("main table"), "too few to show", "the demo course has two learners")
}

func lastSegment(p string) string {
	p = strings.SplitN(p, "?", 2)[0]
	return p[strings.LastIndex(p, "/")+1:]
}

func adminAPI(e *apptest.Env) *apptest.Client {
	return e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
}

func samID(t *testing.T, e *apptest.Env) string {
	r := adminAPI(e).Expect(200, "GET", "/api/v1/t/tenant-a/people?limit=200", nil)
	var pg struct {
		Items []struct{ ID, Username string }
	}
	r.Decode(&pg)
	for _, p := range pg.Items {
		if p.Username == "sam.learner" {
			return p.ID
		}
	}
	t.Fatal("no sam.learner")
	return ""
}

// An operator backs a tenant up, and after its contract and return window
// have ended deletes its data, follows the run and downloads the signed
// certificate, which verifies; support staff see the same without forms.
func TestContractEndInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	startWorker(t, e)
	op := webtest.New(t, e.Server.URL)
	op.StaffSignIn(e.Operator, apptest.OperatorPassword)
	page := "/platform/tenants/" + e.A.ID.String()
	op.Go(page, "operator-contract-end")
	op.Submit(`form[action$="/backups"] button`, "operator-backed-up")
	require.Contains(t, op.Text("main table"), "locked until then")

	// No end date: nothing is due, and no deletion is offered.
	require.Contains(t, op.Text(`section[aria-labelledby="deletion-h"]`), "no end date: nothing is due to be deleted")
	require.True(t, absent(t, op, `form[action$="/deletion"]`))
	_, err := e.App.DB.Pool.Exec(context.Background(), `UPDATE contracts SET starts_on = current_date - 400, ends_on = current_date - 31, updated_at = now() - interval '31 days' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	op.Go(page, "")
	op.Submit(`form[action$="/deletion"] button`, "operator-deletion-started")
	deadline := time.Now().Add(60 * time.Second)
	// The contract's end starts the school's full export (its data to take
	// back); while that is being made the deletion is refused, and an
	// operator tries again when it is done.
	for strings.Contains(op.Text("main"), "full export of the school is being made") {
		require.True(t, time.Now().Before(deadline), "the full export did not finish: %s", op.Text("main"))
		time.Sleep(time.Second)
		op.Go(page, "")
		op.Submit(`form[action$="/deletion"] button`, "")
	}
	for !strings.Contains(op.Text("main"), "Download the signed deletion certificate") {
		require.True(t, time.Now().Before(deadline), "the deletion did not finish: %s", op.Text("main"))
		time.Sleep(300 * time.Millisecond)
		op.Go(page, "")
	}
	// Once more: the page that saw the end may have read the contract
	// before the deletion's last transaction and its status after.
	op.Go(page, "")
	op.Screenshot("operator-deletion-done")
	file := op.Download(`a[href$="/certificate"]`)
	cert, err := lifecycle.Verify(file, e.App.Config.Signer().Public())
	require.NoError(t, err)
	require.Equal(t, e.A.ID, cert.TenantID)
	require.Len(t, cert.Backups, 1, "the backup made before still holds the data, until its purge date")
	require.NotContains(t, op.Text("main"), "Back up now", "a deleted tenant offers no more actions")
	op.Go("/platform", "operator-tenants-after-deletion")
	require.Contains(t, op.Text("main table"), "Deleted tenant")
	_, err = e.App.Backups.Make(context.Background(), e.A.ID)
	require.Error(t, err)

	// On the school's recorded instruction, the operator restores the
	// backup into a new tenant; a worker does it.
	op.Go(page, "")
	op.Fill("#restore-slug", "tenant-a-restored")
	op.Fill("#restore-instruction", "The school's instruction of 1 December, ref SCH-1")
	op.Submit(`form[action$="/restores"] button`, "operator-restore-queued")
	for !strings.Contains(op.Text("main"), "erased again") || strings.Contains(op.Text("main"), "queued") || strings.Contains(op.Text("main"), "running") {
		require.True(t, time.Now().Before(deadline.Add(60*time.Second)), "the restore did not finish: %s", op.Text("main"))
		time.Sleep(300 * time.Millisecond)
		op.Go(page, "")
	}
	op.Screenshot("operator-restored")
	require.Contains(t, op.Text("main"), "tenant-a-restored")
	require.NotContains(t, op.Text("main"), "failed")

	// Tenant B's admin sees B's own timeline and backups, never A's.
	_, err = e.App.Backups.Make(context.Background(), e.B.ID)
	require.NoError(t, err)
	adm := webtest.New(t, e.Server.URL)
	adm.Plain = true // a school user: no developer strings on their pages
	adm.SignIn("tenant-b", e.B.AdminUser, apptest.AdminPassword)
	adm.Go("/t/tenant-b/admin/contract", "admin-contract-timeline")
	require.Contains(t, adm.Text("main"), "has no end date")
	require.Contains(t, adm.Text("main table"), "cannot be altered or deleted before then")
	// B's admin makes a full export and downloads it.
	adm.Submit(`form[action$="/admin/contract/exports"] button`, "admin-full-export-queued")
	for !strings.Contains(adm.Text("main"), "Download (") {
		require.True(t, time.Now().Before(deadline.Add(120*time.Second)), "the export did not finish: %s", adm.Text("main"))
		time.Sleep(300 * time.Millisecond)
		adm.Go("/t/tenant-b/admin/contract", "")
	}
	adm.Screenshot("admin-full-export-ready")
	raw := adm.Download(`a[href$="/download"]`)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	require.True(t, names["data/people.jsonl"] && names["data/people.csv"] && names["schema.json"], "%v", names)

	sup := webtest.New(t, e.Server.URL)
	sup.StaffSignIn(e.Support, apptest.SupportPassword)
	sup.Go(page, "support-contract-end")
	require.Contains(t, sup.Text("main"), "Download the signed deletion certificate")
	require.NotContains(t, sup.Text("main"), "Back up now")
}
