package tenant_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// A trust's zone is its admins' to change; a school of it may keep its
// own, which its members see. A school's own admin changes only their
// school's, and a zone not on the list is refused by its field.
func TestZonesOfATrustAndItsSchools(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	svc := tenant.NewService(db.App, objtest.New(t), true)
	ms, files, err := tenant.LoadDir(filepath.Join("..", "..", "..", "tenants"))
	require.NoError(t, err)
	ctx := context.Background()
	var m tenant.Manifest
	for _, f := range files {
		if ms[f].Slug == "northern-lights-trust" {
			m = ms[f]
		}
	}
	res, err := svc.Apply(ctx, m, uuid.Nil)
	require.NoError(t, err)
	trust := res.TenantID
	l, err := svc.Zone(ctx, trust)
	require.NoError(t, err)
	require.Equal(t, "Europe/Dublin", l.String(), "from the manifest")

	var ceo, office, aurora, borealis uuid.UUID
	require.NoError(t, access.Transact(ctx, db.App, access.System(trust, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT (SELECT id FROM people WHERE username = 'ceo@nlt.example'), (SELECT id FROM people WHERE username = 'office@borealis.example'),
			(SELECT id FROM schools WHERE slug = 'aurora-primary'), (SELECT id FROM schools WHERE slug = 'borealis-secondary')`).Row().Scan(&ceo, &office, &aurora, &borealis)
	}))
	whole := access.Member(trust, ceo)
	schoolOnly := access.Member(trust, office).WithinSchools([]uuid.UUID{borealis})

	// Borealis keeps London time; its admin sees it, the trust's stays Dublin.
	require.NoError(t, svc.SetZones(ctx, schoolOnly, "", map[uuid.UUID]string{borealis: "Europe/London"}))
	l, err = svc.ZoneOf(ctx, schoolOnly, office)
	require.NoError(t, err)
	require.Equal(t, "Europe/London", l.String(), "the school's own zone")
	l, err = svc.ZoneOf(ctx, whole, ceo)
	require.NoError(t, err)
	require.Equal(t, "Europe/Dublin", l.String(), "a trust-wide admin sees the trust's")

	// The school's admin cannot change the trust's zone, nor another school's.
	require.ErrorIs(t, svc.SetZones(ctx, schoolOnly, "Europe/Paris", nil), errs.ErrForbidden)
	require.ErrorIs(t, svc.SetZones(ctx, schoolOnly, "", map[uuid.UUID]string{aurora: "Europe/Paris"}), errs.ErrNotFound)
	// A teacher of the school changes nothing (the page is admins' only,
	// and so is the service).
	var teacher uuid.UUID
	require.NoError(t, access.Transact(ctx, db.App, access.System(trust, "test"), func(tx *gorm.DB) error {
		p, err := identity.CreatePersonTx(tx, trust, identity.NewPerson{Username: "zt.teacher", DisplayName: "Zoe Teacher", Password: "zone-test-password"})
		if err == nil {
			_, err = identity.AssignRoleTx(tx, trust, p.ID, identity.RoleTeacher, &borealis)
		}
		teacher = p.ID
		return err
	}))
	require.ErrorIs(t, svc.SetZones(ctx, access.Member(trust, teacher), "", map[uuid.UUID]string{borealis: "Europe/Paris"}), errs.ErrForbidden)
	// Names not on the list are refused by field.
	err = svc.SetZones(ctx, whole, "Mars/Olympus", nil)
	var fe errs.FieldErrors
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "time_zone", fe[0].Field)

	// Back to the trust's zone.
	require.NoError(t, svc.SetZones(ctx, whole, "Europe/London", map[uuid.UUID]string{borealis: ""}))
	z, err := svc.ZonesOf(ctx, whole)
	require.NoError(t, err)
	require.Equal(t, "Europe/London", z.Tenant)
	for _, s := range z.Schools {
		require.Nil(t, s.TimeZone, s.Slug)
	}
	var stored string
	require.NoError(t, access.Transact(ctx, db.App, access.System(trust, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT time_zone FROM tenants WHERE id = ?`, trust).Row().Scan(&stored)
	}))
	require.Equal(t, "Europe/London", stored)
}
