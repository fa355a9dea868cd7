package httpapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
)

// A person's reply carries the legal name and pupil number a roster
// import kept, and the preferred name; an admin changes the preferred
// name and the shown name follows it (given name again when cleared).
// The OpenAPI document names the fields. Another tenant's admin cannot
// see or change the person (404).
func TestPersonReplyHasLegalNameAndPupilNumber(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	var p identity.Person
	admin.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "zoe.obrien", "display_name": "Zoë O'Brien"}).Decode(&p)
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET given_name = 'Zoë', middle_name = 'Siân', family_name = 'O''Brien', pupil_number = 'A123456789012' WHERE id = ?`, p.ID).Error
	}))
	path := "/api/v1/t/tenant-a/people/" + p.ID.String()
	var got identity.Person
	admin.Expect(200, "GET", path, nil).Decode(&got)
	require.Equal(t, [4]string{"Zoë", "Siân", "O'Brien", "A123456789012"}, [4]string{*got.GivenName, *got.MiddleName, *got.FamilyName, *got.PupilNumber})
	require.Nil(t, got.PreferredName)

	admin.Expect(200, "PATCH", path, map[string]any{"preferred_name": " Zo "}).Decode(&got)
	require.Equal(t, "Zo", *got.PreferredName)
	require.Equal(t, "Zo O'Brien", got.DisplayName, "the shown name is the preferred name and the family name")
	require.Equal(t, "Zoë", *got.GivenName, "the legal name stays")
	r := admin.Expect(400, "PATCH", path, map[string]any{"preferred_name": "Zo\u0007"})
	require.Contains(t, r.Text(), `"field":"preferred_name"`)
	var cleared identity.Person // fields left out of the reply stay nil
	admin.Expect(200, "PATCH", path, map[string]any{"preferred_name": ""}).Decode(&cleared)
	got = cleared
	require.Nil(t, got.PreferredName)
	require.Equal(t, "Zoë O'Brien", got.DisplayName)

	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	adminB.Expect(404, "GET", "/api/v1/t/tenant-b/people/"+p.ID.String(), nil)
	adminB.Expect(404, "PATCH", "/api/v1/t/tenant-b/people/"+p.ID.String(), map[string]any{"preferred_name": "X"})

	doc := e.Anonymous().Expect(200, "GET", "/api/v1/openapi.json", nil).Text()
	for _, f := range []string{"given_name", "middle_name", "family_name", "preferred_name", "pupil_number"} {
		require.Contains(t, doc, `"`+f+`"`)
	}
}
