package web_test

import (
	"bytes"
	"io"
	mime_multipart "mime/multipart"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// personalData is what the demo seeds into tenant-a and the admins of both
// tenants: names, usernames and email addresses, course and post text. No
// operator page may show any of it.
func personalData() []string {
	out := []string{"Admin of tenant-a", "admin@tenant-a.example", "Admin of tenant-b", "admin@tenant-b.example",
		"Year 5 Science", "Habitat", "pond", "Fern Founder", "fern@oakfield.example"}
	for _, p := range demo.People {
		out = append(out, p.Username, p.Name)
	}
	return out
}

// An operator signs in, sees every tenant with its contract and figures and
// the platform's health, creates a tenant (a bad form first), sets its
// contract's end date, and never sees a tenant's personal data; tenant
// pages are closed to them.
func TestOperatorInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	seedDemo(t, e)
	b := webtest.New(t, e.Server.URL)
	pages := map[string]string{}
	keep := func(name string) { pages[name] = b.Text("body") }

	b.StaffSignIn(e.Operator, apptest.OperatorPassword)
	require.Equal(t, "/platform", b.Path())
	b.Page("operator-tenants")
	keep("tenants")
	table := b.Text("table.tenants")
	require.Contains(t, table, "School tenant-a")
	require.Contains(t, table, "School tenant-b")
	require.Contains(t, table, "Ireland")
	require.Contains(t, b.Text(".health"), "Working")
	row := rowText(t, b, "tenant-a")
	require.Contains(t, row, "Active")
	require.Regexp(t, `\s5\s`, row, "the admin and the demo's teacher, two learners and a guardian: five people, as a count")

	// A bad form: every problem named by its field, nothing created.
	b.Submit(`a.button[href="/platform/tenants/new"]`, "operator-tenant-new")
	b.Fill("#name", "Oakfield Primary")
	b.Fill("#slug", "Not A Slug!")
	b.Fill("#admin_email", "not-an-address")
	b.Submit(`main form button[type=submit]`, "operator-tenant-errors")
	summary := b.Text(".error-summary")
	require.Contains(t, summary, "sign-in name")
	require.Contains(t, summary, "contract reference")
	require.Contains(t, summary, "email address")
	require.Contains(t, summary, "administrator's name")

	b.Fill("#slug", "oakfield")
	b.Fill("#reference", "C-2027-014")
	b.Fill("#admin_name", "Fern Founder")
	b.Fill("#admin_email", "fern@oakfield.example")
	b.Fill("#admin_password", "fern-first-password")
	b.Submit(`main form button[type=submit]`, "operator-tenant")
	require.Contains(t, b.Text(".flash"), "created")
	require.Equal(t, "Oakfield Primary", b.Text("h1"))
	keep("created")

	// The new tenant's admin can sign in: the tenant is real.
	admin := e.Login("oakfield", "fern@oakfield.example", "fern-first-password")
	require.Equal(t, 200, admin.Do("GET", "/api/v1/t/oakfield/schools", nil).Status)

	// Set an end date: the contract is ending, and the school sees it.
	b.Run(chromedp.SetValue("#ends_on", "2027-08-31", chromedp.ByQuery))
	b.Submit(`main form button[value=set]`, "operator-contract-ending")
	require.Contains(t, b.Text(".flash"), "end date")
	require.Contains(t, b.Text("main"), "Ending")
	require.Contains(t, b.Text("main"), "Tue 31 Aug 2027", "contract dates in the one UK format")
	keep("ending")
	r := admin.Expect(200, "GET", "/t/oakfield/admin", nil)
	require.Contains(t, r.Text(), "Tue 31 Aug 2027")

	// An end date before the start is a field error on the same page.
	b.Run(chromedp.SetValue("#ends_on", "2001-01-01", chromedp.ByQuery))
	b.Submit(`main form button[value=set]`, "operator-contract-error")
	require.Contains(t, b.Text(".error-summary"), "must not be before the contract start")

	// A tenant's figures page, then its pages: closed to processor staff.
	b.Go("/platform", "")
	b.Run(chromedp.Click(`//a[text()="School tenant-a"]`, chromedp.BySearch))
	b.Page("operator-tenant-a")
	require.Contains(t, b.Text("main"), "Operational figures")
	keep("tenant-a")
	b.Go("/t/tenant-a/admin", "operator-refused")
	require.Contains(t, b.Text("h1"), "not allowed")
	keep("refused")
	b.Go("/t/tenant-a/courses", "")
	keep("refused-courses")

	for name, text := range pages {
		for _, pd := range personalData() {
			require.NotContains(t, text, pd, "operator page %s shows personal data", name)
		}
	}
}

