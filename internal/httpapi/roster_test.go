package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/lms/roster"
)

// rosterFiles is the valid OneRoster 1.2 set in the roster package's
// testdata, for tenant A (its school is named by slug).
func rosterFiles(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, n := range []string{"users.csv", "roles.csv", "classes.csv", "enrollments.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "lms", "roster", "testdata", n))
		require.NoError(t, err)
		out[n] = string(b)
	}
	return out
}

// rosterUpload posts files as multipart parts named by file name.
func rosterUpload(c *apptest.Client, path string, files map[string]string) *apptest.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, content := range files {
		w, err := mw.CreateFormFile(name, name)
		if err != nil {
			panic(err)
		}
		_, _ = w.Write([]byte(content))
	}
	_ = mw.Close()
	return c.DoWith("POST", path, &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
}

// rosterRows counts the tenant's rows that an import may touch.
func rosterRows(t *testing.T, e *apptest.Env, tenant uuid.UUID) map[string]int64 {
	out := map[string]int64{}
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
		for _, tbl := range []string{"people", "role_assignments", "courses", "enrolments"} {
			var n int64
			if err := tx.Table(tbl).Count(&n).Error; err != nil {
				return err
			}
			out[tbl] = n
		}
		var s string
		if err := tx.Raw(`SELECT coalesce(string_agg(username || ':' || status || ':' || display_name, ',' ORDER BY username), '') FROM people`).Row().Scan(&s); err != nil {
			return err
		}
		out["people-state:"+s] = 1
		return nil
	}))
	return out
}

func decodeImport(t *testing.T, r *apptest.Response) roster.Import {
	var rec roster.Import
	r.Decode(&rec)
	return rec
}

// A valid OneRoster set makes people, school roles, draft courses and
// enrolments; importing it again changes nothing; passwords in the file are
// ignored; the guardian is skipped with a warning.
func TestRosterImportAppliesAndReimportIsANoOp(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	base := "/api/v1/t/tenant-a/roster/imports"
	before := rosterRows(t, e, e.A.ID)

	// A dry run counts but writes nothing.
	r := rosterUpload(admin, base+"?dry_run=true", rosterFiles(t))
	require.Equal(t, 201, r.Status, r.Text())
	dry := decodeImport(t, r)
	require.Equal(t, roster.DryRun, dry.Status)
	require.Equal(t, 4, dry.Counts.People.Created)
	require.Equal(t, before, rosterRows(t, e, e.A.ID))

	r = rosterUpload(admin, base, rosterFiles(t))
	require.Equal(t, 201, r.Status, r.Text())
	first := decodeImport(t, r)
	require.Equal(t, roster.Applied, first.Status)
	require.Equal(t, []string{"classes.csv", "enrollments.csv", "roles.csv", "users.csv"}, first.Files)
	require.Equal(t, roster.Tally{Created: 4, Skipped: 1}, first.Counts.People)
	require.Equal(t, roster.Tally{Created: 4, Skipped: 1}, first.Counts.Roles)
	require.Equal(t, roster.Tally{Created: 2}, first.Counts.Courses)
	require.Equal(t, roster.Tally{Created: 5}, first.Counts.Enrolments)
	require.Equal(t, 1, first.WarningCount)
	// The guardian is one summary warning (guardian accounts are off).
	require.Equal(t, "users.csv", first.Warnings[0].File)
	require.Contains(t, first.Warnings[0].Message, "parents and carers were not imported")
	require.Equal(t, dry.Counts, first.Counts, "the dry run predicted the import")
	after := rosterRows(t, e, e.A.ID)
	require.Equal(t, before["people"]+4, after["people"])
	require.Equal(t, before["courses"]+2, after["courses"])
	require.Equal(t, before["enrolments"]+5, after["enrolments"])

	// The API shows what was made: preferred names, drafts, enrolments.
	r = admin.Expect(200, "GET", "/api/v1/t/tenant-a/people?limit=200", nil)
	require.Contains(t, r.Text(), `"display_name":"Bobby Pupil"`)
	require.Contains(t, r.Text(), `"display_name":"Ann, Marie Pupil"`)
	require.Contains(t, r.Text(), `"external_id":"u-s1"`)
	require.NotContains(t, r.Text(), "r-guardian1")
	r = admin.Expect(200, "GET", "/api/v1/t/tenant-a/courses?status=draft&q=Science", nil)
	var courses struct{ Items []map[string]any }
	r.Decode(&courses)
	require.Len(t, courses.Items, 1)
	require.Equal(t, "c-sci", courses.Items[0]["external_id"])
	r = admin.Expect(200, "GET", "/api/v1/t/tenant-a/courses/"+courses.Items[0]["id"].(string)+"/enrolments", nil)
	require.Equal(t, 3, strings.Count(r.Text(), `"person_id"`))
	// The imported teacher teaches the course once given a password; the
	// file's password column was never used.
	require.Equal(t, 401, e.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"tenant": "tenant-a", "username": "r-teacher1", "password": "never-imported-pw"}).Status)

	// Again: everything unchanged, no duplicate rows.
	r = rosterUpload(admin, base, rosterFiles(t))
	require.Equal(t, 201, r.Status, r.Text())
	second := decodeImport(t, r)
	require.Equal(t, roster.Tally{Unchanged: 4, Skipped: 1}, second.Counts.People)
	require.Equal(t, roster.Tally{Unchanged: 4, Skipped: 1}, second.Counts.Roles)
	require.Equal(t, roster.Tally{Unchanged: 2}, second.Counts.Courses)
	require.Equal(t, roster.Tally{Unchanged: 5}, second.Counts.Enrolments)
	require.Equal(t, after, rosterRows(t, e, e.A.ID))

	// The log lists all three, filters by status, pages by cursor.
	r = admin.Expect(200, "GET", base+"?status=applied", nil)
	var pg struct {
		Items      []roster.Import
		NextCursor string `json:"next_cursor"`
	}
	r.Decode(&pg)
	require.Len(t, pg.Items, 2)
	require.Nil(t, pg.Items[0].Errors)
	r = admin.Do("GET", base+"?limit=1", nil)
	r.Decode(&pg)
	require.Len(t, pg.Items, 1)
	require.Equal(t, second.ID, pg.Items[0].ID, "newest first")
	r = admin.Do("GET", base+"?limit=2&cursor="+pg.NextCursor, nil)
	r.Decode(&pg)
	require.Equal(t, []uuid.UUID{first.ID, dry.ID}, []uuid.UUID{pg.Items[0].ID, pg.Items[1].ID})
	require.Equal(t, 400, admin.Do("GET", base+"?status=done", nil).Status)
	r = admin.Expect(200, "GET", base+"/"+first.ID.String(), nil)
	require.Equal(t, first.Warnings, decodeImport(t, r).Warnings)
}

