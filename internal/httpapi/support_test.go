package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/demo"
)

// supportBundle is a platform with an approver in tenant A (Ann), two
// people in A, and signed-in support staff.
type supportBundle struct {
	e        *apptest.Env
	adminA   *apptest.Client
	approver *apptest.Client
	support  *apptest.Client
	people   []string // ids of two learners in A
}

func supportSetup(t *testing.T) supportBundle {
	t.Helper()
	e := apptest.New(t)
	sb := supportBundle{e: e, adminA: e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)}
	sb.person(t, "ann.approver", "Ann Approver", "approver")
	sb.approver = e.Login(e.A.Slug, "ann.approver", "ann-password-123")
	sb.people = []string{sb.person(t, "lee.learner", "Lee Learner", "learner"), sb.person(t, "kim.learner", "Kim Learner", "learner")}
	sb.support = e.StaffLogin(e.Support, apptest.SupportPassword)
	return sb
}

func (sb supportBundle) person(t *testing.T, user, name, role string) string {
	t.Helper()
	r := sb.adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": user, "display_name": name, "password": strings.Split(user, ".")[0] + "-password-123", "role": role})
	return r.JSON()["id"].(string)
}

// file files a request to tenant A as support staff and returns its id.
func (sb supportBundle) file(t *testing.T, body map[string]any) string {
	t.Helper()
	r := sb.support.Expect(201, "POST", "/api/v1/platform/tenants/"+sb.e.A.ID.String()+"/support-requests", body)
	return r.JSON()["id"].(string)
}