// rowText is the text of the tenants table row whose tenant has slug.
func rowText(t *testing.T, b *webtest.Browser, slug string) string {
	t.Helper()
	var s string
	b.Run(chromedp.Text(`//table[contains(@class,"tenants")]//tr[contains(., "(`+slug+`,")]`, &s, chromedp.BySearch))
	return s
}

// The operator pages over plain HTTP: support staff read figures but get
// no forms and cannot write; members are refused; a bad date and a
// duplicate sign-in name are field errors, not failures.
func TestOperatorPagesRules(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	support := e.StaffLogin(e.Support, apptest.SupportPassword)
	member := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	contract := "/platform/tenants/" + e.A.ID.String() + "/contract"

	r := support.Expect(200, "GET", "/platform", nil)
	require.NotContains(t, r.Text(), "Create a tenant")
	r = support.Expect(200, "GET", "/platform/tenants/"+e.A.ID.String(), nil)
	require.NotContains(t, r.Text(), contract)
	require.Equal(t, 403, support.Do("POST", contract, url.Values{"ends_on": {"2030-01-01"}}).Status)
	require.Equal(t, 403, support.Do("POST", "/platform/tenants/new", url.Values{"name": {"X"}}).Status)
	require.Equal(t, 403, member.Do("GET", "/platform", nil).Status)

	r = op.Expect(400, "POST", contract, url.Values{"ends_on": {"31/08/2027"}})
	require.Contains(t, r.Text(), "Enter the end date as a date")
	require.Equal(t, 404, op.Do("GET", "/platform/tenants/not-an-id", nil).Status)
	require.Equal(t, 404, op.Do("GET", "/platform/tenants/00000000-0000-0000-0000-000000000000", nil).Status)

	// Reopen: the end date goes.
	require.Equal(t, 303, op.Do("POST", contract, url.Values{"ends_on": {"2030-01-01"}}).Status)
	require.Equal(t, 303, op.Do("POST", contract, url.Values{"action": {"reopen"}}).Status)
	got := op.Do("GET", "/api/v1/platform/tenants/"+e.A.ID.String(), nil).JSON()
	require.Nil(t, got["contract"].(map[string]any)["ends_on"])
	require.Equal(t, "active", got["contract"].(map[string]any)["status"])

	// Creating under a sign-in name in use never updates that tenant.
	form := url.Values{"name": {"Renamed"}, "slug": {"tenant-a"}, "kind": {"school"}, "region": {"uk"}, "reference": {"C-x"},
		"starts_on": {"2026-09-01"}, "return_window_days": {"30"}, "admin_name": {"Mallory"}, "admin_email": {"mallory@evil.example"}}
	r = op.Expect(400, "POST", "/platform/tenants/new", form)
	require.Contains(t, r.Text(), "already the sign-in name")
	got = op.Do("GET", "/api/v1/platform/tenants/"+e.A.ID.String(), nil).JSON()
	require.Equal(t, "School tenant-a", got["name"])

	// Hostile values are field errors.
	form.Set("slug", "new-one")
	form.Set("region", "us")
	form.Set("return_window_days", "9999")
	form.Set("schools", "North\nNorth")
	form.Set("kind", "trust")
	r = op.Expect(400, "POST", "/platform/tenants/new", form)
	text := r.Text()
	for _, want := range []string{"data region", "return window", "line 2 has the same name"} {
		require.True(t, strings.Contains(text, want), "missing %q", want)
	}
	require.Equal(t, 200, op.Do("GET", "/platform", nil).Status)
}

