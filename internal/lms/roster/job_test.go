package roster_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// An upload is stored and queued at once; a worker killed mid-way (its
// context ends while people are being put on their classes) leaves the
// import running with its progress and nothing written; once its
// heartbeat is stale the rescue's check says so, and another worker's
// run applies it to the same end state a dry run predicted. A third run
// does nothing.
func TestRosterJobKilledMidWayIsFinishedByAnother(t *testing.T) {
	t.Parallel()
	b := setup(t)
	files := export{pupils: 30, orgs: twoSchools(), mode: roster.Bulk}.files()
	dry, err := b.e.App.Roster.Import(b.ctx, b.sc, files, true)
	require.NoError(t, err)

	rec, err := b.e.App.Roster.Start(b.ctx, b.sc, files, false)
	require.NoError(t, err)
	require.Equal(t, roster.Queued, rec.Status)
	require.Positive(t, rec.RowsTotal)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM roster_imports WHERE id = ? AND held_files IS NOT NULL`, rec.ID), "the upload is stored")

	killed, kill := context.WithCancel(b.ctx)
	var steps []string
	err = b.e.App.Roster.WorkWatched(killed, b.e.A.ID, rec.ID, func(step string) {
		steps = append(steps, step)
		if step == roster.StepEnrolling {
			kill() // the worker dies here
		}
	})
	require.Error(t, err)
	mid, err := b.e.App.Roster.Get(b.ctx, b.sc, rec.ID)
	require.NoError(t, err)
	require.Equal(t, roster.Running, mid.Status)
	require.Equal(t, roster.StepEnrolling, mid.Step, "%v", steps)
	require.Positive(t, mid.RowsDone)
	require.Less(t, mid.RowsDone, mid.RowsTotal)
	require.Zero(t, b.count(t, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`), "the dead run wrote nothing")

	args, err := json.Marshal(roster.ImportArgs{TenantID: b.e.A.ID, ImportID: rec.ID})
	require.NoError(t, err)
	stalled, err := b.e.App.Roster.Stalled(b.ctx, args)
	require.NoError(t, err)
	require.False(t, stalled, "its heartbeat is fresh")
	b.exec(t, `UPDATE roster_imports SET updated_at = now() - interval '2 minutes' WHERE id = ?`, rec.ID)
	stalled, err = b.e.App.Roster.Stalled(b.ctx, args)
	require.NoError(t, err)
	require.True(t, stalled, "a silent heartbeat: the rescue queues it again")

	require.NoError(t, b.e.App.Roster.Work(b.ctx, b.e.A.ID, rec.ID))
	done, err := b.e.App.Roster.Get(b.ctx, b.sc, rec.ID)
	require.NoError(t, err)
	require.Equal(t, roster.Applied, done.Status)
	require.Equal(t, dry.Counts, done.Counts, "the same end state as the dry run foretold")
	require.Equal(t, done.RowsTotal, done.RowsDone)
	require.Equal(t, 64, b.count(t, `SELECT count(*) FROM people WHERE external_id IS NOT NULL`))
	require.Zero(t, b.count(t, `SELECT count(*) FROM roster_imports WHERE held_files IS NOT NULL`), "the files go when it ends")

	require.NoError(t, b.e.App.Roster.Work(b.ctx, b.e.A.ID, rec.ID), "a late run finds it ended")
	again, err := b.e.App.Roster.Get(b.ctx, b.sc, rec.ID)
	require.NoError(t, err)
	require.Equal(t, done.Counts, again.Counts)

	_, err = b.e.App.Roster.Get(b.ctx, access.Member(b.e.B.ID, b.e.B.AdminID), rec.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "tenant B does not see it")
	require.NoError(t, b.e.App.Roster.Work(b.ctx, b.e.B.ID, rec.ID), "nor can B's job reach it")
}

// A file that is not CSV is refused by Start at once, logged, and queues
// nothing; rows are the job's to check (rejected with every problem).
func TestRosterStartRefusesUnreadableFiles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.e.App.Roster.Start(b.ctx, b.sc, map[string][]byte{roster.UsersFile: []byte("sourcedId\nu1\n")}, false)
	rej, ok := roster.AsRejected(err)
	require.True(t, ok, "%v", err)
	require.True(t, rej.FileLevel)
	require.Zero(t, b.count(t, `SELECT count(*) FROM roster_imports WHERE status IN ('queued', 'running')`))

	rec, err := b.e.App.Roster.Start(b.ctx, b.sc, map[string][]byte{roster.UsersFile: []byte("sourcedId,username,givenName,familyName,email\nu1,a,A,B,not-mail\n")}, false)
	require.NoError(t, err)
	require.NoError(t, b.e.App.Roster.Work(b.ctx, b.e.A.ID, rec.ID))
	got, err := b.e.App.Roster.Get(b.ctx, b.sc, rec.ID)
	require.NoError(t, err)
	require.Equal(t, roster.Rejected, got.Status)
	require.Equal(t, "email", got.Errors[0].Field)
}

