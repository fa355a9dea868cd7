package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// The admin's person page, in the browser (axe, 375 px, plain words):
// a rostered pupil shows the legal name and pupil number beside the name
// they go by; the admin changes the preferred first name (too long a one
// is refused beside its box and stays as typed) and the shown name
// follows. Tenant B's admin cannot open the pupil's page.
func TestPersonNamesInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	p, err := e.App.Identity.CreatePerson(ctx, access.Member(e.A.ID, e.A.AdminID), identity.NewPerson{Username: "lukasz.obrien", DisplayName: "Łukasz O'Brien"})
	require.NoError(t, err)
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET given_name = 'Łukasz', middle_name = 'Siân', family_name = 'O''Brien', pupil_number = 'K801200012345' WHERE id = ?`, p.ID).Error
	}))
	page := "/t/tenant-a/admin/people/" + p.ID.String()

	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.Narrow = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	a.Go(page, "person-names")
	facts := a.Text("main dl.facts")
	require.Contains(t, facts, "Legal name")
	require.Contains(t, facts, "Łukasz Siân O'Brien")
	require.Contains(t, facts, "Pupil number")
	require.Contains(t, facts, "K801200012345")
	require.Equal(t, "", a.Value("#preferred_name"))

	long := strings.Repeat("x", 101)
	a.Fill("#preferred_name", long)
	a.Submit(`//main//button[.="Save preferred name"]`, "person-names-too-long")
	require.Contains(t, a.Text("#preferred_name-error"), "at most 100 characters")
	require.Equal(t, long, a.Value("#preferred_name"), "what was typed stays")

	a.Fill("#preferred_name", "Luke")
	a.Submit(`//main//button[.="Save preferred name"]`, "person-names-saved")
	require.Contains(t, a.Text("main"), "Saved.")
	require.Equal(t, "Luke O'Brien", a.Text("main h1"))
	require.Equal(t, "Luke", a.Value("#preferred_name"))
	require.Contains(t, a.Text("main dl.facts"), "Łukasz Siân O'Brien", "the legal name stays")

	b := webtest.New(t, e.Server.URL)
	b.SignIn("tenant-b", e.B.AdminUser, apptest.AdminPassword)
	b.Go("/t/tenant-b/admin/people/"+p.ID.String(), "")
	require.NotContains(t, b.Text("main"), "O'Brien")
}
