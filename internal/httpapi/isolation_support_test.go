package httpapi_test

import (
	"testing"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// The processor boundary's objects: a support request to tenant A (the
// :request) and a registered sub-processor (the :sp). Both admins also
// become approvers, so that B's refusals come from isolation, not roles.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 90, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
		for _, who := range []struct {
			c    *apptest.Client
			slug string
			id   string
		}{{adminA, e.A.Slug, e.A.AdminID.String()}, {adminB, e.B.Slug, e.B.AdminID.String()}} {
			who.c.Expect(201, "POST", "/api/v1/t/"+who.slug+"/people/"+who.id+"/roles", map[string]any{"role": "approver"})
		}
		support := e.StaffLogin(e.Support, apptest.SupportPassword)
		r := support.Expect(201, "POST", "/api/v1/platform/tenants/"+e.A.ID.String()+"/support-requests", map[string]any{
			"ticket": "T-1", "reason_code": "fault", "justification": "The course page fails to load", "areas": []string{"courses"}})
		ids["request"] = r.JSON()["id"].(string)
		op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
		r = op.Expect(201, "POST", "/api/v1/platform/sub-processors", map[string]any{"name": "Investigations Ltd", "purpose": "Forensic support", "country": "ie"})
		ids["sp"] = r.JSON()["id"].(string)
		bodies["POST /api/v1/t/:tenant/support-requests/:request/decision"] = map[string]any{"approve": true}
		bodies["POST /api/v1/t/:tenant/sub-processors/:sp/decision"] = map[string]any{"decision": "objected"}
		bodies["PUT /api/v1/t/:tenant/webhook"] = map[string]any{"url": "https://school.example/hook"}
		agreement := map[string]any{"terms": "Copies for testing only", "purpose": "Testing the timetable import", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}
		r = adminA.Expect(201, "POST", "/api/v1/t/tenant-a/data-use-agreements", agreement)
		ids["agreement"] = r.JSON()["id"].(string)
		bodies["POST /api/v1/t/:tenant/data-use-agreements"] = agreement
	}})
}
