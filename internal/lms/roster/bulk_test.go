package roster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// export is a small two-school OneRoster export of tenant A's trust, with
// GUID org ids as MIS sync tools write them: pupils p0..pN-1 of each
// school in one class, a teacher and a teaching assistant on it.
type export struct {
	pupils  int
	mode    roster.Mode // "" leaves manifest.csv out
	drop    map[string]bool
	deleted map[string]bool // users written with status tobedeleted
	orgs    []org
}

type org struct{ id, name, kind, ident, parent string }

const (
	trustGUID   = "0b9d3c1e-2a4f-4e55-9d7c-1a2b3c4d5e6f"
	schoolAGUID = "7f3e2d1c-0b9a-4c8d-8e7f-6a5b4c3d2e1f"
	schoolBGUID = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
)

func twoSchools() []org {
	return []org{
		{trustGUID, "Oak Trust", "district", "", ""},
		{schoolAGUID, "Oak Primary", "school", "3302000", trustGUID},
		{schoolBGUID, "Ash Academy, Upper", "school", "123456", trustGUID},
	}
}

func (x export) files() map[string][]byte {
	var users, roles, classes, enrols, orgs strings.Builder
	users.WriteString("\ufeffsourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,email\r\n")
	roles.WriteString("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId\r\n")
	classes.WriteString("sourcedId,status,dateLastModified,title,schoolSourcedId\r\n")
	enrols.WriteString("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,beginDate,endDate\r\n")
	orgs.WriteString("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n")
	for _, o := range x.orgs {
		fmt.Fprintf(&orgs, "%s,,,\"%s\",%s,%s,%s\r\n", o.id, o.name, o.kind, o.ident, o.parent)
	}
	user := func(id, given, role, school string) {
		if x.drop[id] {
			return
		}
		status := ""
		if x.deleted[id] {
			status = "tobedeleted"
		}
		fmt.Fprintf(&users, "%s,%s,,true,%s,\"%s\",O'Brien,\r\n", id, status, id, given)
		fmt.Fprintf(&roles, "r-%s,,,%s,primary,%s,,,%s\r\n", id, id, role, school)
	}
	for si, school := range []string{schoolAGUID, schoolBGUID} {
		class := fmt.Sprintf("cls-%d", si)
		fmt.Fprintf(&classes, "%s,,,\"Year 5, Set %d\",%s\r\n", class, si+1, school)
		for _, s := range []struct{ id, role, enrol string }{{fmt.Sprintf("t%d", si), "teacher", "teacher"}, {fmt.Sprintf("ta%d", si), "aide", "aide"}} {
			user(s.id, "Siân", s.role, school)
			if !x.drop[s.id] {
				fmt.Fprintf(&enrols, "e-%s,,,%s,%s,%s,%s,,\r\n", s.id, class, school, s.id, s.enrol)
			}
		}
		for i := range x.pupils {
			id := fmt.Sprintf("p%d-%d", si, i)
			user(id, "Zoë", "student", school)
			if !x.drop[id] {
				fmt.Fprintf(&enrols, "e-%s,,,%s,%s,%s,student,,\r\n", id, class, school, id)
			}
		}
		// An enrolment that begins next year is not made yet.
		fmt.Fprintf(&enrols, "e-later-%d,,,%s,%s,p%d-0,teacher,%s,\r\n", si, class, school, si, time.Now().AddDate(1, 0, 0).Format("2006-01-02"))
	}
	out := map[string][]byte{
		roster.UsersFile: []byte(users.String()), roster.RolesFile: []byte(roles.String()),
		roster.ClassesFile: []byte(classes.String()), roster.EnrollmentsFile: []byte(enrols.String()),
	}
	if len(x.orgs) > 0 {
		out[roster.OrgsFile] = []byte(orgs.String())
	}
	if x.mode != "" {
		var m strings.Builder
		m.WriteString("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\n")
		for _, f := range []string{"orgs", "users", "roles", "classes", "enrollments"} {
			fmt.Fprintf(&m, "file.%s,%s\r\n", f, x.mode)
		}
		m.WriteString("file.courses,absent\r\nfile.academicSessions,absent\r\nfile.demographics,absent\r\n")
		out[roster.ManifestFile] = []byte(m.String())
	}
	return out
}