// Bytes that are not text never reach the database (400, not 500), on the
// public sign-in pages too; a form too large is 413; support staff get no
// create-tenant form; a zero return window and an unusable first password
// are field errors.
func TestFormsRefuseWhatIsNotText(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	anon := e.Anonymous()
	for _, form := range []url.Values{
		{"tenant": {"tenant-a"}, "username": {"x\x00"}, "password": {"y"}},
		{"tenant": {"tenant-a"}, "username": {"x\xff"}, "password": {"y"}},
	} {
		r := anon.Expect(400, "POST", "/signin", form)
		require.Contains(t, r.Text(), "not plain text")
	}
	r := anon.Expect(400, "POST", "/staff/signin", url.Values{"email": {"x\xff@y"}, "password": {"y"}})
	r = anon.Expect(413, "POST", "/signin", url.Values{"tenant": {strings.Repeat("a", 11<<20)}})

	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	form := url.Values{"name": {"Oak\xff"}, "slug": {"oak"}, "kind": {"school"}, "region": {"uk"}, "reference": {"C-1"},
		"starts_on": {"2026-09-01"}, "return_window_days": {"0"}, "admin_name": {"Fern"}, "admin_email": {"fern@oak.example"}}
	require.Equal(t, 400, op.Do("POST", "/platform/tenants/new", form).Status)
	form.Set("name", "Oak")
	form.Set("admin_password", strings.Repeat("p", 1025))
	r = op.Expect(400, "POST", "/platform/tenants/new", form)
	require.Contains(t, r.Text(), "Enter a number of days from 1 to 365")
	require.Contains(t, r.Text(), "at most 1024 characters")
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, 400, admin.Do("POST", "/t/tenant-a/admin/people/new", url.Values{"username": {"kid"}, "display_name": {"K\xffid"}}).Status)

	support := e.StaffLogin(e.Support, apptest.SupportPassword)
	require.Equal(t, 403, support.Do("GET", "/platform/tenants/new", nil).Status)

	// Multipart is for the upload forms only; elsewhere it is refused
	// before any handler reads it, sign-in included.
	multipart := func(fields map[string]string) (io.Reader, map[string]string) {
		var buf bytes.Buffer
		w := mime_multipart.NewWriter(&buf)
		for k, v := range fields {
			require.NoError(t, w.WriteField(k, v))
		}
		require.NoError(t, w.Close())
		return &buf, map[string]string{"Content-Type": w.FormDataContentType()}
	}
	body, hdr := multipart(map[string]string{"tenant": "tenant-a", "username": "x\xff", "password": "y"})
	require.Equal(t, 415, anon.DoWith("POST", "/signin", body, hdr).Status)
	body, hdr = multipart(map[string]string{"username": "kid", "display_name": "K\x00id"})
	require.Equal(t, 415, admin.DoWith("POST", "/t/tenant-a/admin/people/new", body, hdr).Status)

	// The hand-in form is an upload form: its text is checked by the page.
	seedDemo(t, e)
	alex := e.Login(e.A.Slug, "alex.learner", demo.Password)
	var courses struct {
		Items []map[string]any `json:"items"`
	}
	alex.Do("GET", "/api/v1/t/tenant-a/courses", nil).Decode(&courses)
	require.NotEmpty(t, courses.Items)
	var as struct {
		Items []map[string]any `json:"items"`
	}
	alex.Do("GET", "/api/v1/t/tenant-a/courses/"+courses.Items[0]["id"].(string)+"/assignments", nil).Decode(&as)
	require.NotEmpty(t, as.Items)
	var buf bytes.Buffer
	mw := mime_multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("csrf_token", alex.CSRF)) // first, as the page sends it
	require.NoError(t, mw.WriteField("body", "Pond\x00life \xff"))
	require.NoError(t, mw.Close())
	r = alex.DoWith("POST", "/t/tenant-a/assignments/"+as.Items[0]["id"].(string)+"/submission", &buf,
		map[string]string{"Content-Type": mw.FormDataContentType(), "X-CSRF-Token": ""})
	require.Equal(t, 400, r.Status, r.Text())
	require.Contains(t, r.Text(), "not text")
}