func (sb supportBundle) superuser(t *testing.T, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), sb.e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// Without a grant support staff get 403 on tenant data; with one they read
// exactly its scope (areas and people), writes are refused, the requester
// cannot decide, and revocation and expiry end access at the next request.
// Every look is in the tenant's log with the reader's and approver's names.
func TestSupportGrantScopeAndLifetime(t *testing.T) {
	t.Parallel()
	sb := supportSetup(t)
	lee, kim := sb.people[0], sb.people[1]
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+lee, nil).Status)

	// Bad requests are field errors.
	r := sb.support.Expect(400, "POST", "/api/v1/platform/tenants/"+sb.e.A.ID.String()+"/support-requests", map[string]any{
		"ticket": "", "reason_code": "curious", "justification": "", "areas": []string{"everything"}, "duration_minutes": 2000})
	for _, f := range []string{"ticket", "reason_code", "justification", "areas", "duration_minutes"} {
		require.Contains(t, r.Text(), `"field":"`+f+`"`)
	}
	r = sb.support.Expect(400, "POST", "/api/v1/platform/tenants/"+sb.e.A.ID.String()+"/support-requests", map[string]any{"ticket": "T", "course_ids": []string{"nope"}})
	require.Contains(t, r.Text(), `"field":"course_ids"`, "a bad id is reported on its field")
	require.Equal(t, 404, sb.support.Do("POST", "/api/v1/platform/tenants/"+uuid.NewString()+"/support-requests", map[string]any{
		"ticket": "T-9", "reason_code": "fault", "justification": "x", "areas": []string{"people"}}).Status)
	op := sb.e.StaffLogin(sb.e.Operator, apptest.OperatorPassword)
	require.Equal(t, 403, op.Do("POST", "/api/v1/platform/tenants/"+sb.e.A.ID.String()+"/support-requests", map[string]any{
		"ticket": "T-9", "reason_code": "fault", "justification": "x", "areas": []string{"people"}}).Status, "operators do not read tenant data")

	id := sb.file(t, map[string]any{"ticket": "INC-4711", "reason_code": "data-issue", "justification": "Lee's name shows wrongly",
		"areas": []string{"people"}, "person_ids": []string{lee}})
	r = sb.support.Do("GET", "/api/v1/platform/support-requests/"+id, nil)
	require.Equal(t, "pending", r.JSON()["status"])
	require.Equal(t, float64(240), r.JSON()["duration_minutes"], "4 hours by default")
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+lee, nil).Status, "pending is not approved")

	// The approver sees the alert; the admin (not an approver) cannot decide;
	// support staff cannot decide their own request.
	r = sb.approver.Expect(200, "GET", "/api/v1/t/tenant-a/alerts", nil)
	require.Contains(t, r.Text(), "INC-4711")
	require.Contains(t, r.Text(), "Sam Support")
	require.Equal(t, 403, sb.adminA.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": true}).Status)
	require.Equal(t, 403, sb.support.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": true}).Status)
	r = sb.approver.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": true, "duration_minutes": 9999})
	require.Equal(t, 400, r.Status, "an approver may only shorten")
	r = sb.approver.Expect(200, "POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": true, "duration_minutes": 60, "note": "OK for Lee only"})
	require.Equal(t, "approved", r.JSON()["status"])
	require.Equal(t, "Ann Approver", r.JSON()["decided_by_name"])
	require.Equal(t, 409, sb.approver.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": false}).Status, "decided once")

	// Exactly the scope: Lee, not Kim; people, not courses; no writes.
	require.Equal(t, 200, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+lee, nil).Status)
	require.Equal(t, 200, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+lee+"/roles", nil).Status)
	require.Equal(t, 404, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+kim, nil).Status)
	r = sb.support.Expect(200, "GET", "/api/v1/t/tenant-a/people", nil)
	require.Contains(t, r.Text(), "Lee Learner")
	require.NotContains(t, r.Text(), "Kim Learner")
	require.NotContains(t, r.Text(), "Ann Approver")
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-a/courses", nil).Status, "courses are not in the grant")
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+lee+"/credentials", nil).Status, "sessions are in no area")
	require.Equal(t, 403, sb.support.Do("PATCH", "/api/v1/t/tenant-a/people/"+lee, map[string]any{"display_name": "Changed"}).Status)
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-b/people", nil).Status, "another tenant: no grant there")
	r = sb.adminA.Do("GET", "/api/v1/t/tenant-a/people/"+lee, nil)
	require.Equal(t, "Lee Learner", r.JSON()["display_name"])

	// The log names the reader, the approver, the ticket and what was read.
	r = sb.adminA.Expect(200, "GET", "/api/v1/t/tenant-a/access-log?limit=50", nil)
	var log struct {
		Items []map[string]any `json:"items"`
	}
	r.Decode(&log)
	var reads []map[string]any
	for _, it := range log.Items {
		if it["action"] == "support.read" {
			reads = append(reads, it)
		}
	}
	require.Len(t, reads, 4, "four reads were let through") // lee, lee roles, kim (404 after the check), list
	for _, it := range reads {
		require.Equal(t, "Sam Support", it["actor_name"])
		require.Equal(t, "Ann Approver", it["approver_name"])
		require.Equal(t, "INC-4711", it["ticket"])
		require.Equal(t, id, it["grant_id"])
	}
	require.Contains(t, r.Text(), `"target":"GET /api/v1/t/tenant-a/people/`+lee+`"`)
	require.Contains(t, r.Text(), `"action":"support.approved"`)
	require.Contains(t, r.Text(), `"action":"support.refused"`, "refused attempts are shown too")
	require.Contains(t, r.Text(), `"action":"support.requested"`)
	r = sb.adminA.Expect(200, "GET", "/api/v1/t/tenant-a/access-log/export", nil)
	require.Contains(t, r.Text(), "Sam Support,support-grant,support.read")
	require.Equal(t, 404, sb.e.Login(sb.e.B.Slug, sb.e.B.AdminUser, apptest.AdminPassword).Do("GET", "/api/v1/t/tenant-a/access-log", nil).Status)
	r = sb.e.Login(sb.e.B.Slug, sb.e.B.AdminUser, apptest.AdminPassword).Do("GET", "/api/v1/t/tenant-b/access-log", nil)
	require.NotContains(t, r.Text(), "INC-4711", "B's log holds nothing of A's")

	// Revoked: the next request fails, in the session already open.
	r = sb.adminA.Expect(200, "POST", "/api/v1/t/tenant-a/support-requests/"+id+"/revoke", nil)
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+lee, nil).Status)
	require.Equal(t, 409, sb.adminA.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/revoke", nil).Status)

	// Expired: an approved grant whose end has passed reads nothing.
	id2 := sb.file(t, map[string]any{"ticket": "INC-4712", "reason_code": "fault", "justification": "again", "areas": []string{"people"}})
	require.Equal(t, 200, sb.approver.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id2+"/decision", map[string]any{"approve": true}).Status)
	require.Equal(t, 200, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+kim, nil).Status)
	sb.superuser(t, `UPDATE support_requests SET starts_at = now() - interval '5 hours', ends_at = now() - interval '1 hour' WHERE id = $1`, id2)
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-a/people/"+kim, nil).Status)
	require.Equal(t, "ended", sb.support.Do("GET", "/api/v1/platform/support-requests/"+id2, nil).JSON()["status"])

	// A request left undecided for 48 hours can no longer be approved.
	id3 := sb.file(t, map[string]any{"ticket": "INC-4713", "reason_code": "fault", "justification": "later", "areas": []string{"people"}})
	sb.superuser(t, `UPDATE support_requests SET pending_until = now() - interval '1 minute' WHERE id = $1`, id3)
	r = sb.approver.Expect(409, "POST", "/api/v1/t/tenant-a/support-requests/"+id3+"/decision", map[string]any{"approve": true})
	require.Contains(t, r.Text(), "expired")
}