// One bad row in any file rejects the whole upload: the reply names each
// row by file, line and column without echoing its values, and nothing of
// the good rows is applied.
func TestRosterBadRowsRejectEverything(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	base := "/api/v1/t/tenant-a/roster/imports"
	// A person made by hand holds a username the file wants.
	r := admin.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "R-Head1", "display_name": "Existing"})
	before := rosterRows(t, e, e.A.ID)

	files := rosterFiles(t)
	files["users.csv"] = strings.Replace(files["users.csv"], "bob@example.org", "bob-at-example", 1)
	files["users.csv"] += ",,,true,r-nosource,,No,Source,,,,,\r\n"
	files["classes.csv"] += "c-art,,,Art,05,crs-art,ART,scheduled,,no-such-school,term1,,,\n"
	files["enrollments.csv"] += "e6,,,c-history,tenant-a-school,u-s1,student,false,,\n" +
		"e7,,,c-sci,tenant-a-school,u-s2,janitor,false,,\n" +
		"e8,,,c-sci,tenant-a-school,u-t1,teacher,false,,\n"
	r = rosterUpload(admin, base, files)
	require.Equal(t, 422, r.Status, r.Text())
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
	require.NotContains(t, r.Text(), "bob-at-example")
	var p struct {
		Errors []struct{ Field, Message string }
		Import roster.Import
	}
	r.Decode(&p)
	got := map[string]bool{}
	for _, is := range p.Import.Errors {
		got[fmt.Sprintf("%s:%d:%s", is.File, is.Line, is.Field)] = true
	}
	require.Equal(t, map[string]bool{
		"users.csv:4:email":                true, // bad e-mail
		"users.csv:7:sourcedId":            true, // missing sourcedId
		"users.csv:6:username":             true, // username of a person not from the roster
		"classes.csv:4:schoolSourcedId":    true, // unknown school
		"enrollments.csv:7:classSourcedId": true, // unknown class
		"enrollments.csv:8:role":           true, // not a OneRoster role
		"enrollments.csv:9:userSourcedId":  true, // same user twice in one class
	}, got, r.Text())
	require.Equal(t, roster.Rejected, p.Import.Status)
	require.Equal(t, 7, p.Import.ErrorCount)
	require.Len(t, p.Errors, 7)
	require.Equal(t, before, rosterRows(t, e, e.A.ID), "nothing was applied")

	// The rejection is logged with its errors.
	r = admin.Do("GET", base+"?status=rejected", nil)
	require.Contains(t, r.Text(), p.Import.ID.String())
	r = admin.Expect(200, "GET", base+"/"+p.Import.ID.String(), nil)
	require.Equal(t, p.Import.Errors, decodeImport(t, r).Errors)
}

