package httpapi_test

import (
	"testing"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// Ending sessions through the API: a person ends all their other
// sessions (the one asking stays); an admin ends all of a person's.
// Either takes effect at the ended session's next request.
func TestEndSessionsAPI(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "es-")
	first := e.Login("tenant-a", fx.Learner.Username, lmstest.Password)
	second := e.Login("tenant-a", fx.Learner.Username, lmstest.Password)
	second.Expect(204, "DELETE", "/api/v1/me/sessions/others", nil)
	first.Expect(401, "GET", "/api/v1/me", nil)
	second.Expect(200, "GET", "/api/v1/me", nil)

	admin := e.Login("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	admin.Expect(204, "DELETE", "/api/v1/t/tenant-a/people/"+fx.Learner.ID.String()+"/credentials", nil)
	second.Expect(401, "GET", "/api/v1/me", nil)
	admin.Expect(200, "GET", "/api/v1/me", nil)
}
