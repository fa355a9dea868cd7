package roster_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/lms/roster/rostertest"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// exportBundle is tenant A made a trust of two schools, the export a UK
// MIS sync tool would deliver for it, and an admin scope of each tenant.
type exportBundle struct {
	e       *apptest.Env
	opts    rostertest.Options
	set     *rostertest.Set
	slugs   []string
	scA     access.Scope
	scB     access.Scope
	ctx     context.Context
	schools []uuid.UUID
}

func setupExport(t *testing.T) *exportBundle {
	t.Helper()
	e := apptest.New(t)
	ctx := context.Background()
	m := apptest.Manifest(e.A.Slug, "uk")
	m.Kind = "trust"
	slugs := []string{e.A.SchoolSlug, e.A.Slug + "-primary"}
	m.Schools = []tenant.SchoolSpec{{Slug: slugs[0], Name: "Oakwood Academy, Leeds"}, {Slug: slugs[1], Name: "St Mary's Catholic Primary School"}}
	_, err := e.App.Tenants.Apply(ctx, m, uuid.Nil)
	require.NoError(t, err)
	b := &exportBundle{e: e, slugs: slugs, ctx: ctx, scA: access.Member(e.A.ID, e.A.AdminID), scB: access.Member(e.B.ID, e.B.AdminID)}
	for _, s := range slugs {
		b.schools = append(b.schools, b.one(t, `SELECT id FROM schools WHERE slug = ?`, s))
	}
	b.opts = rostertest.Options{Schools: 2, People: 600, Seed: 24, OrgIDs: "slug", SchoolSlugs: slugs}
	b.set = rostertest.Generate(b.opts)
	return b
}

// one reads one value in tenant A.
func (b *exportBundle) one(t *testing.T, q string, args ...any) (id uuid.UUID) {
	t.Helper()
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(q, args...).Row().Scan(&id)
	}))
	return id
}

// count counts in a tenant's scope.
func (b *exportBundle) count(t *testing.T, tenantID uuid.UUID, q string, args ...any) (n int64) {
	t.Helper()
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(tenantID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(q, args...).Row().Scan(&n)
	}))
	return n
}

// A realistic export (two schools of a trust, BOM, CRLF, quoted commas,
// names beyond ASCII) imports whole, keeps its names exactly, imports
// again as a no-op, and reaches nothing of tenant B.
func TestRosterRealExport(t *testing.T) {
	t.Parallel()
	b := setupExport(t)
	files := b.set.BulkFiles()
	pupils := len(b.set.Pupils(-1))

	rec, err := b.e.App.Roster.Import(b.ctx, b.scA, files, false)
	require.NoError(t, err)
	require.Equal(t, roster.Applied, rec.Status)
	require.Zero(t, rec.ErrorCount)
	require.GreaterOrEqual(t, rec.Counts.People.Created, pupils, "every pupil is created")
	require.GreaterOrEqual(t, rec.Counts.Enrolments.Created, pupils*6)

	t.Run("names are kept as the file spells them", func(t *testing.T) {
		seen := map[string]bool{}
		for _, p := range b.set.People {
			if p.Role != "student" {
				continue
			}
			for _, want := range []string{"Nguyễn", "O'Brien", "Smith, Jr", "Łukasz", "Siân", "Zoë"} {
				if p.FamilyName != want && p.GivenName != want && p.PreferredGivenName != want {
					continue
				}
				given := p.GivenName
				if p.PreferredGivenName != "" {
					given = p.PreferredGivenName
				}
				n := b.count(t, b.e.A.ID, `SELECT count(*) FROM people WHERE external_id = ? AND display_name = ?`, p.SourcedID, given+" "+p.FamilyName)
				require.EqualValues(t, 1, n, "%s %s", given, p.FamilyName)
				seen[want] = true
			}
		}
		require.Len(t, seen, 6, "the export holds every awkward name")
		require.EqualValues(t, 1, b.count(t, b.e.A.ID, `SELECT count(*) FROM courses WHERE title = 'Year 7 Mathematics, Set 1' AND school_id = ?`, b.schools[0]),
			"a quoted comma stays inside its field")
	})

	t.Run("pupils are placed in their own school", func(t *testing.T) {
		for i := range b.schools {
			want := len(b.set.Pupils(i))
			n := b.count(t, b.e.A.ID, `SELECT count(DISTINCT person_id) FROM role_assignments WHERE role = 'learner' AND school_id = ?`, b.schools[i])
			require.EqualValues(t, want, n)
		}
	})

	t.Run("the same export again changes nothing", func(t *testing.T) {
		again, err := b.e.App.Roster.Import(b.ctx, b.scA, b.set.BulkFiles(), false)
		require.NoError(t, err)
		require.Zero(t, again.Counts.People.Created+again.Counts.People.Updated)
		require.Zero(t, again.Counts.Enrolments.Created+again.Counts.Enrolments.Removed)
		require.Equal(t, rec.Counts.People.Created, again.Counts.People.Unchanged)
	})

	t.Run("tenant B reaches none of it", func(t *testing.T) {
		require.Zero(t, b.count(t, b.e.B.ID, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`))
		_, err := b.e.App.Roster.Import(b.ctx, b.scB, b.set.BulkFiles(), false)
		rej, ok := roster.AsRejected(err)
		require.True(t, ok, "A's schools are not B's: %v", err)
		require.NotZero(t, rej.Import.ErrorCount)
		require.Zero(t, b.count(t, b.e.B.ID, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`))
	})
}
