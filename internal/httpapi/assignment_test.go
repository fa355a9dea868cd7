package httpapi_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// assignmentFields are the field names of a 400 problem.
func assignmentFields(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	require.Equal(t, 400, r.Status, r.Text())
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	r.Decode(&p)
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}

type assignmentBundle struct {
	e                                        *apptest.Env
	fx                                       lmstest.Course
	base                                     string
	admin, teacher, other, learner, learner2 *apptest.Client
}

func setupAssignment(t *testing.T, prefix string) assignmentBundle {
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, prefix)
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	return assignmentBundle{e: e, fx: fx, base: "/api/v1/t/tenant-a",
		admin: e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword), teacher: login(fx.Teacher),
		other: login(fx.OtherTeacher), learner: login(fx.Learner), learner2: login(fx.Learner2)}
}

// create sets an assignment through the API and returns its id.
func (b assignmentBundle) create(t *testing.T, title string, opens, due time.Time) string {
	t.Helper()
	r := b.teacher.Expect(http.StatusCreated, "POST", b.base+"/courses/"+b.fx.ID.String()+"/assignments", map[string]any{
		"section_id": b.fx.Section, "title": title, "instructions": "Show your working.", "opens_at": opens, "due_at": due, "max_score": 20})
	return r.JSON()["id"].(string)
}

func (b assignmentBundle) upload(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	r := c.Upload(b.base+"/files", name, bytes.NewReader(pdfBytes))
	require.Equal(t, http.StatusCreated, r.Status, r.Text())
	return r.JSON()["id"].(string)
}

// From setting work to a released mark over HTTP, checking at each step
// that a learner sees only their own work, and their mark and feedback
// only once released; a teacher of another course sees nothing.
func TestAssignmentSubmitMarkRelease(t *testing.T) {
	t.Parallel()
	b := setupAssignment(t, "hwork-")
	now := time.Now()
	aid := b.create(t, "Fractions", now.Add(-time.Hour), now.Add(time.Hour))
	ap := b.base + "/assignments/" + aid

	// The learner sees it with their own deadline, and hands in work.
	r := b.learner.Expect(200, "GET", ap, nil)
	require.NotEmpty(t, r.JSON()["effective_due_at"])
	fid := b.upload(t, b.learner, "working.pdf")
	r = b.learner.Expect(200, "PUT", ap+"/submission", map[string]any{"body": "1/2 + 1/4 = 3/4", "file_ids": []string{fid}})
	sid := r.JSON()["id"].(string)
	r = b.learner.Expect(200, "PUT", ap+"/submission", map[string]any{"body": "1/2 + 1/4 = 3/4 (checked)", "file_ids": []string{fid}})
	require.EqualValues(t, 2, r.JSON()["attempt"])
	require.Equal(t, sid, r.JSON()["id"])
	r = b.learner.Expect(200, "GET", b.base+"/submissions/"+sid+"/files/"+fid, nil)
	require.Contains(t, r.JSON()["url"], "X-Amz-Signature")

	// Nobody else reads it: not the other learner, not a teacher of
	// another course, not another tenant's admin.
	adminB := b.e.Login(b.e.B.Slug, b.e.B.AdminUser, apptest.AdminPassword)
	for name, c := range map[string]*apptest.Client{"learner2": b.learner2, "other teacher": b.other} {
		for _, path := range []string{"/submissions/" + sid, "/submissions/" + sid + "/files/" + fid, "/submissions/" + sid + "/mark"} {
			require.Equal(t, 404, c.Do("GET", b.base+path, nil).Status, "%s GET %s", name, path)
		}
	}
	require.Equal(t, 404, b.other.Do("GET", ap, nil).Status)
	require.Equal(t, 404, b.other.Do("GET", ap+"/submissions", nil).Status)
	require.Equal(t, 404, b.other.Do("PUT", b.base+"/submissions/"+sid+"/mark", map[string]any{"score": 1}).Status)
	require.Equal(t, 404, adminB.Do("GET", "/api/v1/t/tenant-b/submissions/"+sid, nil).Status)
	require.Equal(t, 404, b.learner2.Do("GET", ap+"/submission", nil).Status)
	require.Equal(t, 403, b.learner.Do("GET", ap+"/submissions", nil).Status)

	// Marked with feedback and a feedback file, not released.
	ffid := b.upload(t, b.teacher, "feedback.pdf")
	r = b.teacher.Expect(200, "PUT", b.base+"/submissions/"+sid+"/mark", map[string]any{"score": 18, "feedback": "Neat working.", "feedback_file_id": ffid})
	require.Nil(t, r.JSON()["released_at"])
	require.Equal(t, 404, b.learner.Do("GET", b.base+"/submissions/"+sid+"/mark", nil).Status)
	r = b.learner.Expect(200, "GET", b.base+"/submissions/"+sid, nil)
	require.Equal(t, "submitted", r.JSON()["status"])
	require.NotContains(t, r.Text(), "Neat working")
	require.NotContains(t, r.Text(), "score")
	r = b.teacher.Expect(200, "GET", b.base+"/submissions/"+sid+"/mark", nil)
	require.Contains(t, r.JSON()["feedback_file"].(map[string]any)["url"], "X-Amz-Signature")
	r = b.teacher.Expect(200, "GET", ap+"/submissions?status=marked", nil)
	require.Len(t, r.JSON()["items"], 1)
	r = b.teacher.Do("GET", ap+"/submissions?status=unmarked", nil)
	require.Len(t, r.JSON()["items"], 0)

	// Released: the learner sees mark, feedback and file; nobody else.
	r = b.teacher.Expect(200, "POST", ap+"/release", nil)
	require.EqualValues(t, 1, r.JSON()["released"])
	r = b.learner.Expect(200, "GET", b.base+"/submissions/"+sid+"/mark", nil)
	require.EqualValues(t, 18, r.JSON()["score"])
	require.Equal(t, "Neat working.", r.JSON()["feedback"])
	require.Contains(t, r.JSON()["feedback_file"].(map[string]any)["url"], "X-Amz-Signature")
	r = b.learner.Do("GET", ap+"/submission", nil)
	require.Equal(t, "released", r.JSON()["status"])
	require.Equal(t, 404, b.learner2.Do("GET", b.base+"/submissions/"+sid+"/mark", nil).Status)
	// Marked work is not replaced.
	require.Equal(t, 409, b.learner.Do("PUT", ap+"/submission", map[string]any{"body": "new"}).Status)
}