// Role dates and a bulk roles.csv: a role whose endDate has passed ends,
// one absent from a bulk file ends, one that begins later is not given.
func TestRosterRoleDatesAndBulkRoles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x := export{pupils: 20, orgs: twoSchools(), mode: roster.Bulk}
	b.imp(t, x)
	roleOf := `SELECT count(*) FROM role_assignments r JOIN people p ON p.id = r.person_id WHERE p.external_id = ? AND r.role = ?`
	require.Equal(t, 1, b.count(t, roleOf, "p0-1", "learner"))

	files := x.files()
	yesterday := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	nextYear := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	roles := string(files[roster.RolesFile])
	roles = strings.Replace(roles, "r-p0-1,,,p0-1,primary,student,,,"+schoolAGUID, "r-p0-1,,,p0-1,primary,student,,"+yesterday+","+schoolAGUID, 1)
	roles = strings.Replace(roles, "r-p0-2,,,p0-2,primary,student,,,"+schoolAGUID+"\r\n", "", 1)
	roles += "r-p0-0-t,,,p0-0,secondary,teacher," + nextYear + ",," + schoolAGUID + "\r\n"
	files[roster.RolesFile] = []byte(roles)
	enrols := string(files[roster.EnrollmentsFile])
	for _, p := range []string{"p0-1", "p0-2"} { // off their class too, or the enrolment would keep the role
		enrols = strings.Replace(enrols, "e-"+p+",,,cls-0,"+schoolAGUID+","+p+",student,,\r\n", "", 1)
	}
	files[roster.EnrollmentsFile] = []byte(enrols)
	rec, err := b.e.App.Roster.Import(b.ctx, b.sc, files, false)
	require.NoError(t, err)
	require.Equal(t, roster.Applied, rec.Status, "%+v", rec.Errors)
	require.Equal(t, 2, rec.Counts.Roles.Removed, "%+v", rec.Counts.Roles)
	require.Zero(t, b.count(t, roleOf, "p0-1", "learner"), "its endDate has passed")
	require.Zero(t, b.count(t, roleOf, "p0-2", "learner"), "absent from the bulk roles.csv")
	require.Zero(t, b.count(t, roleOf, "p0-0", "teacher"), "begins next year")
	require.Equal(t, 1, b.count(t, roleOf, "p0-0", "learner"))
	require.Equal(t, 1, b.count(t, roleOf, "p0-3", "learner"), "the others keep theirs")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM role_assignments WHERE person_id = ?`, b.e.A.AdminID), "the admin made by hand keeps theirs")
}

// courses.csv: each class stays its own course and records its catalogue
// course's sourcedId, code and title; a class naming a course the file
// lacks is a row error.
func TestRosterCoursesFile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	files := export{pupils: 2, orgs: twoSchools()}.files()
	files[roster.CoursesFile] = []byte("sourcedId,status,dateLastModified,title,courseCode,orgSourcedId\r\ncrs-ma,,,Year 5 Mathematics,5MA," + trustGUID + "\r\n")
	files[roster.ClassesFile] = []byte("sourcedId,status,dateLastModified,title,courseSourcedId,schoolSourcedId\r\n" +
		"cls-0,,,\"Year 5, Set 1\",crs-ma," + schoolAGUID + "\r\ncls-1,,,\"Year 5, Set 2\",crs-ma," + schoolBGUID + "\r\n")
	rec, err := b.e.App.Roster.Import(b.ctx, b.sc, files, false)
	require.NoError(t, err)
	require.Equal(t, 2, rec.Counts.Courses.Created)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM courses WHERE roster_course_id = 'crs-ma' AND course_code = '5MA' AND course_title = 'Year 5 Mathematics'`))

	// Renamed in the catalogue: both classes' courses follow.
	files[roster.CoursesFile] = []byte(strings.Replace(string(files[roster.CoursesFile]), "Year 5 Mathematics", "Year 5 Maths", 1))
	rec, err = b.e.App.Roster.Import(b.ctx, b.sc, files, false)
	require.NoError(t, err)
	require.Equal(t, 2, rec.Counts.Courses.Updated)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM courses WHERE course_title = 'Year 5 Maths'`))

	files[roster.ClassesFile] = []byte(strings.Replace(string(files[roster.ClassesFile]), "crs-ma,"+schoolBGUID, "crs-none,"+schoolBGUID, 1))
	_, err = b.e.App.Roster.Import(b.ctx, b.sc, files, false)
	rej, ok := roster.AsRejected(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, roster.Issue{File: roster.ClassesFile, Line: 3, Field: "courseSourcedId", Message: "is not a course of courses.csv"}, rej.Import.Errors[0])
}