// tobedeleted suspends a person (ending their sessions), archives a
// course and removes an enrolment; enabledUser=false suspends too.
func TestRosterToBeDeletedRemoves(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	base := "/api/v1/t/tenant-a/roster/imports"
	r := rosterUpload(admin, base, rosterFiles(t))
	require.Equal(t, 201, r.Status, r.Text())
	// Pupil 2 gets a password and signs in.
	var pupil2 string
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM people WHERE external_id = 'u-s2'`).Row().Scan(&pupil2)
	}))
	r = admin.Expect(200, "PATCH", "/api/v1/t/tenant-a/people/"+pupil2, map[string]any{"password": "pupil-two-password"})
	p2 := e.Login(e.A.Slug, "r-pupil2", "pupil-two-password")

	r = rosterUpload(admin, base, map[string]string{
		"users.csv":       "sourcedId,status,username,givenName,familyName,enabledUser\nu-s2,tobedeleted,,,,\nu-s1,,r-pupil1,Ann,Pupil,false\n",
		"classes.csv":     "sourcedId,status,title,schoolSourcedId\nc-maths,tobedeleted,,tenant-a-school\n",
		"enrollments.csv": "sourcedId,status,classSourcedId,userSourcedId,role\ne3,tobedeleted,c-sci,u-s2,student\ne99,tobedeleted,c-sci,u-s2,student\n",
	})
	require.Equal(t, 201, r.Status, r.Text())
	rec := decodeImport(t, r)
	require.Equal(t, roster.Tally{Removed: 1, Updated: 1}, rec.Counts.People)
	require.Equal(t, roster.Tally{Removed: 1}, rec.Counts.Courses)
	require.Equal(t, roster.Tally{Removed: 1, Unchanged: 1}, rec.Counts.Enrolments)
	require.Equal(t, 401, p2.Do("GET", "/api/v1/me", nil).Status, "suspension ends the session")
	var state struct {
		S1, S2, Maths string
		Sci           int
	}
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT (SELECT status FROM people WHERE external_id = 'u-s1') AS s1, (SELECT status FROM people WHERE external_id = 'u-s2') AS s2,
			(SELECT status FROM courses WHERE external_id = 'c-maths') AS maths,
			(SELECT count(*) FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE c.external_id = 'c-sci') AS sci`).Scan(&state).Error
	}))
	require.Equal(t, "suspended", state.S1)
	require.Equal(t, "suspended", state.S2)
	require.Equal(t, "archived", state.Maths)
	require.Equal(t, 2, state.Sci)

	// Re-importing the original set does not bring the suspended back: it warns.
	r = rosterUpload(admin, base, rosterFiles(t))
	require.Equal(t, 201, r.Status, r.Text())
	rec = decodeImport(t, r)
	require.Equal(t, 1, rec.Counts.Enrolments.Created) // e3 again
	require.Contains(t, r.Text(), "does not reactivate")
}