// handedIn sets an assignment, open since an hour ago and due in an hour,
// to which the learner has handed in the file named (with what else is in
// submission); it gives the assignment's path and the file's id.
func (b assignmentBundle) handedIn(t *testing.T, title, file string, submission map[string]any) (ap, fid string) {
	t.Helper()
	now := time.Now()
	ap = b.base + "/assignments/" + b.create(t, title, now.Add(-time.Hour), now.Add(time.Hour))
	fid = b.upload(t, b.learner, file)
	submission["file_ids"] = []string{fid}
	b.learner.Expect(200, "PUT", ap+"/submission", submission)
	return ap, fid
}

// Deadlines: work after the due date is refused, extra time granted by an
// admin moves one learner's deadline; deleting the assignment removes the
// submitted files from storage.
func TestAssignmentDeadlinesArrangementsAndDeletion(t *testing.T) {
	t.Parallel()
	b := setupAssignment(t, "hdue-")
	now := time.Now()
	ap, fid := b.handedIn(t, "Poem", "poem.pdf", map[string]any{})

	// Window 10h, due an hour ago.
	b.teacher.Expect(200, "PATCH", ap, map[string]any{"opens_at": now.Add(-11 * time.Hour), "due_at": now.Add(-time.Hour)})
	require.Equal(t, 409, b.learner.Do("PUT", ap+"/submission", map[string]any{"body": "late"}).Status)
	require.Equal(t, 409, b.learner2.Do("PUT", ap+"/submission", map[string]any{"body": "late"}).Status)

	// 25% extra time for learner2: 2.5h more than the others.
	l2 := b.fx.Learner2.ID.String()
	require.Equal(t, 403, b.teacher.Do("PUT", b.base+"/people/"+l2+"/arrangement", map[string]any{"extra_time_percent": 25}).Status)
	r := b.admin.Expect(200, "PUT", b.base+"/people/"+l2+"/arrangement", map[string]any{"extra_time_percent": 25})
	require.NotContains(t, r.Text(), "reason")
	r = b.teacher.Expect(200, "GET", b.base+"/people/"+l2+"/arrangement", nil)
	require.EqualValues(t, 25, r.JSON()["extra_time_percent"])
	require.Equal(t, 404, b.other.Do("GET", b.base+"/people/"+l2+"/arrangement", nil).Status)
	require.Equal(t, 403, b.learner.Do("GET", b.base+"/people/"+l2+"/arrangement", nil).Status)
	r = b.teacher.Expect(200, "GET", b.base+"/arrangements?course_id="+b.fx.ID.String(), nil)
	require.Len(t, r.JSON()["items"], 1)
	r = b.other.Do("GET", b.base+"/arrangements", nil)
	require.Len(t, r.JSON()["items"], 0)

	r = b.learner2.Expect(200, "PUT", ap+"/submission", map[string]any{"body": "with extra time"})
	due, err := time.Parse(time.RFC3339Nano, r.JSON()["effective_due_at"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, now.Add(90*time.Minute), due, time.Minute)
	require.Equal(t, 409, b.learner.Do("PUT", ap+"/submission", map[string]any{"body": "still late"}).Status)

	// Ending the arrangement ends the extra time.
	require.Equal(t, 204, b.admin.Do("DELETE", b.base+"/people/"+l2+"/arrangement", nil).Status)
	require.Equal(t, 409, b.learner2.Do("PUT", ap+"/submission", map[string]any{"body": "again"}).Status)

	// Deleting the assignment removes the work and its files.
	require.Equal(t, 1, objectVersions(t, b.e, "uk", b.e.A.ID, uuid.MustParse(fid)))
	require.Equal(t, 403, b.learner.Do("DELETE", ap, nil).Status)
	require.Equal(t, 204, b.teacher.Do("DELETE", ap, nil).Status)
	require.Equal(t, 0, objectVersions(t, b.e, "uk", b.e.A.ID, uuid.MustParse(fid)))
	require.Equal(t, 404, b.teacher.Do("GET", ap, nil).Status)
}

// Removing the section that holds an assignment through the course API
// takes the learners' work with it: rows by cascade, files out of storage.
func TestAssignmentGoesWithItsSection(t *testing.T) {
	t.Parallel()
	b := setupAssignment(t, "hsec-")
	ap, fid := b.handedIn(t, "Diagram", "diagram.pdf", map[string]any{"body": "see file"})
	require.Equal(t, 1, objectVersions(t, b.e, "uk", b.e.A.ID, uuid.MustParse(fid)))

	require.Equal(t, 204, b.teacher.Do("DELETE", b.base+"/sections/"+b.fx.Section.String(), nil).Status)
	require.Equal(t, 0, objectVersions(t, b.e, "uk", b.e.A.ID, uuid.MustParse(fid)))
	require.Equal(t, 404, b.teacher.Do("GET", ap, nil).Status)
	require.Equal(t, 404, b.learner.Do("GET", ap+"/submission", nil).Status)
}

// Bad input answers 400 naming the fields, never 500; lists page by cursor
// and filter.
func TestAssignmentBadInputAndPaging(t *testing.T) {
	t.Parallel()
	b := setupAssignment(t, "hbad-")
	now := time.Now()
	cp := b.base + "/courses/" + b.fx.ID.String() + "/assignments"
	r := b.teacher.Do("POST", cp, map[string]any{"section_id": b.fx.Section, "title": "", "due_at": now, "max_score": 5000})
	require.ElementsMatch(t, []string{"title"}, assignmentFields(t, r))
	r = b.teacher.Do("POST", cp, map[string]any{"section_id": b.fx.Section, "title": "x", "due_at": now, "opens_at": now.Add(time.Hour), "max_score": 5000})
	require.ElementsMatch(t, []string{"max_score", "due_at"}, assignmentFields(t, r))
	// A malformed time is a 400 (bindJSON reports time parse errors
	// against "body", not the field).
	r = b.teacher.Do("POST", cp, map[string]any{"section_id": b.fx.Section, "title": "x", "due_at": "tomorrow", "max_score": 5})
	require.Len(t, assignmentFields(t, r), 1)
	r = b.teacher.Do("POST", cp, map[string]any{"section_id": uuid.Must(uuid.NewV7()), "title": "x", "due_at": now.Add(time.Hour), "max_score": 5})
	require.ElementsMatch(t, []string{"section_id"}, assignmentFields(t, r))

	ids := []string{}
	for _, title := range []string{"One", "Two", "Three"} {
		ids = append(ids, b.create(t, title, now.Add(-time.Hour), now.Add(time.Hour)))
	}
	ap := b.base + "/assignments/" + ids[0]
	r = b.learner.Do("PUT", ap+"/submission", map[string]any{"body": "x", "file_ids": []string{uuid.Must(uuid.NewV7()).String()}})
	require.ElementsMatch(t, []string{"file_ids"}, assignmentFields(t, r))
	theirs := b.upload(t, b.learner2, "theirs.pdf")
	r = b.learner.Do("PUT", ap+"/submission", map[string]any{"body": "x", "file_ids": []string{theirs}})
	require.ElementsMatch(t, []string{"file_ids"}, assignmentFields(t, r))
	r = b.learner.Do("PUT", ap+"/submission", map[string]any{"body": ""})
	require.ElementsMatch(t, []string{"body"}, assignmentFields(t, r))
	r = b.learner.Expect(200, "PUT", ap+"/submission", map[string]any{"body": "mine"})
	sid := r.JSON()["id"].(string)
	mp := b.base + "/submissions/" + sid + "/mark"
	require.ElementsMatch(t, []string{"score"}, assignmentFields(t, b.teacher.Do("PUT", mp, map[string]any{"score": 21})))
	require.ElementsMatch(t, []string{"score"}, assignmentFields(t, b.teacher.Do("PUT", mp, map[string]any{"feedback": "no score"})))
	require.ElementsMatch(t, []string{"feedback_file_id"}, assignmentFields(t, b.teacher.Do("PUT", mp, map[string]any{"score": 2, "feedback_file_id": theirs})))
	require.ElementsMatch(t, []string{"extra_time_percent"}, assignmentFields(t,
		b.admin.Do("PUT", b.base+"/people/"+b.fx.Learner.ID.String()+"/arrangement", map[string]any{"extra_time_percent": 301})))
	require.ElementsMatch(t, []string{"due"}, assignmentFields(t, b.learner.Do("GET", cp+"?due=soon", nil)))
	require.ElementsMatch(t, []string{"status"}, assignmentFields(t, b.teacher.Do("GET", ap+"/submissions?status=lost", nil)))
	require.ElementsMatch(t, []string{"limit"}, assignmentFields(t, b.teacher.Do("GET", ap+"/submissions?limit=0", nil)))
	require.ElementsMatch(t, []string{"course_id"}, assignmentFields(t, b.teacher.Do("GET", b.base+"/arrangements?course_id=x", nil)))

	// Pages of two, in creation order; a hidden assignment is staff-only.
	r = b.learner.Expect(200, "GET", cp+"?limit=2", nil)
	var p struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	r.Decode(&p)
	require.Len(t, p.Items, 2)
	require.Equal(t, ids[:2], []string{p.Items[0].ID, p.Items[1].ID})
	r = b.learner.Do("GET", cp+"?limit=2&cursor="+p.NextCursor, nil)
	r.Decode(&p)
	require.Len(t, p.Items, 1)
	require.Equal(t, ids[2], p.Items[0].ID)
	require.Equal(t, 200, b.teacher.Do("PATCH", b.base+"/assignments/"+ids[2], map[string]any{"published": false}).Status)
	require.Len(t, b.learner.Do("GET", cp, nil).JSON()["items"], 2)
	require.Len(t, b.teacher.Do("GET", cp, nil).JSON()["items"], 3)
	require.Equal(t, 404, b.learner.Do("GET", b.base+"/assignments/"+ids[2], nil).Status)
	require.Len(t, b.learner.Do("GET", cp+"?due=past", nil).JSON()["items"], 0)
}

// Over HTTP: a closing date and hand-in kind are set and kept, a teacher
// gives extra time on one assignment, the roster lists every learner with
// counts, chosen marks are released (a submission that is not marked is a
// 400 naming submission_ids), and the zip streams as application/zip.
func TestAssignmentRosterReleaseChosenAndZip(t *testing.T) {
	t.Parallel()
	b := setupAssignment(t, "api-roster-")
	now := time.Now()
	r := b.teacher.Expect(http.StatusCreated, "POST", b.base+"/courses/"+b.fx.ID.String()+"/assignments", map[string]any{
		"section_id": b.fx.Section, "title": "Lab report", "opens_at": now.Add(-time.Hour), "due_at": now.Add(time.Hour),
		"closes_at": now.Add(2 * time.Hour), "hand_in": "text", "max_score": 10})
	require.Equal(t, "text", r.JSON()["hand_in"])
	require.NotNil(t, r.JSON()["closes_at"])
	id := r.JSON()["id"].(string)
	require.Equal(t, []string{"hand_in"}, assignmentFields(t, b.teacher.Do("PATCH", b.base+"/assignments/"+id, map[string]any{"hand_in": "video"})))

	b.teacher.Expect(200, "PUT", b.base+"/assignments/"+id+"/extra-time/"+b.fx.Learner2.ID.String(), map[string]any{"extra_time_percent": 50})
	require.Equal(t, 403, b.learner.Do("PUT", b.base+"/assignments/"+id+"/extra-time/"+b.fx.Learner.ID.String(), map[string]any{"extra_time_percent": 50}).Status)
	r = b.teacher.Expect(200, "GET", b.base+"/assignments/"+id+"/extra-time", nil)
	require.Contains(t, r.Text(), b.fx.Learner2.ID.String())

	sub := b.learner.Expect(200, "PUT", b.base+"/assignments/"+id+"/submission", map[string]any{"body": "Results attached."}).JSON()["id"].(string)
	require.Equal(t, []string{"submission_ids"}, assignmentFields(t, b.teacher.Do("POST", b.base+"/assignments/"+id+"/release-chosen", map[string]any{"submission_ids": []string{sub}})))
	b.teacher.Expect(200, "PUT", b.base+"/submissions/"+sub+"/mark", map[string]any{"score": 8})
	r = b.teacher.Expect(200, "GET", b.base+"/assignments/"+id+"/roster", nil)
	var roster struct {
		Learners []map[string]any `json:"learners"`
		Counts   map[string]int   `json:"counts"`
	}
	r.Decode(&roster)
	require.Len(t, roster.Learners, 2)
	require.Equal(t, map[string]int{"handed-in": 0, "late": 0, "missing": 1, "marked": 1, "released": 0}, roster.Counts)
	require.Equal(t, []string{"status"}, assignmentFields(t, b.teacher.Do("GET", b.base+"/assignments/"+id+"/roster?status=lost", nil)))
	r = b.teacher.Expect(200, "POST", b.base+"/assignments/"+id+"/release-chosen", map[string]any{"submission_ids": []string{sub}})
	require.EqualValues(t, 1, r.JSON()["released"])

	r = b.teacher.Expect(200, "GET", b.base+"/assignments/"+id+"/hand-ins.zip", nil)
	require.Equal(t, "application/zip", r.Header.Get("Content-Type"))
	require.Contains(t, r.Header.Get("Content-Disposition"), `filename="Lab report.zip"`)
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	require.NoError(t, err)
	require.Len(t, zr.File, 1)
	require.Equal(t, 403, b.learner.Do("GET", b.base+"/assignments/"+id+"/hand-ins.zip", nil).Status)
}