// A grant narrowed to one course reads that course through the same API
// (as its school's admin would), not another; a view records no activity.
func TestSupportGrantNarrowedToACourse(t *testing.T) {
	t.Parallel()
	sb := supportSetup(t)
	var ids []string
	for _, title := range []string{"Science", "History"} {
		r := sb.adminA.Expect(201, "POST", "/api/v1/t/tenant-a/courses", map[string]any{"school_id": schoolOf(t, sb.adminA), "title": title})
		ids = append(ids, r.JSON()["id"].(string))
	}
	id := sb.file(t, map[string]any{"ticket": "INC-1", "reason_code": "fault", "justification": "Science page broken",
		"areas": []string{"courses"}, "course_ids": []string{ids[0]}})
	require.Equal(t, 200, sb.approver.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": true}).Status)
	r := sb.support.Expect(200, "GET", "/api/v1/t/tenant-a/courses", nil)
	require.Contains(t, r.Text(), "Science")
	require.NotContains(t, r.Text(), "History")
	require.Equal(t, 200, sb.support.Do("GET", "/api/v1/t/tenant-a/courses/"+ids[0], nil).Status)
	require.Equal(t, 404, sb.support.Do("GET", "/api/v1/t/tenant-a/courses/"+ids[1], nil).Status)
	require.Equal(t, 403, sb.support.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	require.Equal(t, 403, sb.support.Do("PATCH", "/api/v1/t/tenant-a/courses/"+ids[0], map[string]any{"title": "Hacked"}).Status)
}

func schoolOf(t *testing.T, c *apptest.Client) string {
	t.Helper()
	schools := itemsOf[map[string]any](c.Do("GET", "/api/v1/t/tenant-a/schools", nil))
	require.NotEmpty(t, schools)
	return schools[0]["id"].(string)
}

// Staff of a sub-processor may ask only tenants that authorised it, and
// lose access when the tenant objects later. Registering one alerts every
// tenant, and the tenant's webhook receives signed alerts.
func TestSubProcessorsAndAlerts(t *testing.T) {
	t.Parallel()
	sb := supportSetup(t)
	e := sb.e
	var mu sync.Mutex
	var got []string
	var heads []http.Header
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		heads = append(heads, r.Header.Clone())
		mu.Unlock()
	}))
	defer hook.Close()
	r := sb.adminA.Expect(200, "PUT", "/api/v1/t/tenant-a/webhook", map[string]any{"url": hook.URL + "/alerts"})
	verifier, err := standardwebhooks.NewWebhook(r.JSON()["secret"].(string))
	require.NoError(t, err)
	require.Equal(t, 400, sb.adminA.Do("PUT", "/api/v1/t/tenant-a/webhook", map[string]any{"url": "ftp://x"}).Status)
	require.Empty(t, sb.adminA.Do("GET", "/api/v1/t/tenant-a/webhook", nil).JSON()["secret"], "the secret is shown once")

	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	require.Equal(t, 400, op.Do("POST", "/api/v1/platform/sub-processors", map[string]any{"name": "Far Away Inc", "purpose": "x", "country": "us"}).Status)
	require.Equal(t, 403, sb.support.Do("POST", "/api/v1/platform/sub-processors", map[string]any{"name": "X", "purpose": "x", "country": "ie"}).Status)
	r = op.Expect(201, "POST", "/api/v1/platform/sub-processors", map[string]any{"name": "Forensics Ltd", "purpose": "Security investigations", "country": "ie"})
	sp := r.JSON()["id"].(string)
	for _, c := range []*apptest.Client{sb.adminA, e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)} {
		r = c.Do("GET", "/api/v1/t/"+map[bool]string{true: "tenant-a", false: "tenant-b"}[c == sb.adminA]+"/alerts", nil)
		require.Contains(t, r.Text(), "Forensics Ltd", "every tenant is told")
	}

	// Ivy works for the sub-processor.
	ivyStaff, _, err := e.App.Identity.EnsureStaff(context.Background(), "ivy@forensics.example", "Ivy Investigator", "support", "ivy-password-123")
	require.NoError(t, err)
	r = op.Expect(200, "PUT", "/api/v1/platform/staff/"+ivyStaff.ID.String()+"/sub-processor", map[string]any{"sub_processor_id": sp})
	ivy := e.StaffLogin("ivy@forensics.example", "ivy-password-123")
	body := map[string]any{"ticket": "SEC-1", "reason_code": "security", "justification": "Investigate a report", "areas": []string{"people"}}
	r = ivy.Do("POST", "/api/v1/platform/tenants/"+e.A.ID.String()+"/support-requests", body)
	require.Equal(t, 403, r.Status, "A has not authorised Forensics Ltd: %s", r.Text())
	require.Equal(t, 204, sb.adminA.Do("POST", "/api/v1/t/tenant-a/sub-processors/"+sp+"/decision", map[string]any{"decision": "authorised"}).Status)
	require.Equal(t, 403, ivy.Do("POST", "/api/v1/platform/tenants/"+e.B.ID.String()+"/support-requests", body).Status, "B has not")
	r = ivy.Expect(201, "POST", "/api/v1/platform/tenants/"+e.A.ID.String()+"/support-requests", body)
	id := r.JSON()["id"].(string)
	require.Equal(t, 200, sb.approver.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": true}).Status)
	require.Equal(t, 200, ivy.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	// A objects later: the grant no longer works.
	require.Equal(t, 204, sb.adminA.Do("POST", "/api/v1/t/tenant-a/sub-processors/"+sp+"/decision", map[string]any{"decision": "objected", "reason": "Not in our DPIA"}).Status)
	require.Equal(t, 403, ivy.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	r = sb.adminA.Do("GET", "/api/v1/t/tenant-a/sub-processors", nil)
	require.Contains(t, r.Text(), `"decision":"objected"`)

	// The webhook got the signed alerts (delivery also runs as a job).
	_, err = e.App.Alerts.Deliver(context.Background(), e.A.ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		all := strings.Join(got, "\n")
		return strings.Contains(all, "Forensics Ltd") && strings.Contains(all, "SEC-1")
	}, 10*time.Second, 50*time.Millisecond)
	mu.Lock()
	for i, g := range got { // signed as Standard Webhooks says
		require.NoError(t, verifier.Verify([]byte(g), heads[i]))
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(g), &p))
	}
	mu.Unlock()
}