// Tenant B's import can neither see nor reference tenant A's roster: the
// same sourcedIds make B's own people, and A's classes are unknown to B.
func TestRosterTenantsAreSeparate(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	r := rosterUpload(adminA, "/api/v1/t/tenant-a/roster/imports", rosterFiles(t))
	require.Equal(t, 201, r.Status, r.Text())
	importA := decodeImport(t, r).ID
	stateA := rosterRows(t, e, e.A.ID)

	// B names A's classes and users: unknown.
	r = rosterUpload(adminB, "/api/v1/t/tenant-b/roster/imports", map[string]string{"enrollments.csv": rosterFiles(t)["enrollments.csv"]})
	require.Equal(t, 422, r.Status, r.Text())
	var p struct{ Import roster.Import }
	r.Decode(&p)
	require.Equal(t, 10, p.Import.ErrorCount) // 5 rows × unknown class and unknown user
	// A's school by slug or id is not B's.
	files := rosterFiles(t)
	r = rosterUpload(adminB, "/api/v1/t/tenant-b/roster/imports", map[string]string{"classes.csv": files["classes.csv"]})
	require.Equal(t, 422, r.Status, r.Text())
	// With B's own school the same sourcedIds are B's own records.
	for n, v := range files {
		files[n] = strings.ReplaceAll(v, "tenant-a-school", "tenant-b-school")
	}
	r = rosterUpload(adminB, "/api/v1/t/tenant-b/roster/imports", files)
	require.Equal(t, 201, r.Status, r.Text())
	require.Equal(t, 4, decodeImport(t, r).Counts.People.Created)
	require.Equal(t, stateA, rosterRows(t, e, e.A.ID), "A is untouched")
	// B's log does not show A's import.
	r = adminB.Do("GET", "/api/v1/t/tenant-b/roster/imports", nil)
	require.NotContains(t, r.Text(), importA.String())
	require.Equal(t, 404, adminB.Do("GET", "/api/v1/t/tenant-b/roster/imports/"+importA.String(), nil).Status)
}

// Only admins import or read the log.
func TestRosterOnlyAdmins(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "rost-")
	for _, u := range []string{c.Teacher.Username, c.Learner.Username} {
		cl := e.Login(e.A.Slug, u, lmstest.Password)
		require.Equal(t, 403, rosterUpload(cl, "/api/v1/t/tenant-a/roster/imports", rosterFiles(t)).Status)
		require.Equal(t, 403, cl.Do("GET", "/api/v1/t/tenant-a/roster/imports", nil).Status)
	}
}

// Files that are not OneRoster CSV are 400s with field errors naming the
// file; nothing is applied.
func TestRosterMalformedFilesAre400(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	base := "/api/v1/t/tenant-a/roster/imports"
	before := rosterRows(t, e, e.A.ID)
	for name, tc := range map[string]struct {
		files      map[string]string
		file, part string
		line       int
	}{
		"missing column": {map[string]string{"users.csv": "sourcedId,username,givenName\nu1,x,y\n"}, "users.csv", "users.csv", 1},
		"bad quote":      {map[string]string{"classes.csv": "sourcedId,title,schoolSourcedId\nc1,\"Sci\"ence,tenant-a-school\n"}, "classes.csv", "classes.csv", 2},
		"field count":    {map[string]string{"classes.csv": "sourcedId,title,schoolSourcedId\nc1,Science\n"}, "classes.csv", "classes.csv", 2},
		"not utf-8":      {map[string]string{"users.csv": "sourcedId,username,givenName,familyName\nu1,jos\xe9,Jos\xe9,X\n"}, "users.csv", "users.csv", 2},
		"empty":          {map[string]string{"enrollments.csv": ""}, "enrollments.csv", "enrollments.csv", 1},
		"no known file":  {map[string]string{"courses.csv": "sourcedId\n"}, "", "body", 0},
	} {
		r := rosterUpload(admin, base, tc.files)
		require.Equal(t, 400, r.Status, "%s: %s", name, r.Text())
		var p struct {
			Errors []struct{ Field string }
			Import roster.Import
		}
		r.Decode(&p)
		require.NotEmpty(t, p.Import.Errors, name)
		require.Equal(t, tc.file, p.Import.Errors[0].File, name)
		require.Equal(t, tc.line, p.Import.Errors[0].Line, name)
		require.Equal(t, tc.part, p.Errors[0].Field, name)
	}
	r := admin.Expect(400, "POST", base, map[string]any{"users": "x"})
	require.Contains(t, r.Text(), `"field":"body"`)
	require.Equal(t, 400, rosterUpload(admin, base+"?dry_run=maybe", rosterFiles(t)).Status)
	require.Equal(t, before, rosterRows(t, e, e.A.ID))
}

