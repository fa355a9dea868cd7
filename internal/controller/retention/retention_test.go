package retention_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Expired activity goes and leavers are erased once the school has seen a
// dry run and switched enforcement on; a legal hold keeps what it names;
// another tenant is untouched.
func TestRetentionDryRunThenEnforce(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	svc := e.App.Retention
	admin := access.Member(e.A.ID, e.A.AdminID)
	people := map[uuid.UUID]map[string]uuid.UUID{}
	course := map[uuid.UUID]uuid.UUID{}
	for _, tn := range []uuid.UUID{e.A.ID, e.B.ID} {
		people[tn] = map[string]uuid.UUID{}
		require.NoError(t, access.Transact(ctx, e.App.DB, access.System(tn, "test"), func(tx *gorm.DB) error {
			var school uuid.UUID
			if err := tx.Raw(`SELECT id FROM schools LIMIT 1`).Row().Scan(&school); err != nil {
				return err
			}
			course[tn] = uuid.Must(uuid.NewV7())
			if err := tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, 'C', 'published')`, tn, course[tn], school).Error; err != nil {
				return err
			}
			for _, u := range []string{"active", "held", "leaver", "held-leaver"} {
				p, err := identity.CreatePersonTx(tx, tn, identity.NewPerson{Username: u, DisplayName: u})
				require.NoError(t, err)
				_, err = identity.AssignRoleTx(tx, tn, p.ID, "learner", &school)
				require.NoError(t, err)
				people[tn][u] = p.ID
				if err := tx.Exec(`INSERT INTO activity_events (tenant_id, id, person_id, course_id, kind, occurred_at)
					SELECT ?, gen_random_uuid(), ?, ?, 'access', now() - make_interval(months => g, days => 1) FROM generate_series(0, 23) g`, tn, p.ID, course[tn]).Error; err != nil {
					return err
				}
			}
			return tx.Exec(`UPDATE people SET left_on = current_date - 1000 WHERE username IN ('leaver', 'held-leaver')`).Error
		}))
	}
	pA := people[e.A.ID]
	for _, p := range []uuid.UUID{pA["held"], pA["held-leaver"]} {
		_, err := svc.PlaceHold(ctx, admin, retention.NewHold{PersonID: &p, Reason: "insurance claim"})
		require.NoError(t, err)
	}
	_, err := svc.PlaceHold(ctx, admin, retention.NewHold{Reason: "no target"})
	require.ErrorIs(t, err, errs.ErrInvalid)
	require.ErrorIs(t, svc.Set(ctx, admin, "activity", 5000), errs.ErrInvalid)
	require.NoError(t, svc.Set(ctx, admin, "activity", 6))
	sts, err := svc.Settings(ctx, admin)
	require.NoError(t, err)
	for _, st := range sts {
		require.Positive(t, st.Category.Months, "default of %s from policies/retention.yaml", st.Category.Category)
		if st.Category.Category == "security-signals" {
			require.Equal(t, 3, st.Effective)
		}
	}

	// Nothing is enforced before the school switches it on, which needs a dry run.
	r, err := svc.Enforce(ctx, e.A.ID)
	require.NoError(t, err)
	require.Zero(t, r.Rows)
	require.ErrorIs(t, svc.Enable(ctx, admin), errs.ErrConflict)
	dry, err := svc.DryRun(ctx, admin)
	require.NoError(t, err)
	var act retention.Line
	for _, l := range dry.Report {
		if l.Category == "activity" {
			act = l
		}
	}
	require.Equal(t, 6, act.Months)
	require.EqualValues(t, 4*18, act.Expired) // months 6..23 of four people
	require.EqualValues(t, 2*18, act.Held)
	require.NoError(t, svc.Enable(ctx, admin))

	r, err = svc.Enforce(ctx, e.A.ID)
	require.NoError(t, err)
	require.Greater(t, r.Rows, int64(0))
	count := func(tn uuid.UUID, q string, args ...any) (n int64) {
		require.NoError(t, access.Transact(ctx, e.App.DB, access.System(tn, "test"), func(tx *gorm.DB) error { return tx.Raw(q, args...).Row().Scan(&n) }))
		return n
	}
	old := `SELECT count(*) FROM activity_events WHERE person_id = ? AND occurred_at < now() - interval '6 months'`
	require.Zero(t, count(e.A.ID, old, pA["active"]))
	require.EqualValues(t, 18, count(e.A.ID, old, pA["held"]))
	require.EqualValues(t, 6, count(e.A.ID, `SELECT count(*) FROM activity_events WHERE person_id = ?`, pA["active"]))
	require.Zero(t, count(e.A.ID, `SELECT count(*) FROM people WHERE id = ?`, pA["leaver"]), "the leaver is erased")
	require.EqualValues(t, 1, count(e.A.ID, `SELECT count(*) FROM people WHERE id = ?`, pA["held-leaver"]), "a held leaver stays")
	// Tenant B has not switched anything on: all of its rows remain.
	require.EqualValues(t, 4*24, count(e.B.ID, `SELECT count(*) FROM activity_events`))
	st, err := svc.Status(ctx, admin)
	require.NoError(t, err)
	require.NotNil(t, st.EnabledAt)
	require.Len(t, st.Runs, 2)
	stB, err := svc.Status(ctx, access.Member(e.B.ID, e.B.AdminID))
	require.NoError(t, err)
	require.Nil(t, stB.EnabledAt)
	require.Empty(t, stB.Runs)
}
