package roster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// extrasBundle is a tenant with one school and a OneRoster 1.2 export of
// it: a teacher, two pupils (one aged nine), a guardian linked through
// agentSourcedIds, birth dates, and terms.
type extrasBundle struct {
	e      *apptest.Env
	ctx    context.Context
	admin  access.Scope
	school uuid.UUID
	nine   string // the nine-year-old's birth date
}

func setupExtras(t *testing.T) *extrasBundle {
	t.Helper()
	e := apptest.New(t)
	b := &extrasBundle{e: e, ctx: context.Background(), admin: access.Member(e.A.ID, e.A.AdminID),
		nine: time.Now().UTC().AddDate(-9, 0, -10).Format(time.DateOnly)}
	b.q(t, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM schools WHERE slug = ?`, e.A.SchoolSlug).Row().Scan(&b.school)
	})
	return b
}

// q runs fn in tenant A's scope.
func (b *extrasBundle) q(t *testing.T, fn func(tx *gorm.DB) error) {
	t.Helper()
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test"), fn))
}

// crlf writes CSV lines as a Windows export does, with a byte-order mark.
func crlf(lines ...string) []byte { return []byte("\ufeff" + strings.Join(lines, "\r\n") + "\r\n") }

func (b *extrasBundle) files(slug string) map[string][]byte {
	return map[string][]byte{
		roster.UsersFile: crlf(
			"sourcedId,status,enabledUser,username,givenName,familyName,middleName,preferredFirstName,preferredLastName,identifier,email,agentSourcedIds",
			`p1,active,true,sian.obrien,Siân,O'Brien,Mary,,,A123456789012,,g1`,
			`p2,active,true,lukasz.nowak,Łukasz,Nowak,,Luke,,B123456789012,,`,
			`t1,active,true,zoe.smith,Zoë,Smith,,,,,zoe@example.org,`,
			`g1,active,true,gwen.obrien,Gwen,O'Brien,,,,,gwen@example.org,p1`),
		roster.RolesFile: crlf(
			"sourcedId,status,userSourcedId,roleType,role,orgSourcedId",
			"r1,,p1,primary,student,"+slug, "r2,,p2,primary,student,"+slug, "r3,,t1,primary,teacher,"+slug, "r4,,g1,primary,guardian,"+slug),
		roster.DemographicsFile: crlf(
			"sourcedId,status,birthDate,sex,hispanicOrLatinoEthnicity",
			"p1,,"+b.nine+",female,false", "p2,,2000-01-01,male,false"),
		roster.AcademicSessionsFile: crlf(
			"sourcedId,status,title,type,startDate,endDate,parentSourcedId,schoolYear",
			"y1,,2026/27,schoolYear,2026-09-01,2027-07-20,,2027",
			`t-aut,,"Autumn, 2026",term,2026-09-01,2026-12-18,y1,2027`,
			"t-spr,,Spring 2027,term,2027-01-05,2027-03-31,y1,2027"),
		roster.ClassesFile: crlf(
			"sourcedId,status,title,schoolSourcedId,termSourcedIds",
			`c1,,"Year 5 Science, Set 1",`+slug+`,"t-aut,t-spr"`),
		roster.EnrollmentsFile: crlf(
			"sourcedId,status,classSourcedId,userSourcedId,role",
			"e1,,c1,p1,student", "e2,,c1,p2,student", "e3,,c1,t1,teacher"),
	}
}

func (b *extrasBundle) person(t *testing.T, ext string) (id uuid.UUID) {
	t.Helper()
	b.q(t, func(tx *gorm.DB) error {
		var ids []uuid.UUID
		err := tx.Raw(`SELECT id FROM people WHERE external_id = ?`, ext).Pluck("id", &ids).Error
		if len(ids) > 0 {
			id = ids[0]
		}
		return err
	})
	return id
}