// A school-limited admin imports only their school's rows (1.1-style
// users.csv with role and orgSourcedIds here); people of other schools and
// classes elsewhere are row errors, and they see only their own imports.
// An enrolment gives a person with no role the matching role in the
// class's school.
func TestRosterSchoolAdminStaysInTheirSchools(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	schools := trust(t, e)
	boss := e.Login("trust-t", "boss", apptest.AdminPassword)
	sb := e.Login("trust-t", "sb", apptest.AdminPassword)
	base := "/api/v1/t/trust-t/roster/imports"

	r := rosterUpload(boss, base, map[string]string{"users.csv": "sourcedId,username,givenName,familyName,role,orgSourcedIds\nu-a,a-teacher,Alma,Teach,teacher,school-a\n"})
	require.Equal(t, 201, r.Status, r.Text())
	bossImport := decodeImport(t, r).ID

	r = rosterUpload(sb, base, map[string]string{
		"users.csv": "sourcedId,username,givenName,familyName,role,orgSourcedIds\n" +
			"u-b,b-teacher,Bea,Teach,teacher,school-b\n" +
			"u-x,x-pupil,Xan,Pupil,student,school-a\n" +
			"u-a,a-teacher,Alma,Renamed,teacher,school-b\n" +
			"u-n,n-pupil,Nia,Pupil,,\n",
		"classes.csv":     "sourcedId,title,schoolSourcedId\nc-b,B class,school-b\nc-a,A class," + schools["school-a"] + "\n",
		"enrollments.csv": "sourcedId,classSourcedId,userSourcedId,role\ne-1,c-b,u-n,student\n",
	})
	require.Equal(t, 422, r.Status, r.Text())
	var p struct{ Import roster.Import }
	r.Decode(&p)
	got := map[string]bool{}
	for _, is := range p.Import.Errors {
		got[fmt.Sprintf("%s:%d:%s", is.File, is.Line, is.Field)] = true
	}
	require.Equal(t, map[string]bool{
		"users.csv:3:orgSourcedIds":     true, // school-a is not sb's
		"users.csv:4:sourcedId":         true, // u-a is a school-a teacher
		"classes.csv:3:schoolSourcedId": true, // by id, still school-a
	}, got, r.Text())

	r = rosterUpload(sb, base, map[string]string{
		"users.csv":       "sourcedId,username,givenName,familyName,role,orgSourcedIds\nu-b,b-teacher,Bea,Teach,teacher,school-b\nu-n,n-pupil,Nia,Pupil,,\n",
		"classes.csv":     "sourcedId,title,schoolSourcedId\nc-b,B class,school-b\n",
		"enrollments.csv": "sourcedId,classSourcedId,userSourcedId,role\ne-1,c-b,u-n,student\ne-2,c-b,u-b,teacher\n",
	})
	require.Equal(t, 201, r.Status, r.Text())
	rec := decodeImport(t, r)
	require.Equal(t, roster.Tally{Created: 2}, rec.Counts.Roles) // teacher from users.csv, learner from the enrolment
	require.Equal(t, roster.Tally{Created: 2}, rec.Counts.Enrolments)
	r = sb.Do("GET", "/api/v1/t/trust-t/people?limit=200", nil)
	require.Contains(t, r.Text(), "n-pupil", "the new pupil is in sb's school")

	r = sb.Expect(200, "GET", base, nil)
	require.NotContains(t, r.Text(), bossImport.String())
	require.Equal(t, 404, sb.Do("GET", base+"/"+bossImport.String(), nil).Status)
	require.Contains(t, boss.Do("GET", base, nil).Text(), rec.ID.String())
}

// A zip as SIS exports ship it (files in a folder) imports like the parts.
func TestRosterZipUpload(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for n, v := range rosterFiles(t) {
		w, err := zw.Create("export/" + n)
		require.NoError(t, err)
		_, _ = w.Write([]byte(v))
	}
	w, _ := zw.Create("export/manifest.csv")
	_, _ = w.Write([]byte("propertyName,value\nmanifest.version,1.0\n"))
	require.NoError(t, zw.Close())
	r := admin.Upload("/api/v1/t/tenant-a/roster/imports", "oneroster.zip", &zbuf)
	require.Equal(t, 201, r.Status, r.Text())
	require.Equal(t, 5, decodeImport(t, r).Counts.Enrolments.Created)
	r = admin.Upload("/api/v1/t/tenant-a/roster/imports", "oneroster.zip", strings.NewReader("not a zip"))
	require.Equal(t, 400, r.Status, r.Text())
	require.Contains(t, r.Text(), `"field":"file"`)
}
