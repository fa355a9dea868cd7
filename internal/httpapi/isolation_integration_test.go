package httpapi_test

import (
	"testing"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// The integrations area's objects in tenant A: one registered integration,
// the :integration of the API's and the page's revoke routes.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 85, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		id, _, _ := registerIntegration(t, adminA, e.A.Slug, "Isolation reports", "courses:read")
		ids["integration"] = id
		bodies["POST /api/v1/t/:tenant/integrations"] = map[string]any{"name": "Intruder's", "scopes": []string{"courses:read"}}
	}})
}