type bundle struct {
	e   *apptest.Env
	ctx context.Context
	sc  access.Scope
}

// setup gives tenant A a second school and records the DfE number of one
// and the URN of the other, as an admin would.
func setup(t *testing.T) bundle {
	e := apptest.New(t)
	b := bundle{e: e, ctx: context.Background(), sc: access.Member(e.A.ID, e.A.AdminID)}
	b.exec(t, `UPDATE schools SET dfe_number = '330-2000' WHERE slug = ?`, e.A.SchoolSlug)
	b.exec(t, `INSERT INTO schools (tenant_id, id, slug, name, urn) VALUES (app_tenant_id(), ?, 'ash', 'Ash Academy', '123456')`, uuid.Must(uuid.NewV7()))
	return b
}

func (b bundle) exec(t *testing.T, q string, args ...any) {
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(q, args...).Error
	}))
}

func (b bundle) scan(t *testing.T, tenant uuid.UUID, out any, q string, args ...any) {
	require.NoError(t, access.Transact(b.ctx, b.e.DB.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
		return tx.Raw(q, args...).Scan(out).Error
	}))
}

func (b bundle) count(t *testing.T, q string, args ...any) (n int) {
	b.scan(t, b.e.A.ID, &n, q, args...)
	return n
}

func (b bundle) imp(t *testing.T, x export) roster.Import {
	rec, err := b.e.App.Roster.Import(b.ctx, b.sc, x.files(), false)
	if rej, ok := roster.AsRejected(err); ok {
		t.Fatalf("rejected: %+v", rej.Import.Errors)
	}
	require.NoError(t, err)
	return rec
}

// A two-school export naming its schools by GUID org ids imports: the
// orgs match by DfE number and URN and are remembered; the trust is the
// tenant; a teaching assistant teaches; again, it changes nothing.
func TestRosterOrgsByIdentifier(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x := export{pupils: 5, orgs: twoSchools()}
	rec := b.imp(t, x)
	require.Equal(t, roster.Applied, rec.Status)
	require.Empty(t, rec.Modes, "no manifest: every file read as delta")
	require.Equal(t, 14, rec.Counts.People.Created)
	require.Equal(t, 14, rec.Counts.Enrolments.Created, "the enrolment that begins next year waits")
	require.Equal(t, 2, rec.Counts.Enrolments.Skipped)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM schools WHERE external_id IN (?, ?)`, schoolAGUID, schoolBGUID))
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM enrolments e JOIN people p ON p.id = e.person_id WHERE p.external_id LIKE 'ta%' AND e.role = 'teacher'`))
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM role_assignments r JOIN people p ON p.id = r.person_id WHERE p.external_id LIKE 'ta%' AND r.role = 'teacher'`))

	// Remembered: the next file may leave the identifiers out.
	x.orgs[1].ident, x.orgs[2].ident = "", ""
	again := b.imp(t, x)
	require.Zero(t, again.Counts.People.Created+again.Counts.People.Updated+again.Counts.Enrolments.Created+again.Counts.Roles.Created)
	require.Equal(t, 14, again.Counts.People.Unchanged)

	var inB int
	b.scan(t, b.e.B.ID, &inB, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`)
	require.Zero(t, inB, "tenant B is untouched")
}