// Matters of the whole tenant need a role for the whole tenant: a trust's
// school admin cannot become an approver for the trust, decide support
// access, read the access log, set the webhook, sign data use or decide on
// sub-processors. Named people narrow the people area only.
func TestBoundaryNeedsATenantWideRole(t *testing.T) {
	t.Parallel()
	sb := supportSetup(t)
	e := sb.e
	schools := itemsOf[map[string]any](sb.adminA.Do("GET", "/api/v1/t/tenant-a/schools", nil))
	school := schools[0]["id"].(string)
	r := sb.adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "sasha", "display_name": "Sasha School-Admin", "password": "sasha-password-1"})
	sasha := r.JSON()["id"].(string)
	require.Equal(t, 201, sb.adminA.Do("POST", "/api/v1/t/tenant-a/people/"+sasha+"/roles", map[string]any{"role": "admin", "school_id": school}).Status)
	r = sb.adminA.Do("POST", "/api/v1/t/tenant-a/people/"+sasha+"/roles", map[string]any{"role": "approver", "school_id": school})
	require.Equal(t, 400, r.Status, "an approver is for the whole tenant: %s", r.Text())
	schoolAdmin := e.Login(e.A.Slug, "sasha", "sasha-password-1")
	r = schoolAdmin.Expect(400, "POST", "/api/v1/t/tenant-a/people/"+sasha+"/roles", map[string]any{"role": "approver", "school_id": school})

	id := sb.file(t, map[string]any{"ticket": "T-2", "reason_code": "fault", "justification": "x", "areas": []string{"people"}})
	for _, c := range []struct{ method, path string }{
		{"POST", "/support-requests/" + id + "/decision"}, {"POST", "/support-requests/" + id + "/revoke"}, {"GET", "/support-requests"},
		{"GET", "/access-log"}, {"PUT", "/webhook"}, {"GET", "/alerts"}, {"POST", "/data-use-agreements"}, {"GET", "/breaches"},
	} {
		r := schoolAdmin.Do(c.method, "/api/v1/t/tenant-a"+c.path, map[string]any{"approve": true, "url": "https://x.example/h",
			"terms": "t", "purpose": "p", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
		require.Equal(t, 403, r.Status, "%s %s: %s", c.method, c.path, r.Text())
	}
	require.Equal(t, 403, schoolAdmin.Do("GET", "/t/tenant-a/admin/access-log", nil).Status, "pages too")

	r = sb.support.Expect(400, "POST", "/api/v1/platform/tenants/"+e.A.ID.String()+"/support-requests", map[string]any{"ticket": "T-3", "reason_code": "fault",
		"justification": "x", "areas": []string{"people", "assignments"}, "person_ids": []string{sasha}})
	require.Contains(t, r.Text(), `"field":"person_ids"`)
}

// A file link handed to support staff lasts a minute at most, so it stops
// working soon after the grant is revoked (members get the configured
// lifetime).
func TestSupportFileLinksAreShort(t *testing.T) {
	t.Parallel()
	sb := supportSetup(t)
	e := sb.e
	_, err := demo.Seed(context.Background(), demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}, e.A.ID)
	require.NoError(t, err)
	id := sb.file(t, map[string]any{"ticket": "T-5", "reason_code": "fault", "justification": "The PDF will not open", "areas": []string{"courses"}})
	require.Equal(t, 200, sb.approver.Do("POST", "/api/v1/t/tenant-a/support-requests/"+id+"/decision", map[string]any{"approve": true}).Status)
	var courses struct {
		Items []map[string]any `json:"items"`
	}
	sb.support.Do("GET", "/api/v1/t/tenant-a/courses", nil).Decode(&courses)
	require.NotEmpty(t, courses.Items)
	r := sb.support.Expect(200, "GET", "/api/v1/t/tenant-a/courses/"+courses.Items[0]["id"].(string), nil)
	m := regexp.MustCompile(`"id":"([0-9a-f-]{36})","kind":"file"`).FindStringSubmatch(r.Text())
	require.NotNil(t, m, r.Text())
	for who, c := range map[string]*apptest.Client{"support": sb.support, "admin": sb.adminA} {
		r = c.Expect(200, "GET", "/api/v1/t/tenant-a/items/"+m[1], nil)
		exp, err := time.Parse(time.RFC3339, r.JSON()["file"].(map[string]any)["expires_at"].(string))
		require.NoError(t, err)
		if who == "support" {
			require.WithinDuration(t, time.Now().Add(time.Minute), exp, 10*time.Second)
		} else {
			require.WithinDuration(t, time.Now().Add(e.App.Config.DownloadLinkTTL), exp, 10*time.Second)
		}
	}
}

