package httpapi_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
)

var orderDoc = strings.Repeat("ab", 32) // a SHA-256 in hex

// sbDB runs SQL as the database's administrator (to move time along).
func sbDB(t *testing.T, e *apptest.Env, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), sql)
	require.NoError(t, err)
}

func accessLog(t *testing.T, c *apptest.Client, slug string) string {
	t.Helper()
	r := c.Expect(200, "GET", "/api/v1/t/"+slug+"/access-log?limit=200", nil)
	return r.Text()
}

// Operators read a tenant only under a recorded legal order, read-only and
// within its areas. With the notice deferred the tenant sees nothing, not
// even a gap in its log; when notice is given it sees the order and every
// read in order, with the operator's name and the order's reference.
func TestLegalOrders(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	support := e.StaffLogin(e.Support, apptest.SupportPassword)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	require.Equal(t, 403, op.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	logBefore := accessLog(t, adminA, "tenant-a")

	orders := "/api/v1/platform/tenants/" + e.A.ID.String() + "/legal-orders"
	r := op.Expect(400, "POST", orders, map[string]any{"reference": "", "issuing_body": "", "order_date": "2999-01-01", "scope": "",
		"areas": []string{"nothing"}, "document_sha256": "abc", "deferred": true})
	for _, f := range []string{"reference", "issuing_body", "order_date", "scope", "areas", "document_sha256", "deferral_reason"} {
		require.Contains(t, r.Text(), `"field":"`+f+`"`)
	}
	order := map[string]any{"reference": "CO-2026-117", "issuing_body": "High Court of Justice", "order_date": "2026-11-20",
		"scope": "Account records of one named person", "areas": []string{"people"}, "document_sha256": orderDoc,
		"deferred": true, "deferral_reason": "The order prohibits disclosure for 28 days", "notice_by": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}
	require.Equal(t, 403, support.Do("POST", orders, order).Status, "only operators record orders")
	order["valid_days"] = 90
	require.Equal(t, 400, op.Do("POST", orders, order).Status, "at most 30 days")
	delete(order, "valid_days")
	r = op.Expect(201, "POST", orders, order)
	id := r.JSON()["id"].(string)

	// Nothing is read until a second operator confirms the record.
	require.Equal(t, 403, op.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	require.Equal(t, 403, op.Do("POST", "/api/v1/platform/legal-orders/"+id+"/confirm", nil).Status, "not the one who recorded it")
	_, _, err := e.App.Identity.EnsureStaff(context.Background(), "second@processor.example", "Sol Second", "operator", "second-password-123")
	require.NoError(t, err)
	second := e.StaffLogin("second@processor.example", "second-password-123")
	r = second.Expect(200, "POST", "/api/v1/platform/legal-orders/"+id+"/confirm", nil)
	require.Equal(t, "Sol Second", r.JSON()["confirmed_by_name"])
	require.Equal(t, 403, second.Do("GET", "/api/v1/t/tenant-a/people", nil).Status, "only the recording operator reads")

	require.Equal(t, 200, op.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	require.Equal(t, 200, op.Do("GET", "/api/v1/t/tenant-a/people/"+e.A.AdminID.String(), nil).Status)
	require.Equal(t, 403, op.Do("PATCH", "/api/v1/t/tenant-a/people/"+e.A.AdminID.String(), map[string]any{"display_name": "X"}).Status)
	require.Equal(t, 403, op.Do("GET", "/api/v1/t/tenant-a/courses", nil).Status, "not in the order's areas")
	require.Equal(t, 403, op.Do("GET", "/api/v1/t/tenant-b/people", nil).Status, "no order for B")
	require.Equal(t, logBefore, accessLog(t, adminA, "tenant-a"), "deferred: nothing in the tenant's sight")
	require.NotContains(t, adminA.Do("GET", "/api/v1/t/tenant-a/alerts", nil).Text(), "CO-2026-117")
	r = op.Do("GET", "/api/v1/platform/legal-orders", nil)
	require.Contains(t, r.Text(), `"reads":2`)

	r = op.Expect(200, "POST", "/api/v1/platform/legal-orders/"+id+"/notice", nil)
	require.Equal(t, 409, op.Do("POST", "/api/v1/platform/legal-orders/"+id+"/notice", nil).Status)
	log := accessLog(t, adminA, "tenant-a")
	require.Contains(t, log, `"action":"legal.order-recorded"`)
	require.Equal(t, 2, strings.Count(log, `"action":"legal.read"`))
	require.Contains(t, log, `"actor_name":"Olive Operator"`)
	require.Contains(t, log, `"ticket":"CO-2026-117"`)
	require.Contains(t, log, "The order prohibits disclosure")
	require.Contains(t, adminA.Do("GET", "/api/v1/t/tenant-a/alerts", nil).Text(), "High Court of Justice")
	// Reads after notice go straight to the log.
	require.Equal(t, 200, op.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	require.Equal(t, 3, strings.Count(accessLog(t, adminA, "tenant-a"), `"action":"legal.read"`))
	require.NotContains(t, accessLog(t, adminB, "tenant-b"), "CO-2026-117")

	// Not deferred: the tenant is told at once.
	order["deferred"], order["deferral_reason"], order["reference"], order["notice_by"] = false, "", "CO-2026-200", ""
	r = op.Expect(201, "POST", "/api/v1/platform/tenants/"+e.B.ID.String()+"/legal-orders", order)
	require.Contains(t, accessLog(t, adminB, "tenant-b"), "CO-2026-200")

	// A deferred notice is given on its latest day even if nobody acts.
	order["deferred"], order["deferral_reason"], order["reference"] = true, "Gagged", "CO-2026-300"
	order["notice_by"] = time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	r = op.Expect(201, "POST", "/api/v1/platform/tenants/"+e.B.ID.String()+"/legal-orders", order)
	require.NotContains(t, accessLog(t, adminB, "tenant-b"), "CO-2026-300")
	sbDB(t, e, `UPDATE legal_orders SET notice_by = current_date WHERE reference = 'CO-2026-300'`)
	n, err := e.App.Support.GiveDueNotices(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Contains(t, accessLog(t, adminB, "tenant-b"), "CO-2026-300")
}

// A breach recorded by an operator reaches each affected tenant (and only
// those) with the 72-hour clock, in its alerts and its audit log.
func TestBreachRegister(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	detected := time.Now().Add(-5 * time.Hour).UTC().Truncate(time.Second)

	r := op.Expect(400, "POST", "/api/v1/platform/breaches", map[string]any{"title": "", "description": "", "detected_at": time.Now().Add(time.Hour), "tenants": []any{}})
	for _, f := range []string{"title", "description", "detected_at", "tenants"} {
		require.Contains(t, r.Text(), `"field":"`+f+`"`)
	}
	r = op.Expect(400, "POST", "/api/v1/platform/breaches", map[string]any{"title": "x", "description": "x", "detected_at": "yesterday", "tenants": []any{}})
	require.Contains(t, r.Text(), `"field":"detected_at"`, "a bad time is reported on its field")
	body := map[string]any{"title": "Misdirected export", "description": "A report was emailed to the wrong address.", "detected_at": detected,
		"tenants": []map[string]any{{"tenant_id": e.A.ID, "data_affected": "Names and marks of one class"}}}
	require.Equal(t, 403, e.StaffLogin(e.Support, apptest.SupportPassword).Do("POST", "/api/v1/platform/breaches", body).Status)
	r = op.Expect(201, "POST", "/api/v1/platform/breaches", body)

	r = adminA.Expect(200, "GET", "/api/v1/t/tenant-a/breaches", nil)
	got := itemsOf[map[string]any](r)
	require.Len(t, got, 1)
	require.Equal(t, "Names and marks of one class", got[0]["data_affected"])
	reportBy, err := time.Parse(time.RFC3339, got[0]["report_by"].(string))
	require.NoError(t, err)
	require.Equal(t, detected.Add(72*time.Hour), reportBy.UTC())
	require.Contains(t, adminA.Do("GET", "/api/v1/t/tenant-a/alerts", nil).Text(), "Misdirected export")
	require.Contains(t, accessLog(t, adminA, "tenant-a"), `"action":"breach.notified"`)
	r = adminB.Do("GET", "/api/v1/t/tenant-b/breaches", nil)
	require.Empty(t, itemsOf[map[string]any](r))
	require.NotContains(t, adminB.Do("GET", "/api/v1/t/tenant-b/alerts", nil).Text(), "Misdirected")
	require.Contains(t, op.Do("GET", "/api/v1/platform/breaches", nil).Text(), e.A.ID.String())
}

// Repeated failed sign-ins and a token used from a new network are shown
// to the person's school admins (not another school's); operators see only
// counts.
func TestSecuritySignals(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1/32"} })
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	r := adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "rob", "display_name": "Rob Target", "password": "rob-password-123"})
	anon := e.Anonymous()
	for i := 0; i < 5; i++ {
		anon.DoWith("POST", "/api/v1/auth/login", map[string]string{"tenant": "tenant-a", "username": "rob", "password": "wrong-password"},
			map[string]string{"X-Forwarded-For": "198.51.100." + string(rune('1'+i))})
	}
	r = adminA.Expect(200, "GET", "/api/v1/t/tenant-a/security-events", nil)
	require.Contains(t, r.Text(), `"kind":"failed-logins"`)
	require.Contains(t, r.Text(), "Rob Target")
	require.NotContains(t, r.Text(), "198.51.100", "no addresses in signals")

	tok := adminA.Expect(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "sync", "expires_in_days": 30})
	bearer := e.Anonymous()
	bearer.Bearer = tok.JSON()["secret"].(string)
	require.Equal(t, 200, bearer.DoWith("GET", "/api/v1/me", nil, map[string]string{"X-Forwarded-For": "203.0.113.7"}).Status)
	require.Equal(t, 200, bearer.DoWith("GET", "/api/v1/me", nil, map[string]string{"X-Forwarded-For": "203.0.114.9"}).Status, "same /16")
	require.NotContains(t, adminA.Do("GET", "/api/v1/t/tenant-a/security-events", nil).Text(), "token-new-network")
	require.Equal(t, 200, bearer.DoWith("GET", "/api/v1/me", nil, map[string]string{"X-Forwarded-For": "192.0.2.44"}).Status)
	require.Contains(t, adminA.Do("GET", "/api/v1/t/tenant-a/security-events", nil).Text(), `"kind":"token-new-network"`)
	require.NotContains(t, adminB.Do("GET", "/api/v1/t/tenant-b/security-events", nil).Text(), "Rob Target")

	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	r = op.Expect(200, "GET", "/api/v1/platform/security-signals", nil)
	require.Contains(t, r.Text(), `"failed-logins":1`)
	require.Contains(t, r.Text(), `"token-new-network":1`)
	require.NotContains(t, r.Text(), "Rob")
	require.NotContains(t, r.Text(), "tenant-a")
}

// The processor's record for a tenant comes from the registry and the
// sub-processor register, as JSON and CSV.
func TestProcessorRecords(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	require.Equal(t, 201, op.Do("POST", "/api/v1/platform/sub-processors", map[string]any{"name": "Mail Relay AB", "purpose": "Sending email", "country": "se"}).Status)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := adminA.Expect(200, "GET", "/api/v1/t/tenant-a/processor-records", nil)
	for _, want := range []string{`"controller":"School tenant-a"`, `"table":"people"`, `"table":"submissions"`, "Mail Relay AB", "Sweden", "row-level security"} {
		require.Contains(t, r.Text(), want)
	}
	r = adminA.Expect(200, "GET", "/api/v1/t/tenant-a/processor-records?format=csv", nil)
	require.Contains(t, r.Text(), "sub-processor,Mail Relay AB")
}

// Reads racing the notice of a deferred order all end up in the school's
// log: none is left behind, undisclosed.
func TestLegalNoticeRaceLeavesNoReadBehind(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	_, _, err := e.App.Identity.EnsureStaff(context.Background(), "second@processor.example", "Sol Second", "operator", "second-password-123")
	require.NoError(t, err)
	second := e.StaffLogin("second@processor.example", "second-password-123")
	r := op.Expect(201, "POST", "/api/v1/platform/tenants/"+e.A.ID.String()+"/legal-orders", map[string]any{"reference": "CO-RACE", "issuing_body": "Court",
		"order_date": "2026-11-20", "scope": "s", "areas": []string{"people"}, "document_sha256": orderDoc, "deferred": true, "deferral_reason": "gag",
		"notice_by": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
	id := r.JSON()["id"].(string)
	require.Equal(t, 200, second.Do("POST", "/api/v1/platform/legal-orders/"+id+"/confirm", nil).Status)

	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				if op.Do("GET", "/api/v1/t/tenant-a/people", nil).Status == 200 {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	require.Equal(t, 200, second.Do("POST", "/api/v1/platform/legal-orders/"+id+"/notice", nil).Status)
	wg.Wait()
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, ok, strings.Count(accessLog(t, adminA, "tenant-a"), `"action":"legal.read"`), "every read let through is in the log")
}
