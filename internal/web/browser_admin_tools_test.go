package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// An admin's everyday tools, in the browser, every page axe-checked and
// laid out 375 px wide: the people page finds people by name and role
// and pages through them, with the filters in the address; an account
// locked by wrong passwords typed into the real sign-in form shows when it
// is locked until, and the admin unlocks it (the person signs in at once,
// and the audit trail has it); a full export the admin starts shows its
// download by itself, the page never reloaded, and the "being made"
// message goes; so does a rollover's "Done".
func TestAdminToolsInBrowser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	const louPassword = "lou-password-1234"
	var lou uuid.UUID
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		var school uuid.UUID
		require.NoError(t, tx.Raw(`SELECT id FROM schools LIMIT 1`).Row().Scan(&school))
		mk := func(user, name, pw string, role identity.Role) uuid.UUID {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: user, DisplayName: name, Password: pw})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, e.A.ID, p.ID, role, &school)
			require.NoError(t, err)
			return p.ID
		}
		// 52 learners called Pat: a page of 50 and a second of 2.
		for i := 1; i <= 52; i++ {
			mk(fmt.Sprintf("pf-pat-%02d", i), fmt.Sprintf("Pat Learner %02d", i), "", identity.RoleLearner)
		}
		mk("pf-pat-teacher", "Pat Teacher", "", identity.RoleTeacher) // the wrong role
		mk("pf-sam", "Sam Other", "", identity.RoleLearner)           // the wrong name
		lou = mk("pf-lou", "Lou Locked", louPassword, identity.RoleLearner)
		return nil
	}))
	base := "/t/tenant-a"

	// Lou types a wrong password five times into the sign-in form.
	l := webtest.New(t, e.Server.URL)
	l.Plain = true // a school user: no developer strings on their pages
	for i := 0; i < 5; i++ {
		l.Go("/signin", "")
		l.Fill("#tenant", "tenant-a")
		l.Fill("#username", "pf-lou")
		l.Fill("#password", "not-lous-password")
		l.Submit(`main button[type=submit]`, "")
	}
	require.Contains(t, strings.ToLower(l.Text("main")), "locked", "the fifth wrong password locks the account")

	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)

	// Find the learners called Pat: the form is a GET, so the filters are
	// in the address and survive paging.
	a.Go(base+"/admin/people", "people")
	a.Fill("#q", "pat")
	a.Run(chromedp.SetValue("#role", "learner", chromedp.ByQuery))
	a.Submit(`form.filters button[type=submit]`, "people-filtered")
	q, err := url.ParseQuery(strings.SplitN(a.Path(), "?", 2)[1])
	require.NoError(t, err)
	require.Equal(t, "pat", q.Get("q"))
	require.Equal(t, "learner", q.Get("role"))
	a.Viewport(webtest.Phone) // on a phone, each person is a block with its headings
	a.Screenshot("people-filtered-phone")
	a.Viewport(webtest.Desktop)
	names := rowNames(a)
	require.Len(t, names, 50)
	require.Equal(t, "Pat Learner 01", names[0], "sorted by name")
	require.NotContains(t, names, "Pat Teacher")
	require.NotContains(t, names, "Sam Other")
	a.Submit(`/html/body//a[contains(., "Next page")]`, "people-next-page")
	require.Equal(t, []string{"Pat Learner 51", "Pat Learner 52"}, rowNames(a))
	require.Contains(t, a.Path(), "role=learner", "the next page keeps the filters")
	require.Equal(t, "pat", a.Value("#q"), "the form shows the filters in use")
	a.Fill("#q", "nobody-is-called-this")
	a.Submit(`form.filters button[type=submit]`, "people-none")
	require.Contains(t, a.Text("main"), "Nobody matches")

	// Lou is in the locked list, locked until a time; the admin unlocks.
	a.Go(base+"/admin/people?status=locked", "people-locked")
	require.Equal(t, []string{"Lou Locked"}, rowNames(a))
	require.Contains(t, a.Text("main table"), "Locked until ")
	a.Submit(`/html/body//a[normalize-space()="Lou Locked"]`, "person-locked")
	require.Regexp(t, `Locked until \d\d:\d\d`, a.Text("#locked-h"))
	require.Contains(t, a.Text("main"), "locked at ")
	a.Submit(`/html/body//button[normalize-space()="Unlock"]`, "person-unlocked")
	require.Contains(t, a.Text(".flash"), "Unlocked")
	require.False(t, has(a, "#locked-h"), "no lock shown once unlocked")
	var unlocks int64
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM audit_events WHERE action = 'person.unlocked' AND target = ?`, "person "+lou.String()).Scan(&unlocks).Error
	}))
	require.EqualValues(t, 1, unlocks, "the unlock is in the audit trail")
	l.SignIn("tenant-a", "pf-lou", louPassword)
	require.Contains(t, l.Text("header"), "Lou Locked", "Lou signs in at once")

	// A full export: its progress and download appear by themselves.
	a.Go(base+"/admin/contract", "contract")
	a.Submit(`form[action$="/admin/contract/exports"] button`, "full-export-queued")
	require.Contains(t, a.Text(".flash"), "being made")
	require.Contains(t, a.Text("#tenant-exports"), "Not yet")
	a.Run(chromedp.Evaluate(`document.documentElement.dataset.stayed = "yes"`, nil))
	xs, err := e.App.Handback.Exports(ctx, access.Member(e.A.ID, e.A.AdminID))
	require.NoError(t, err)
	require.Len(t, xs, 1)
	require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, xs[0].ID)) // the worker's job, run here
	a.Run(chromedp.Poll(`document.querySelector('#tenant-exports a[href$="/download"]') !== null`, nil))
	var stayed string
	a.Run(chromedp.Evaluate(`document.documentElement.dataset.stayed || ""`, &stayed))
	require.Equal(t, "yes", stayed, "the page was not reloaded")
	require.False(t, has(a, "main > .flash"), "the being-made message went")
	require.NotContains(t, a.Path(), "done=", "a reload would not announce it again")
	a.Page("full-export-ready")

	// A rollover: "Done" appears by itself too.
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "rl-")
	a.Go(base+"/rollovers/new?school="+fx.School.String(), "rollover-new")
	a.Run(chromedp.Click(`#c-`+fx.ID.String(), chromedp.ByQuery))
	a.Fill(`#suffix`, "2027/28")
	a.Submit(`/html/body//button[normalize-space()="Copy the ticked courses"]`, "rollover-copying")
	require.Contains(t, a.Text("#rollover-progress"), "Copying: 0 of 1")
	a.Run(chromedp.Evaluate(`document.documentElement.dataset.stayed = "still"`, nil))
	id, err := uuid.Parse(strings.TrimPrefix(a.Path(), base+"/rollovers/"))
	require.NoError(t, err)
	require.NoError(t, e.App.Courses.RunRollover(ctx, e.A.ID, id)) // the worker's job, run here
	a.Run(chromedp.Poll(`document.querySelector('#rollover-progress').textContent.includes("Done: 1 of 1 courses copied")`, nil))
	a.Run(chromedp.Evaluate(`document.documentElement.dataset.stayed || ""`, &stayed))
	require.Equal(t, "still", stayed, "the page was not reloaded")
	a.Page("rollover-done")
}

// rowNames are the names in the first column of the page's table.
func rowNames(b *webtest.Browser) []string {
	var out []string
	b.Run(chromedp.Evaluate(`Array.from(document.querySelectorAll("main table tbody tr td:first-child")).map(td => td.textContent.trim())`, &out))
	return out
}

// has reports whether the page has an element matching the CSS sel.
func has(b *webtest.Browser, sel string) bool {
	var ok bool
	b.Run(chromedp.Evaluate(`document.querySelector(`+"`"+sel+"`"+`) !== null`, &ok))
	return ok
}