func TestRosterExtras(t *testing.T) {
	t.Parallel()
	b := setupExtras(t)
	e, ctx := b.e, b.ctx

	// Guardian accounts off (the default): the guardian is skipped with one
	// warning; everyone else, with names, birth dates and terms, arrives.
	rec, err := e.App.Roster.Import(ctx, b.admin, b.files(e.A.SchoolSlug), false)
	require.NoError(t, err)
	require.Equal(t, 3, rec.Counts.People.Created)
	require.Equal(t, 0, rec.Counts.Guardianships.Created)
	require.Equal(t, 3, rec.Counts.Terms.Created)
	require.Equal(t, uuid.Nil, b.person(t, "g1"), "no guardian account while the school has them off")
	var warned int
	for _, w := range rec.Warnings {
		if strings.Contains(w.Message, "parents and carers were not imported") {
			warned++
		}
	}
	require.Equal(t, 1, warned, "%v", rec.Warnings)

	t.Run("names kept as given, preferred shown", func(t *testing.T) {
		type names struct {
			DisplayName, GivenName, FamilyName string
			MiddleName, PreferredName          *string
			PupilNumber                        string
		}
		get := func(ext string) (n names) {
			b.q(t, func(tx *gorm.DB) error {
				return tx.Raw(`SELECT display_name, given_name, family_name, middle_name, preferred_name, pupil_number FROM people WHERE external_id = ?`, ext).Scan(&n).Error
			})
			return n
		}
		mary, luke := "Mary", "Luke"
		require.Equal(t, names{"Siân O'Brien", "Siân", "O'Brien", &mary, nil, "A123456789012"}, get("p1"))
		require.Equal(t, names{"Luke Nowak", "Łukasz", "Nowak", nil, &luke, "B123456789012"}, get("p2"))
		require.Equal(t, "Zoë Smith", get("t1").DisplayName)
	})

	t.Run("birth dates feed the under-13 rule; nothing else of demographics is kept", func(t *testing.T) {
		var born time.Time
		b.q(t, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT birth_date FROM people WHERE external_id = 'p1'`).Scan(&born).Error
		})
		require.Equal(t, b.nine, born.Format(time.DateOnly))
		child := b.person(t, "p1")
		_, err := e.App.Consents.Set(ctx, access.Member(e.A.ID, child), child, consent.Change{Purpose: "photo-video", Given: true})
		require.ErrorIs(t, err, errs.ErrForbidden, "a rostered nine-year-old cannot consent alone")
		adult := b.person(t, "p2")
		_, err = e.App.Consents.Set(ctx, access.Member(e.A.ID, adult), adult, consent.Change{Purpose: "photo-video", Given: true})
		require.NoError(t, err)
		var cols []string
		b.q(t, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT column_name FROM information_schema.columns WHERE table_name = 'people' AND column_name IN ('sex', 'ethnicity', 'hispanic_or_latino_ethnicity')`).Scan(&cols).Error
		})
		require.Empty(t, cols)
	})

	t.Run("terms stored and the class follows its last term", func(t *testing.T) {
		ends := func() (d time.Time) {
			b.q(t, func(tx *gorm.DB) error {
				return tx.Raw(`SELECT t.ends_on FROM courses c JOIN terms t ON t.id = c.term_id WHERE c.external_id = 'c1'`).Scan(&d).Error
			})
			return d
		}
		require.Equal(t, "2027-03-31", ends().Format(time.DateOnly))
		var parents int
		b.q(t, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM terms t JOIN terms y ON y.id = t.parent_id WHERE y.external_id = 'y1'`).Scan(&parents).Error
		})
		require.Equal(t, 2, parents)
		files := b.files(e.A.SchoolSlug)
		files[roster.AcademicSessionsFile] = []byte(strings.Replace(string(files[roster.AcademicSessionsFile]), "2027-03-31", "2027-04-02", 1))
		rec, err := e.App.Roster.Import(ctx, b.admin, files, false)
		require.NoError(t, err)
		require.Equal(t, 1, rec.Counts.Terms.Updated)
		require.Equal(t, "2027-04-02", ends().Format(time.DateOnly))
	})

	t.Run("a bad birth date names its file, line and column", func(t *testing.T) {
		files := b.files(e.A.SchoolSlug)
		files[roster.DemographicsFile] = crlf("sourcedId,birthDate", "p1,2015-13-01")
		_, err := e.App.Roster.Import(ctx, b.admin, files, false)
		rej, ok := roster.AsRejected(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, []roster.Issue{{File: roster.DemographicsFile, Line: 2, Field: "birthDate", Message: "must be a date written YYYY-MM-DD"}}, rej.Import.Errors)
	})

	// Guardian accounts on: the guardian arrives, linked, and gives consent
	// for their child.
	require.NoError(t, e.App.Roster.SetGuardians(ctx, b.admin, b.school, true))
	rec, err = e.App.Roster.Import(ctx, b.admin, b.files(e.A.SchoolSlug), false)
	require.NoError(t, err)
	require.Equal(t, 1, rec.Counts.People.Created)
	require.Equal(t, 1, rec.Counts.Guardianships.Created)
	g, child := b.person(t, "g1"), b.person(t, "p1")
	require.NotEqual(t, uuid.Nil, g)
	r, err := e.App.Consents.Set(ctx, access.Member(e.A.ID, g), child, consent.Change{Purpose: "photo-video", Given: true})
	require.NoError(t, err)
	require.Equal(t, consent.ByGuardian, r.ByRelation)
	kids, err := e.App.Consents.Children(ctx, access.Member(e.A.ID, g))
	require.NoError(t, err)
	require.Equal(t, []consent.Child{{ID: child, DisplayName: "Siân O'Brien"}}, kids)

	rec, err = e.App.Roster.Import(ctx, b.admin, b.files(e.A.SchoolSlug), false)
	require.NoError(t, err)
	require.Equal(t, roster.Tally{Unchanged: 1}, rec.Counts.Guardianships, "a re-import changes nothing")
	require.Equal(t, 0, rec.Counts.People.Created+rec.Counts.People.Updated)

	t.Run("a guardian's own row changes are applied", func(t *testing.T) {
		files := b.files(e.A.SchoolSlug)
		files[roster.UsersFile] = []byte(strings.Replace(string(files[roster.UsersFile]), "g1,active,true,gwen.obrien,Gwen,", "g1,active,true,gwen.obrien,Gwendolyn,", 1))
		rec, err := e.App.Roster.Import(ctx, b.admin, files, false)
		require.NoError(t, err)
		require.Equal(t, 1, rec.Counts.People.Updated)
		require.Zero(t, rec.Counts.People.Skipped)
		var name string
		b.q(t, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT display_name FROM people WHERE external_id = 'g1'`).Scan(&name).Error
		})
		require.Equal(t, "Gwendolyn O'Brien", name)
	})

	t.Run("a bulk file that lists the guardian does not end them", func(t *testing.T) {
		files := b.files(e.A.SchoolSlug)
		files[roster.ManifestFile] = crlf("propertyName,value", "manifest.version,1.0", "file.users,bulk", "file.roles,bulk")
		rec, err := e.App.Roster.Import(ctx, b.admin, files, false)
		require.NoError(t, err)
		require.Equal(t, roster.Applied, rec.Status, "not held by the safety limit: nobody ends")
		require.Zero(t, rec.Counts.People.Removed)
		var status string
		b.q(t, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT status FROM people WHERE external_id = 'g1'`).Scan(&status).Error
		})
		require.Equal(t, "active", status)
	})

	t.Run("a link the file drops goes; one made by hand stays", func(t *testing.T) {
		other := b.person(t, "p2")
		require.NoError(t, e.App.Consents.LinkGuardian(ctx, b.admin, g, other))
		files := map[string][]byte{roster.UsersFile: crlf(
			"sourcedId,username,givenName,familyName,agentSourcedIds",
			"p1,sian.obrien,Siân,O'Brien,", "p2,lukasz.nowak,Łukasz,Nowak,", "g1,gwen.obrien,Gwen,O'Brien,")}
		rec, err := e.App.Roster.Import(ctx, b.admin, files, false)
		require.NoError(t, err)
		require.Equal(t, 1, rec.Counts.Guardianships.Removed)
		kids, err := e.App.Consents.Children(ctx, access.Member(e.A.ID, g))
		require.NoError(t, err)
		require.Equal(t, []consent.Child{{ID: other, DisplayName: "Łukasz Nowak"}}, kids)
	})

	t.Run("tenant B is untouched", func(t *testing.T) {
		var n int64
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.B.ID, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT (SELECT count(*) FROM terms) + (SELECT count(*) FROM people WHERE given_name IS NOT NULL OR birth_date IS NOT NULL)
				+ (SELECT count(*) FROM guardianships) + (SELECT count(*) FROM schools WHERE roster_guardians)`).Scan(&n).Error
		}))
		require.Zero(t, n)
		var terms int64
		b.q(t, func(tx *gorm.DB) error { return tx.Raw(`SELECT count(*) FROM terms`).Scan(&terms).Error })
		require.EqualValues(t, 3, terms, "tenant A sees only its own terms")
	})
}