// A school's reads of support requests and breach notices are held to its
// rows by row-level security too, not only by the services' WHERE: in a
// school's scope a query that names no school sees that school's rows.
func TestSchoolScopeSeesOnlyItsRequestsAndNotices(t *testing.T) {
	t.Parallel()
	sb := supportSetup(t)
	e := sb.e
	sb.file(t, map[string]any{"ticket": "A-1", "reason_code": "fault", "justification": "x", "areas": []string{"people"}})
	sb.support.Expect(201, "POST", "/api/v1/platform/tenants/"+e.B.ID.String()+"/support-requests", map[string]any{
		"ticket": "B-1", "reason_code": "fault", "justification": "x", "areas": []string{"people"}})
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	op.Expect(201, "POST", "/api/v1/platform/breaches", map[string]any{"title": "t", "description": "d", "detected_at": time.Now().Add(-time.Hour),
		"tenants": []map[string]any{{"tenant_id": e.B.ID, "data_affected": "names"}}})

	var requests, notices int64
	require.NoError(t, access.Transact(context.Background(), e.App.DB, access.Member(e.A.ID, e.A.AdminID), func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT count(*) FROM support_requests`).Scan(&requests).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT count(*) FROM breach_tenants`).Scan(&notices).Error
	}))
	require.Equal(t, int64(1), requests, "A's scope sees A's request only")
	require.Zero(t, notices, "A's scope sees none of B's breach notices")
	var all int64
	require.NoError(t, e.App.DB.Gorm.Raw(`SELECT count(*) FROM support_requests`).Scan(&all).Error)
	require.Equal(t, int64(2), all, "the processor's own reads, outside any school's scope, see both")
}
