package httpapi_test

import (
	"testing"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// The controller toolkit's objects in tenant A: a subject request about
// the fixture person (:sreq), an export of them (:export), a legal hold
// (:hold) and a linked guardian (:guardian). Consent purposes and
// retention categories are the platform's names, the same in every
// tenant.
func init() {
	sharedParams[":purpose"], sharedParams[":category"] = true, true
	areaFixtures = append(areaFixtures, areaFixture{order: 95, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		person := ids["id"]
		r := adminA.Expect(201, "POST", "/api/v1/t/tenant-a/subject-requests", map[string]any{"person_id": person, "kind": "access"})
		ids["sreq"] = r.JSON()["id"].(string)
		r = adminA.Expect(202, "POST", "/api/v1/t/tenant-a/people/"+person+"/exports", map[string]any{"request_id": ids["sreq"]})
		ids["export"] = r.JSON()["id"].(string)
		r = adminA.Expect(201, "POST", "/api/v1/t/tenant-a/retention/holds", map[string]any{"person_id": person, "reason": "insurance claim"})
		ids["hold"] = r.JSON()["id"].(string)
		r = adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "parent-a", "display_name": "Parent A"})
		guardian := r.JSON()["id"].(string)
		r = adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people/"+guardian+"/roles", map[string]any{"role": "guardian"})
		r = adminA.Expect(204, "POST", "/api/v1/t/tenant-a/people/"+person+"/guardians", map[string]any{"guardian_id": guardian})
		ids["guardian"], ids["purpose"], ids["category"] = guardian, "optional-communications", "activity"
		give := map[string]any{"purpose": "optional-communications", "given": true, "method": "paper"}
		for k, v := range map[string]any{
			"POST /api/v1/t/:tenant/subject-requests":         map[string]any{"person_id": person, "kind": "erasure"},
			"PATCH /api/v1/t/:tenant/subject-requests/:sreq":  map[string]any{"notes": "called the parent"},
			"POST /api/v1/t/:tenant/people/:id/exports":       map[string]any{},
			"POST /api/v1/t/:tenant/people/:id/erasure":       map[string]any{"confirm": "pupil"},
			"POST /api/v1/t/:tenant/people/:id/restriction":   map[string]any{"reason": "contests accuracy"},
			"POST /api/v1/t/:tenant/people/:id/consents":      give,
			"POST /api/v1/t/:tenant/people/:id/guardians":     map[string]any{"guardian_id": guardian},
			"PUT /api/v1/t/:tenant/retention/:category":       map[string]any{"months": 6},
			"POST /api/v1/t/:tenant/retention/holds":          map[string]any{"person_id": person, "reason": "claim"},
			"POST /api/v1/t/:tenant/my/requests":              map[string]any{"kind": "access"},
			"POST /api/v1/t/:tenant/my/consents":              give,
			"POST /api/v1/t/:tenant/my/children/:id/consents": give,
			"POST /api/v1/t/:tenant/my/children/:id/requests": map[string]any{"kind": "access"},
		} {
			bodies[k] = v
		}
	}})
}
