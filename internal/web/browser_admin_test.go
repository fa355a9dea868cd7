package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// rosterFiles writes the roster test files to dir with enrollments.csv's
// third line (e2) naming a user no file defines, and returns their paths.
func rosterFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range []string{"users.csv", "roles.csv", "classes.csv", "enrollments.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "lms", "roster", "testdata", n))
		require.NoError(t, err)
		if n == "enrollments.csv" {
			lines := strings.Split(string(b), "\n")
			require.True(t, strings.HasPrefix(lines[2], "e2,"), lines[2])
			lines[2] = strings.Replace(lines[2], "u-s1", "u-nobody", 1)
			b = []byte(strings.Join(lines, "\n"))
		}
		p := filepath.Join(dir, n)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		out[n] = p
	}
	return out
}

// An admin signs in to the dashboard, adds a person with a role, and
// imports a OneRoster export with one bad row: the row's error is shown by
// file, line and column, and nothing was imported.
func TestAdminInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, "/t/tenant-a/admin", b.Path())
	b.Page("admin-dashboard")
	require.Contains(t, b.Text("main"), "Contract")
	b.Viewport(webtest.Phone)
	b.Go("/t/tenant-a/admin", "admin-dashboard-phone")
	b.Viewport(webtest.Desktop)

	// Add a person with a first role; a bad form first.
	b.Go("/t/tenant-a/admin/people/new", "admin-person-new")
	b.Fill("#display_name", "Pat Newteacher")
	b.Fill("#password", "short")
	b.Submit(`main form button[type=submit]`, "admin-person-errors")
	require.Contains(t, b.Text(".error-summary"), "Enter a username")
	require.Contains(t, b.Text(".error-summary"), "12 characters")
	b.Fill("#username", "pat.newteacher")
	b.Fill("#display_name", "Pat Newteacher")
	b.Fill("#password", "a-long-enough-password")
	b.Run(chromedp.SetValue("#role", "teacher", chromedp.ByQuery))
	b.Submit(`main form button[type=submit]`, "admin-person")
	require.Contains(t, b.Text(".flash"), "added")
	require.Contains(t, b.Text("table"), "Teacher")

	// Import with one bad row.
	files := rosterFiles(t, t.TempDir())
	b.Go("/t/tenant-a/admin/roster", "admin-roster")
	for name, p := range files {
		b.Run(chromedp.SetUploadFiles(`input[name="`+name+`"]`, []string{p}, chromedp.ByQuery))
	}
	b.Submit(`main form button[type=submit]:not(.secondary)`, "admin-import-error")
	require.Contains(t, b.Text(".error-summary"), "Nothing was imported")
	issues := b.Text("table.issues tbody")
	require.Contains(t, issues, "enrollments.csv")
	require.Contains(t, issues, "3")
	require.Contains(t, issues, "userSourcedId")
	require.NotContains(t, issues, "users.csv", "only the bad row is reported")

	// Nothing was applied: the people of the good rows are not there.
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := admin.Expect(200, "GET", "/api/v1/t/tenant-a/people?limit=200", nil)
	require.NotContains(t, r.Text(), "r-teacher1")
	require.Contains(t, r.Text(), "pat.newteacher")
}
