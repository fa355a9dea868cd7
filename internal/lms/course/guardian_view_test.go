package course_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// What a school shows parents: due and missing work until its admins
// choose (teachers may not change it, nor the other school's admin); a
// guardian is shown what their child's school allows, and for a child at
// two schools only what both allow; anyone else is told there is no such
// child.
func TestWhatParentsSee(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := enrolSetup(t) // the school's admin; a second school with its learner
	var school2, parent, rivalAdmin uuid.UUID
	require.NoError(t, access.Transact(ctx, b.db, access.System(b.c.Tenant, "test-setup"), func(tx *gorm.DB) error {
		require.NoError(t, tx.Raw(`SELECT id FROM schools WHERE slug = 'rival'`).Row().Scan(&school2))
		mk := func(user string, role identity.Role, school uuid.UUID) uuid.UUID {
			p, err := identity.CreatePersonTx(tx, b.c.Tenant, identity.NewPerson{Username: user, DisplayName: user})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, b.c.Tenant, p.ID, role, &school)
			require.NoError(t, err)
			return p.ID
		}
		parent, rivalAdmin = mk("parent", identity.RoleGuardian, b.c.School), mk("rival-admin", identity.RoleAdmin, school2)
		return tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id) VALUES (?, ?, ?)`, b.c.Tenant, parent, b.c.Learner.ID).Error
	}))
	admin, teacher := access.Member(b.c.Tenant, b.admin), b.c.Teacher.Scope(b.c.Tenant)
	guardian := access.Member(b.c.Tenant, parent)

	v, err := b.svc.GuardianView(ctx, teacher, b.c.School)
	require.NoError(t, err)
	require.Equal(t, course.GuardianView{Due: true, Missing: true}, v, "the default")
	v, err = b.svc.GuardianViewFor(ctx, guardian, b.c.Learner.ID)
	require.NoError(t, err)
	require.Equal(t, course.GuardianView{Due: true, Missing: true}, v)

	all := course.GuardianView{Due: true, Missing: true, Marks: true}
	require.ErrorIs(t, b.svc.SetGuardianView(ctx, teacher, b.c.School, all), errs.ErrForbidden)
	require.ErrorIs(t, b.svc.SetGuardianView(ctx, access.Member(b.c.Tenant, rivalAdmin), b.c.School, all), errs.ErrForbidden, "another school's admin")
	require.NoError(t, b.svc.SetGuardianView(ctx, admin, b.c.School, all))
	v, err = b.svc.GuardianViewFor(ctx, guardian, b.c.Learner.ID)
	require.NoError(t, err)
	require.Equal(t, all, v)

	// The child also learns at the second school, which shows due work only.
	require.NoError(t, b.svc.SetGuardianView(ctx, access.Member(b.c.Tenant, rivalAdmin), school2, course.GuardianView{Due: true}))
	require.NoError(t, access.Transact(ctx, b.db, access.System(b.c.Tenant, "test-setup"), func(tx *gorm.DB) error {
		_, err := identity.AssignRoleTx(tx, b.c.Tenant, b.c.Learner.ID, identity.RoleLearner, &school2)
		return err
	}))
	v, err = b.svc.GuardianViewFor(ctx, guardian, b.c.Learner.ID)
	require.NoError(t, err)
	require.Equal(t, course.GuardianView{Due: true}, v, "what both schools allow")

	for _, sc := range []access.Scope{teacher, admin, b.c.Learner2.Scope(b.c.Tenant)} {
		_, err = b.svc.GuardianViewFor(ctx, sc, b.c.Learner.ID)
		require.ErrorIs(t, err, errs.ErrNotFound)
	}
	_, err = b.svc.GuardianViewFor(ctx, guardian, b.c.Learner2.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "another family's child")
}
