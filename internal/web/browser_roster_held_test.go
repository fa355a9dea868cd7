package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// heldExport is a bulk (full) export of tenant A's school with pupils
// p0..p9 less those in drop.
func heldExport(drop int) map[string][]byte {
	var users, roles strings.Builder
	users.WriteString("sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName\n")
	roles.WriteString("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId\n")
	for i := drop; i < 10; i++ {
		fmt.Fprintf(&users, "p%d,,,true,pupil%d,Zoë,O'Brien\n", i, i)
		fmt.Fprintf(&roles, "r%d,,,p%d,primary,student,,,tenant-a-school\n", i, i)
	}
	return map[string][]byte{
		roster.ManifestFile: []byte("propertyName,value\nfile.users,bulk\nfile.roles,bulk\n"),
		roster.UsersFile:    []byte(users.String()), roster.RolesFile: []byte(roles.String()),
	}
}

// A full export that would end a fifth of the school waits on the import
// page in plain words; the admin confirms it, and the import's page then
// says the files were full ones and how many people left.
func TestRosterHeldInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx, sc := context.Background(), access.Member(e.A.ID, e.A.AdminID)
	_, err := e.App.Roster.Import(ctx, sc, heldExport(0), false)
	require.NoError(t, err)
	held, err := e.App.Roster.Import(ctx, sc, heldExport(2), false)
	require.NoError(t, err)
	require.Equal(t, roster.Held, held.Status)

	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Viewport(webtest.Phone)
	b.Go("/t/tenant-a/admin/roster", "admin-roster-held-phone")
	b.Viewport(webtest.Desktop)
	b.Go("/t/tenant-a/admin/roster/"+held.ID.String(), "admin-roster-held-import")
	require.Contains(t, b.Text("main"), "Waiting for an admin to confirm")
	require.Contains(t, b.Text("main"), "This file would end 2 of 10 people at School tenant-a.")
	require.Contains(t, b.Text("main"), "users.csv: full file")
	b.Go("/t/tenant-a/admin/roster", "admin-roster-held")
	require.Contains(t, b.Text("main"), "This file would end 2 of 10 people at School tenant-a. Confirm to apply it.")
	b.Submit(`main form[action$="/confirm"] button`, "admin-roster-confirmed")
	require.Equal(t, "/t/tenant-a/admin/roster/"+held.ID.String(), b.Path())
	main := b.Text("main")
	require.Contains(t, main, "Imported.")
	require.Contains(t, main, "users.csv: full file")
	require.Contains(t, main, "2 people left")
	b.Go("/t/tenant-a/admin/roster", "")
	require.NotContains(t, b.Text("main"), "Confirm to apply it", "no longer waiting")

	// The school's numbers, so an export's orgs.csv finds it.
	b.Go("/t/tenant-a/admin/roster/schools", "admin-roster-schools")
	sel := `main form[action*="/admin/roster/schools/"]`
	b.Fill(sel+` input[name="urn"]`, "12")
	b.Submit(sel+` button`, "admin-roster-schools-error")
	require.Contains(t, b.Text(".error-summary"), "The URN must be the six-digit unique reference number")
	require.Equal(t, "12", b.Value(sel+` input[name="urn"]`), "what was typed stays")
	b.Fill(sel+` input[name="urn"]`, "123456")
	b.Fill(sel+` input[name="dfe_number"]`, "330-2000")
	b.Submit(sel+` button`, "")
	require.Contains(t, b.Text(".flash"), "Saved")
	require.Equal(t, "123456", b.Value(sel+` input[name="urn"]`))
	schools, err := e.App.Roster.Schools(ctx, sc)
	require.NoError(t, err)
	require.Equal(t, "330-2000", *schools[0].DfeNumber)

	// Tenant B's admin finds no such import.
	other := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	other.Expect(404, "GET", "/api/v1/t/tenant-b/roster/imports/"+held.ID.String(), nil)
}
