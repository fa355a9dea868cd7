package web_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
)

// An admin turns guardian accounts from the roster on for their school on
// the roster's page; tenant B's school stays off.
func TestRosterGuardiansSetting(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Contains(t, admin.Expect(200, "GET", "/t/"+e.A.Slug+"/admin/roster", nil).Text(), "/admin/roster/guardians")
	r := admin.Expect(200, "GET", "/t/"+e.A.Slug+"/admin/roster/guardians", nil)
	require.Contains(t, r.Text(), "Parents and carers from the roster")
	var school uuid.UUID
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM schools WHERE slug = ?`, e.A.SchoolSlug).Row().Scan(&school)
	}))
	on, err := e.App.Roster.Guardians(ctx, access.Member(e.A.ID, e.A.AdminID), school)
	require.NoError(t, err)
	require.False(t, on, "off by default")

	r = admin.Do("POST", "/t/"+e.A.Slug+"/admin/roster/guardians", url.Values{"school": {school.String()}, "allows": {school.String()}})
	require.Equal(t, 303, r.Status, r.Text())
	on, err = e.App.Roster.Guardians(ctx, access.Member(e.A.ID, e.A.AdminID), school)
	require.NoError(t, err)
	require.True(t, on)
	require.Contains(t, admin.Expect(200, "GET", "/t/"+e.A.Slug+"/admin/roster/guardians", nil).Text(), "checked")

	// The record of processing says what of the roster files is never stored.
	ropa := admin.Expect(200, "GET", "/t/"+e.A.Slug+"/admin/records", nil).Text()
	require.Contains(t, ropa, "Read from your files and never stored")
	require.Contains(t, ropa, "demographics.csv")

	var n int64
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.B.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM schools WHERE roster_guardians`).Scan(&n).Error
	}))
	require.Zero(t, n, "tenant B's schools stay off")
	// Another tenant's school named on the form is not found, and not changed.
	var other uuid.UUID
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.B.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM schools LIMIT 1`).Row().Scan(&other)
	}))
	r = admin.Do("POST", "/t/"+e.A.Slug+"/admin/roster/guardians", url.Values{"school": {other.String()}, "allows": {other.String()}})
	require.NotEqual(t, 303, r.Status)
}
