package tenant_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The example manifests shipped in tenants/ are valid and apply twice with
// the same result; a trust gets its schools and admins, scoped as declared.
func TestShippedManifestsApplyIdempotently(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	store := objtest.New(t)
	svc := tenant.NewService(db.App, store, true)
	ms, files, err := tenant.LoadDir(filepath.Join("..", "..", "..", "tenants"))
	require.NoError(t, err)
	require.Len(t, files, 2)
	ctx := context.Background()
	ids := map[string]uuid.UUID{}
	for _, f := range files {
		res, err := svc.Apply(ctx, ms[f], uuid.Nil)
		require.NoError(t, err)
		require.True(t, res.Created)
		ids[ms[f].Slug] = res.TenantID
	}
	for _, f := range files {
		res, err := svc.Apply(ctx, ms[f], uuid.Nil)
		require.NoError(t, err)
		require.False(t, res.Created)
		require.Empty(t, res.Changes, f)
	}
	trust := ids["northern-lights-trust"]
	var schools, admins, schoolAdmins int64
	require.NoError(t, access.Transact(ctx, db.App, access.System(trust, "test"), func(tx *gorm.DB) error {
		tx.Raw(`SELECT count(*) FROM schools`).Scan(&schools)
		tx.Raw(`SELECT count(*) FROM role_assignments WHERE role = 'admin'`).Scan(&admins)
		return tx.Raw(`SELECT count(*) FROM role_assignments WHERE role = 'admin' AND school_id IS NOT NULL`).Scan(&schoolAdmins).Error
	}))
	require.EqualValues(t, 2, schools)
	require.EqualValues(t, 2, admins)
	require.EqualValues(t, 1, schoolAdmins)
	// The region bucket exists in the object store.
	_, err = store.S3.HeadBucket(ctx, headBucket(store.Bucket("ie")))
	require.NoError(t, err)
	// A manifest that drops a school does not delete it.
	m := ms[files[0]]
	if m.Slug != "northern-lights-trust" {
		m = ms[files[1]]
	}
	m.Schools = m.Schools[:1]
	m.Admins = m.Admins[:1]
	_, err = svc.Apply(ctx, m, uuid.Nil)
	require.NoError(t, err)
	require.NoError(t, access.Transact(ctx, db.App, access.System(trust, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM schools`).Scan(&schools).Error
	}))
	require.EqualValues(t, 2, schools)
}

func TestInitialPasswordsRefusedOutsideDev(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	svc := tenant.NewService(db.App, nil, false)
	ms, files, err := tenant.LoadDir(filepath.Join("..", "..", "..", "tenants"))
	require.NoError(t, err)
	_, err = svc.Apply(context.Background(), ms[files[0]], uuid.Nil)
	require.ErrorContains(t, err, "initial_password")
	// Nothing half-applied remains.
	var n int64
	require.NoError(t, db.App.Gorm.Raw(`SELECT count(*) FROM tenants`).Scan(&n).Error)
	require.Zero(t, n)
}

func TestLoadDirRejectsUnknownFieldsAndBadValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(body string) error {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(body), 0o600))
		_, _, err := tenant.LoadDir(dir)
		return err
	}
	good := "slug: s1\nname: S\nkind: school\nregion: uk\ncontract: {reference: R, starts_on: \"2026-01-01\"}\nschools: [{slug: s1, name: S}]\nadmins: [{email: a@s.example, display_name: A}]\n"
	require.NoError(t, write(good))
	require.ErrorContains(t, write(good+"colour: blue\n"), "colour")
	require.ErrorContains(t, write(replace(good, "region: uk", "region: us")), "region")
	require.ErrorContains(t, write(replace(good, "kind: school", "kind: college")), "kind")
	require.ErrorContains(t, write(replace(good, `starts_on: "2026-01-01"`, `starts_on: "next week"`)), "contract.starts_on")
	require.ErrorContains(t, write(replace(good, "schools: [{slug: s1, name: S}]", "schools: [{slug: s1, name: S}, {slug: s2, name: T}]")), "use kind: trust")
	require.ErrorContains(t, write(good+"time_zone: Mars/Olympus\n"), "time_zone")
	require.ErrorContains(t, write(good+"time_zone: UTC\n"), "time_zone", "a school is somewhere")
	require.ErrorContains(t, write(replace(good, "{slug: s1, name: S}", "{slug: s1, name: S, time_zone: Nowhere/At_All}")), "schools[0].time_zone")
	require.NoError(t, write(good+"time_zone: Europe/Dublin\n"))
	_, _, err := tenant.LoadDir(t.TempDir())
	require.ErrorContains(t, err, "no manifests")
}

// A deployment holds the regions it is configured for (LMS_REGIONS): a
// tenant of another region is refused before anything is written.
func TestTenantOfAnotherRegionIsRefused(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	svc := tenant.NewService(db.App, nil, true)
	svc.Regions = []string{"uk"}
	ms, files, err := tenant.LoadDir(filepath.Join("..", "..", "..", "tenants"))
	require.NoError(t, err)
	refused := 0
	for _, f := range files {
		if ms[f].Region == "uk" {
			continue
		}
		_, err = svc.Apply(context.Background(), ms[f], uuid.Nil)
		require.ErrorContains(t, err, "LMS_REGIONS")
		refused++
	}
	require.Positive(t, refused, "the shipped manifests include a tenant outside the UK")
	var n int64
	require.NoError(t, db.App.Gorm.Raw(`SELECT count(*) FROM tenants`).Scan(&n).Error)
	require.Zero(t, n)
}
