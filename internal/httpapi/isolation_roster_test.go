package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// The roster area's objects in tenant A: one applied import of the test
// set (its people, classes and enrolments) whose log entry is the :import.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 80, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		r := rosterUpload(adminA, "/api/v1/t/tenant-a/roster/imports", rosterFiles(t))
		require.Equal(t, 201, r.Status, r.Text())
		ids["import"] = r.JSON()["id"].(string)
		bodies["PUT /api/v1/t/:tenant/schools/:school/roster-codes"] = map[string]any{"dfe_number": "1234567"}
	}})
}
