package roster_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/lms/roster/rostertest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// exportBundle is tenant A made a trust of two schools, the export a UK
// MIS sync tool would deliver for it (GUID org ids matched by the DfE
// numbers recorded on the schools), and an admin scope of each tenant.
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
	// The export names its schools by GUID; the admin has recorded each
	// school's DfE number, which the file carries as identifier, and turned
	// guardian accounts on.
	b.opts = rostertest.Options{Schools: 2, People: 600, Seed: 24}
	b.set = rostertest.Generate(b.opts)
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		for i, s := range b.set.Schools {
			if err := tx.Exec(`UPDATE schools SET dfe_number = ? WHERE id = ?`, s.Identifier, b.schools[i]).Error; err != nil {
				return err
			}
		}
		return nil
	}))
	for _, id := range b.schools {
		require.NoError(t, e.App.Roster.SetGuardians(ctx, b.scA, id, true))
	}
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

// A realistic export (two schools of a trust with GUID org ids, BOM, CRLF,
// quoted commas, names beyond ASCII, guardians, birth dates) imports whole
// and keeps its names exactly; the same file again changes nothing; a full
// file without its leavers ends them (leaving date, no deletion); a delta
// changes only what it lists; a full file ending more than a tenth of a
// school waits for an admin; birth dates keep a child from consenting
// alone and the file's guardians consent for them. Tenant B sees none of
// it and cannot confirm A's held import.
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
		require.Zero(t, again.Counts.People.Removed)
		require.Zero(t, again.Counts.Enrolments.Created+again.Counts.Enrolments.Removed)
		// Guardians are counted as created on the first import but not as
		// unchanged on the second (reported); the rest must all be unchanged.
		require.GreaterOrEqual(t, again.Counts.People.Unchanged, pupils)
	})

	t.Run("the orgs are matched by DfE number and remembered", func(t *testing.T) {
		for i, s := range b.set.Schools {
			require.EqualValues(t, 1, b.count(t, b.e.A.ID, `SELECT count(*) FROM schools WHERE id = ? AND external_id = ?`, b.schools[i], s.SourcedID))
		}
	})

	// Leavers: absent from the next full file, they are ended, not deleted.
	leavers := b.opts
	leavers.Leavers = 6
	left := rostertest.Generate(leavers)
	t.Run("a bulk file without its leavers ends them and deletes no one", func(t *testing.T) {
		before := b.count(t, b.e.A.ID, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`)
		rec, err := b.e.App.Roster.Import(b.ctx, b.scA, left.BulkFiles(), false)
		require.NoError(t, err)
		require.Equal(t, roster.Applied, rec.Status)
		require.GreaterOrEqual(t, rec.Counts.People.Removed, len(left.Leavers))
		for _, p := range left.Leavers {
			require.EqualValues(t, 1, b.count(t, b.e.A.ID, `SELECT count(*) FROM people WHERE external_id = ? AND status = 'suspended' AND left_on = current_date`, p.SourcedID),
				"a leaver is suspended with a leaving date")
			require.Zero(t, b.count(t, b.e.A.ID, `SELECT count(*) FROM enrolments e JOIN people p ON p.tenant_id = e.tenant_id AND p.id = e.person_id WHERE p.external_id = ?`, p.SourcedID),
				"their enrolments are closed")
		}
		require.Equal(t, before, b.count(t, b.e.A.ID, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`), "no one is deleted")
		stayed := b.set.Pupils(0)[0]
		if left.Gone(stayed) {
			stayed = b.set.Pupils(0)[1]
		}
		require.EqualValues(t, 1, b.count(t, b.e.A.ID, `SELECT count(*) FROM people WHERE external_id = ? AND status = 'active' AND left_on IS NULL`, stayed.SourcedID))
	})

	// A delta file changes what it lists and nothing else.
	delta := leavers
	delta.Delta = 3
	d := rostertest.Generate(delta)
	t.Run("a delta file renames, ends enrolments and adds a joiner, leaving the rest", func(t *testing.T) {
		rec, err := b.e.App.Roster.Import(b.ctx, b.scA, d.DeltaFiles(), false)
		require.NoError(t, err)
		require.Equal(t, roster.Applied, rec.Status)
		require.Zero(t, rec.Counts.People.Removed, "a delta ends no one by leaving them out")
		for _, p := range d.DeltaRenamed {
			require.EqualValues(t, 1, b.count(t, b.e.A.ID, `SELECT count(*) FROM people WHERE external_id = ? AND display_name LIKE ?`, p.SourcedID, "% "+p.FamilyName))
		}
		for _, en := range d.DeltaEnded {
			require.Zero(t, b.count(t, b.e.A.ID, `SELECT count(*) FROM enrolments WHERE external_id = ?`, en.SourcedID), "status tobedeleted ends the enrolment")
		}
		require.EqualValues(t, len(d.DeltaJoiner.Enrolments), b.count(t, b.e.A.ID, `SELECT count(*) FROM enrolments e JOIN people p ON p.tenant_id = e.tenant_id AND p.id = e.person_id WHERE p.external_id = ?`, d.DeltaJoiner.SourcedID))
		require.EqualValues(t, len(b.set.Pupils(-1))-len(left.Leavers), b.count(t, b.e.A.ID, `SELECT count(*) FROM people p JOIN role_assignments r ON r.tenant_id = p.tenant_id AND r.person_id = p.id WHERE r.role = 'learner' AND p.status = 'active'`)-1,
			"everyone else is as they were, and the joiner is in")
	})

	// A full file that would end more than a tenth of a school is held.
	many := b.opts
	many.Leavers = len(b.set.Pupils(-1)) / 4
	mass := rostertest.Generate(many)
	t.Run("a bulk file over the safety limit waits for an admin", func(t *testing.T) {
		rec, err := b.e.App.Roster.Import(b.ctx, b.scA, mass.BulkFiles(), false)
		require.NoError(t, err)
		require.Equal(t, roster.Held, rec.Status)
		require.NotEmpty(t, rec.Held)
		for _, h := range rec.Held {
			require.Greater(t, h.Ending*100, h.Of*roster.EndLimit)
		}
		victim := mass.Leavers[len(mass.Leavers)-1]
		active := `SELECT count(*) FROM people WHERE external_id = ? AND status = 'active' AND left_on IS NULL`
		require.EqualValues(t, 1, b.count(t, b.e.A.ID, active, victim.SourcedID), "nothing is ended while held")

		_, err = b.e.App.Roster.Confirm(b.ctx, b.scB, rec.ID)
		require.Error(t, err, "tenant B cannot confirm A's import")
		require.EqualValues(t, 1, b.count(t, b.e.A.ID, active, victim.SourcedID))

		done, err := b.e.App.Roster.Confirm(b.ctx, b.scA, rec.ID)
		require.NoError(t, err)
		require.Equal(t, roster.Applied, done.Status)
		require.Zero(t, b.count(t, b.e.A.ID, active, victim.SourcedID), "confirmed, the leavers are ended")
	})

	// A child of the primary school with a guardian in the file, still
	// there after the leavers.
	var child, guardian *rostertest.Person
	for _, p := range b.set.Pupils(1) {
		if len(p.Agents) > 0 && !mass.Gone(p) {
			child, guardian = p, p.Agents[0]
			break
		}
	}
	require.NotNil(t, child, "the export has a primary pupil with a guardian")
	childID := b.one(t, `SELECT id FROM people WHERE external_id = ?`, child.SourcedID)
	give := consent.Change{Purpose: "optional-communications", Given: true}

	t.Run("birth dates feed the under-13 rule", func(t *testing.T) {
		require.EqualValues(t, 1, b.count(t, b.e.A.ID, `SELECT count(*) FROM people WHERE id = ? AND birth_date = ?::date`, childID, child.BirthDate))
		_, err := b.e.App.Consents.Set(b.ctx, access.Member(b.e.A.ID, childID), childID, give)
		require.ErrorIs(t, err, errs.ErrForbidden, "a pupil of %s cannot consent alone", child.BirthDate)
	})

	t.Run("guardians from the file can consent for their children", func(t *testing.T) {
		guardianID := b.one(t, `SELECT id FROM people WHERE external_id = ?`, guardian.SourcedID)
		require.EqualValues(t, 1, b.count(t, b.e.A.ID, `SELECT count(*) FROM guardianships WHERE guardian_id = ? AND child_id = ?`, guardianID, childID))
		r, err := b.e.App.Consents.Set(b.ctx, access.Member(b.e.A.ID, guardianID), childID, give)
		require.NoError(t, err)
		require.Equal(t, consent.ByGuardian, r.ByRelation)
		require.Zero(t, b.count(t, b.e.B.ID, `SELECT count(*) FROM guardianships`), "tenant B has no guardianships")
	})

	t.Run("tenant B reaches none of it", func(t *testing.T) {
		require.Zero(t, b.count(t, b.e.B.ID, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`))
		_, err := b.e.App.Roster.Import(b.ctx, b.scB, b.set.BulkFiles(), false)
		rej, ok := roster.AsRejected(err)
		require.True(t, ok, "A's schools are not B's (B recorded no DfE numbers): %v", err)
		require.NotZero(t, rej.Import.ErrorCount)
		require.Zero(t, b.count(t, b.e.B.ID, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`))
	})
}
