package web_test

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// After a day's activity (support staff read a course under an approved
// ticket, a learner gives consent and an admin records one from paper, a
// learner's work is handed in and marked, a data protection request is
// opened, usage is counted), the pages a school's admin reads about it (the
// access log, usage, the requests, the contract, courses, people, the
// assignment and the submission) say it in words: no route pattern, dotted
// action name, raw status or error fragment.
func TestPagesSayItInWords(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	seedDemo(t, e)
	api := "/api/v1/t/tenant-a"
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	admin.Expect(201, "POST", api+"/people/"+e.A.AdminID.String()+"/roles", map[string]any{"role": "approver"})
	admin = e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword) // the new role in the session

	var courses struct {
		Items []struct {
			ID, Title string
		} `json:"items"`
	}
	admin.Expect(200, "GET", api+"/courses", nil).Decode(&courses)
	require.NotEmpty(t, courses.Items)
	course := courses.Items[0]
	var people struct {
		Items []struct {
			ID, Username string
		} `json:"items"`
	}
	admin.Expect(200, "GET", api+"/people?limit=100", nil).Decode(&people)
	var alex string
	for _, p := range people.Items {
		if p.Username == "alex.learner" {
			alex = p.ID
		}
	}
	require.NotEmpty(t, alex)

	// Support asks, the school approves, support reads a course and the
	// people page under the ticket.
	sup := e.StaffLogin(e.Support, apptest.SupportPassword)
	r := sup.Expect(201, "POST", "/api/v1/platform/tenants/"+e.A.ID.String()+"/support-requests", map[string]any{
		"ticket": "SD-4711", "reason_code": "fault", "justification": "The course page shows an empty section",
		"areas": []string{"courses", "people"}})
	id := r.JSON()["id"].(string)
	admin.Expect(200, "POST", api+"/support-requests/"+id+"/decision", map[string]any{"approve": true, "duration_minutes": 60})
	sup.Expect(200, "GET", "/t/tenant-a/courses/"+course.ID, nil)
	var item string
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM course_items WHERE title = 'What is a habitat?'`).Row().Scan(&item)
	}))
	sup.Expect(200, "GET", "/t/tenant-a/items/"+item, nil)
	sup.Expect(200, "GET", api+"/people", nil)
	sup.Expect(200, "GET", "/t/tenant-a/admin/people", nil)
	sup.Expect(403, "GET", "/t/tenant-a/admin/retention", nil)
	sup.Do("GET", "/t/tenant-a/courses/"+course.ID+"/quizzes", nil) // read or refused: the log names it either way

	// Consents: a learner's own, and one an admin records from paper.
	sam := e.Login(e.A.Slug, "sam.learner", demo.Password)
	sam.Expect(201, "POST", api+"/my/consents", map[string]any{"purpose": "photo-video", "given": true})
	admin.Expect(201, "POST", api+"/people/"+alex+"/consents", map[string]any{"purpose": "optional-communications", "given": true, "method": "paper"})
	// A data protection request, and counted use.
	admin.Expect(201, "POST", api+"/subject-requests", map[string]any{"person_id": alex, "kind": "access", "details": "Alex's parent asked for a copy"})
	require.NoError(t, e.App.Kernel.FlushUsage(context.Background()))

	log := html.UnescapeString(admin.Expect(200, "GET", "/t/tenant-a/admin/access-log", nil).Text())
	require.Contains(t, log, "Sam Support read the course “"+course.Title+"” under ticket SD-4711, approved by Admin of tenant-a.")
	require.Contains(t, log, "Sam Support read “What is a habitat?” in the course “"+course.Title+"” under ticket SD-4711", "an item by its title")
	require.Contains(t, log, "Sam Learner gave consent for photos and video.")
	require.Contains(t, log, "Admin of tenant-a gave consent for optional newsletters and event emails (recorded from a paper form).")
	require.Contains(t, log, "Sam Support tried to read the page “Retention")
	require.Contains(t, log, "Sam Support read the page “People” under ticket SD-4711")
	require.Contains(t, log, " the page “A course's quizzes” of the course “"+course.Title+"”")
	require.Contains(t, log, "Sam Support read “List people” through an app or another system under ticket SD-4711")
	usage := admin.Expect(200, "GET", "/t/tenant-a/admin/usage", nil).Text()
	require.Contains(t, usage, "<td>Courses I teach, learn on (published) or administer <span")
	require.Contains(t, usage, "<td>Record a consent given or withdrawn on paper or verbally <span")

	pages := []string{"/t/tenant-a/admin/access-log", "/t/tenant-a/admin/usage", "/t/tenant-a/admin/requests",
		"/t/tenant-a/admin/contract", "/t/tenant-a/admin/courses", "/t/tenant-a/admin/people", "/t/tenant-a/admin/support",
		"/t/tenant-a/admin/support/" + id, "/t/tenant-a/admin/people/" + alex + "/privacy",
		"/t/tenant-a/courses/" + course.ID}
	var reqs struct {
		Items []struct{ ID string } `json:"items"`
	}
	admin.Expect(200, "GET", api+"/subject-requests", nil).Decode(&reqs)
	require.NotEmpty(t, reqs.Items)
	pages = append(pages, "/t/tenant-a/admin/requests/"+reqs.Items[0].ID)
	// The assignment and Sam's submission, as the teacher sees them.
	jo := e.Login(e.A.Slug, "jo.teacher", demo.Password)
	var as struct {
		Items []struct{ ID string } `json:"items"`
	}
	jo.Expect(200, "GET", api+"/courses/"+course.ID+"/assignments", nil).Decode(&as)
	require.NotEmpty(t, as.Items)
	var subs struct {
		Items []struct{ ID string } `json:"items"`
	}
	jo.Expect(200, "GET", api+"/assignments/"+as.Items[0].ID+"/submissions", nil).Decode(&subs)
	require.NotEmpty(t, subs.Items)
	for _, p := range pages {
		requirePlain(t, p, admin.Expect(200, "GET", p, nil).Text())
	}
	for _, p := range []string{"/t/tenant-a/assignments/" + as.Items[0].ID, "/t/tenant-a/submissions/" + subs.Items[0].ID} {
		requirePlain(t, p, jo.Expect(200, "GET", p, nil).Text())
	}
	for _, p := range []string{"/t/tenant-a/my/privacy", "/t/tenant-a/assignments/" + as.Items[0].ID} {
		requirePlain(t, p, sam.Expect(200, "GET", p, nil).Text())
	}

	// Refusals and missing pages say so in words.
	for _, p := range []string{"/t/tenant-a/admin/usage", "/t/tenant-a/admin/access-log", "/t/tenant-a/courses/" + uuid.NewString(), "/t/tenant-a/no/such/page"} {
		r := sam.Do("GET", p, nil)
		require.Contains(t, []int{403, 404}, r.Status, p)
		requirePlain(t, p, r.Text())
	}
	// An error a form did not show beside its field reads as a sentence.
	r = admin.DoWith("GET", "/t/tenant-a/admin/access-log?before=x", nil, nil)
	require.Equal(t, 400, r.Status)
	requirePlain(t, "the access log's bad page", r.Text())
}

func requirePlain(t *testing.T, page, doc string) {
	t.Helper()
	if found := webtest.DeveloperStrings(doc); len(found) > 0 {
		t.Errorf("%s shows developer strings:\n  %s", page, strings.Join(found, "\n  "))
	}
}

// The site has an icon: linked from every page, and sent to browsers that
// ask for /favicon.ico without reading the page (they used to get a 404).
func TestFavicon(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	anon := e.Anonymous()
	require.Contains(t, anon.Expect(200, "GET", "/signin", nil).Text(), `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`)
	svg := anon.Expect(200, "GET", "/static/favicon.svg", nil)
	require.Equal(t, "image/svg+xml", svg.Header.Get("Content-Type"))
	require.Contains(t, svg.Text(), "<svg")
	ico := anon.Expect(200, "GET", "/favicon.ico", nil)
	require.Equal(t, "image/svg+xml", ico.Header.Get("Content-Type"))
	require.Equal(t, svg.Text(), ico.Text())
}