// An org that matches no school is one error naming it, however many rows
// refer to it.
func TestRosterUnknownOrgIsOneError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orgs := twoSchools()
	orgs[2].ident = "999999"
	_, err := b.e.App.Roster.Import(b.ctx, b.sc, export{pupils: 20, orgs: orgs}.files(), false)
	rej, ok := roster.AsRejected(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, 1, rej.Import.ErrorCount, "%+v", rej.Import.Errors)
	is := rej.Import.Errors[0]
	require.Equal(t, roster.OrgsFile, is.File)
	require.Equal(t, 4, is.Line)
	require.Contains(t, is.Message, `"Ash Academy, Upper"`)
	require.Contains(t, is.Message, "999999")
	require.Zero(t, b.count(t, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`))
}

// A bulk file that leaves two pupils out ends them: suspended, leaving
// date set, sessions ended, enrolments closed; nobody is deleted. The same
// file again changes nothing.
func TestRosterBulkLeavers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x := export{pupils: 20, orgs: twoSchools(), mode: roster.Bulk}
	rec := b.imp(t, x)
	require.Equal(t, roster.Bulk, rec.Modes[roster.UsersFile])
	people := b.count(t, `SELECT count(*) FROM people`)
	var p00 string
	b.scan(t, b.e.A.ID, &p00, `SELECT id::text FROM people WHERE external_id = 'p0-0'`)
	b.exec(t, `INSERT INTO member_credentials (tenant_id, id, person_id, kind, token_hash, expires_at)
		VALUES (app_tenant_id(), ?, ?, 'session', 'x', now() + interval '1 day')`, uuid.Must(uuid.NewV7()), p00)

	x.drop = map[string]bool{"p0-0": true, "p1-3": true}
	rec = b.imp(t, x)
	require.Equal(t, roster.Applied, rec.Status)
	require.Equal(t, 2, rec.Counts.People.Removed)
	require.Equal(t, 2, rec.Counts.Enrolments.Removed)
	require.Equal(t, people, b.count(t, `SELECT count(*) FROM people`), "nobody is deleted")
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM people WHERE left_on = current_date AND status = 'suspended' AND external_id IN ('p0-0', 'p1-3')`))
	require.Zero(t, b.count(t, `SELECT count(*) FROM enrolments e JOIN people p ON p.id = e.person_id WHERE p.external_id IN ('p0-0', 'p1-3')`))
	require.Zero(t, b.count(t, `SELECT count(*) FROM member_credentials WHERE person_id = ? AND revoked_at IS NULL`, p00))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM role_assignments WHERE person_id = ?`, p00), "a leaver's school still lists them")

	again := b.imp(t, x)
	require.Zero(t, again.Counts.People.Removed+again.Counts.Enrolments.Removed+again.Counts.People.Updated+again.Counts.People.Created, "%+v", again.Counts)
}

// A delta file's tobedeleted ends a person with a leaving date; what a
// delta file leaves out stays.
func TestRosterDeltaDeletion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x := export{pupils: 5, orgs: twoSchools(), mode: roster.Delta}
	b.imp(t, x)
	x.drop = map[string]bool{"p0-1": true}
	x.deleted = map[string]bool{"p0-2": true}
	rec := b.imp(t, x)
	require.Equal(t, 1, rec.Counts.People.Removed)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM people WHERE left_on IS NOT NULL`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM people WHERE external_id = 'p0-2' AND left_on = current_date AND status = 'suspended'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM people WHERE external_id = 'p0-1' AND left_on IS NULL AND status = 'active'`))
}

// A bulk file that would end more than a tenth of a school's people is
// held: nothing changes until an admin confirms; then it applies, and the
// kept files are cleared. A discarded one never applies.
func TestRosterSafetyLimitHolds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x := export{pupils: 20, orgs: twoSchools(), mode: roster.Bulk}
	b.imp(t, x)
	x.drop = map[string]bool{}
	for i := range 5 {
		x.drop[fmt.Sprintf("p0-%d", i)] = true
	}
	rec := b.imp(t, x)
	require.Equal(t, roster.Held, rec.Status)
	require.Len(t, rec.Held, 1)
	require.Equal(t, roster.SchoolEnd{SchoolID: rec.Held[0].SchoolID, School: "School tenant-a", Ending: 5, Of: 22}, rec.Held[0])
	require.Zero(t, b.count(t, `SELECT count(*) FROM people WHERE left_on IS NOT NULL`), "nothing written")
	got, err := b.e.App.Roster.Get(b.ctx, b.sc, rec.ID)
	require.NoError(t, err)
	require.Equal(t, rec.Held, got.Held)
	require.Nil(t, got.HeldFiles)

	other := b.imp(t, x)
	require.Equal(t, roster.Held, other.Status)
	require.NoError(t, b.e.App.Roster.Discard(b.ctx, b.sc, other.ID))
	_, err = b.e.App.Roster.Confirm(b.ctx, b.sc, other.ID)
	require.ErrorIs(t, err, errs.ErrConflict, "a discarded import cannot be confirmed")

	done, err := b.e.App.Roster.Confirm(b.ctx, b.sc, rec.ID)
	require.NoError(t, err)
	require.Equal(t, rec.ID, done.ID)
	require.Equal(t, roster.Applied, done.Status)
	require.Equal(t, 5, done.Counts.People.Removed)
	require.Equal(t, 5, b.count(t, `SELECT count(*) FROM people WHERE left_on IS NOT NULL`))
	require.Zero(t, b.count(t, `SELECT count(*) FROM roster_imports WHERE held_files IS NOT NULL`))
	_, err = b.e.App.Roster.Confirm(b.ctx, b.sc, rec.ID)
	require.ErrorIs(t, err, errs.ErrConflict, "confirmed once")

	// Tenant B sees none of it.
	_, err = b.e.App.Roster.Get(b.ctx, access.Member(b.e.B.ID, b.e.B.AdminID), rec.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
}

// A bulk enrollments.csv closes the enrolments it leaves out and one whose
// endDate has passed; a bulk classes.csv archives the classes it leaves
// out. A held file is refused once a newer import has been applied.
func TestRosterBulkClassesAndEnrolments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x := export{pupils: 20, orgs: twoSchools(), mode: roster.Bulk}
	files := x.files()
	files[roster.ClassesFile] = append(files[roster.ClassesFile], []byte("cls-x,,,Extra,"+schoolAGUID+"\r\n")...)
	rec, err := b.e.App.Roster.Import(b.ctx, b.sc, files, false)
	require.NoError(t, err)
	require.Equal(t, 3, rec.Counts.Courses.Created)

	files = x.files()
	yesterday := time.Now().AddDate(0, 0, -2).Format("2006-01-02")
	enrols := strings.Replace(string(files[roster.EnrollmentsFile]), "e-p0-5,,,cls-0,"+schoolAGUID+",p0-5,student,,\r\n", "", 1)
	enrols = strings.Replace(enrols, "e-p0-6,,,cls-0,"+schoolAGUID+",p0-6,student,,", "e-p0-6,,,cls-0,"+schoolAGUID+",p0-6,student,,"+yesterday, 1)
	files[roster.EnrollmentsFile] = []byte(enrols)
	rec, err = b.e.App.Roster.Import(b.ctx, b.sc, files, false)
	require.NoError(t, err)
	require.Equal(t, roster.Applied, rec.Status)
	require.Equal(t, 2, rec.Counts.Enrolments.Removed, "%+v", rec.Counts)
	require.Equal(t, 1, rec.Counts.Courses.Removed)
	require.Zero(t, rec.Counts.People.Removed)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM courses WHERE external_id = 'cls-x' AND status = 'archived'`))
	require.Zero(t, b.count(t, `SELECT count(*) FROM enrolments WHERE external_id IN ('e-p0-5', 'e-p0-6')`))
	require.Zero(t, b.count(t, `SELECT count(*) FROM people WHERE left_on IS NOT NULL`))

	x.drop = map[string]bool{"p0-0": true, "p0-1": true, "p0-2": true}
	held := b.imp(t, x)
	require.Equal(t, roster.Held, held.Status)
	x.drop = nil
	require.Equal(t, roster.Applied, b.imp(t, x).Status)
	_, err = b.e.App.Roster.Confirm(b.ctx, b.sc, held.ID)
	require.ErrorIs(t, err, errs.ErrConflict)
	require.Contains(t, errs.Public(err), "newer import")
}
