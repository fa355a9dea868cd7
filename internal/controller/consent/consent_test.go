package consent_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type bundle struct {
	e                     *apptest.Env
	svc                   *consent.Service
	child, guardian, teen uuid.UUID
	adult                 uuid.UUID
	admin                 access.Scope
}

func setup(t *testing.T) bundle {
	e := apptest.New(t)
	b := bundle{e: e, svc: e.App.Consents, admin: access.Member(e.A.ID, e.A.AdminID)}
	require.NoError(t, access.Transact(context.Background(), e.App.DB, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		mk := func(user, role string, born *time.Time) uuid.UUID {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: user, DisplayName: user})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, e.A.ID, p.ID, identity.Role(role), nil)
			require.NoError(t, err)
			if born != nil {
				require.NoError(t, tx.Exec(`UPDATE people SET birth_date = ? WHERE id = ?`, *born, p.ID).Error)
			}
			return p.ID
		}
		nine := time.Now().AddDate(-9, 0, 0)
		fifteen := time.Now().AddDate(-15, 0, 0)
		b.child, b.teen = mk("child", "learner", &nine), mk("teen", "learner", &fifteen)
		b.guardian = mk("parent", "guardian", nil)
		b.adult = mk("adult", "learner", nil) // no date of birth recorded
		return nil
	}))
	return b
}

func recipients(t *testing.T, b bundle, purpose string) []uuid.UUID {
	rs, err := b.svc.Recipients(context.Background(), b.admin, purpose, database.Page{})
	require.NoError(t, err)
	var ids []uuid.UUID
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// A child's consent without a guardian is refused; a linked guardian's is
// accepted; withdrawal stops the processing that depended on it at once.
func TestChildNeedsGuardianAndWithdrawalStopsProcessing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	give := consent.Change{Purpose: "optional-communications", Given: true}
	child, guardian := access.Member(b.e.A.ID, b.child), access.Member(b.e.A.ID, b.guardian)

	_, err := b.svc.Set(ctx, child, b.child, give)
	require.ErrorIs(t, err, errs.ErrForbidden, "a child under 13 cannot consent alone")
	paper := give
	paper.Method = "paper"
	_, err = b.svc.Set(ctx, b.admin, b.child, paper)
	require.ErrorIs(t, err, errs.ErrInvalid, "an admin's record for a child must name the guardian")
	_, err = b.svc.Set(ctx, guardian, b.child, give)
	require.ErrorIs(t, err, errs.ErrForbidden, "not yet linked")
	require.NotContains(t, recipients(t, b, give.Purpose), b.child)

	require.NoError(t, b.svc.LinkGuardian(ctx, b.admin, b.guardian, b.child))
	kids, err := b.svc.Children(ctx, guardian)
	require.NoError(t, err)
	require.Len(t, kids, 1)
	r, err := b.svc.Set(ctx, guardian, b.child, give)
	require.NoError(t, err)
	require.Equal(t, "guardian", string(r.ByRelation))
	require.Equal(t, "2026-09", r.WordingVersion)
	require.Contains(t, recipients(t, b, give.Purpose), b.child)

	// The child may withdraw themselves: as easy as giving.
	_, err = b.svc.Set(ctx, child, b.child, consent.Change{Purpose: give.Purpose, Given: false})
	require.NoError(t, err)
	require.NotContains(t, recipients(t, b, give.Purpose), b.child)
	states, err := b.svc.States(ctx, guardian, b.child)
	require.NoError(t, err)
	for _, s := range states {
		require.False(t, s.Given, s.Purpose.Key)
	}

	// Someone with no date of birth recorded consents for themselves.
	_, err = b.svc.Set(ctx, access.Member(b.e.A.ID, b.adult), b.adult, give)
	require.NoError(t, err)
	require.Contains(t, recipients(t, b, give.Purpose), b.adult)

	// A 15-year-old consents for themselves; restriction takes them out.
	_, err = b.svc.Set(ctx, access.Member(b.e.A.ID, b.teen), b.teen, give)
	require.NoError(t, err)
	require.Contains(t, recipients(t, b, give.Purpose), b.teen)
	require.NoError(t, b.e.App.Subjects.Restrict(ctx, b.admin, b.teen, "contests accuracy"))
	require.NotContains(t, recipients(t, b, give.Purpose), b.teen)

	// Another tenant sees nothing of it.
	_, err = b.svc.States(ctx, access.Member(b.e.B.ID, b.e.B.AdminID), b.child)
	require.ErrorIs(t, err, errs.ErrNotFound)
	rs, err := b.svc.Recipients(ctx, access.Member(b.e.B.ID, b.e.B.AdminID), give.Purpose, database.Page{})
	require.NoError(t, err)
	require.Empty(t, rs)
	_, err = b.svc.Set(ctx, b.admin, b.child, consent.Change{Purpose: "mind-reading", Given: true})
	require.ErrorIs(t, err, errs.ErrInvalid)
}
