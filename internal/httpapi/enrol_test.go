package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// A course's teacher finds and enrols the school's learners through the
// API, where the school allows it; learners do not; the school's admin
// stops it. Anyone on the course reports a post; its teacher reads and
// closes the report.
func TestEnrolmentByTeachersAndReportsAPI(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "api-en-")
	base := "/api/v1/t/tenant-a"
	path := base + "/courses/" + fx.ID.String()
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)

	require.Equal(t, 400, teacher.Do("GET", path+"/enrolment-candidates?q=a", nil).Status, "two characters at least")
	require.Equal(t, 403, learner.Do("GET", path+"/enrolment-candidates?q=api", nil).Status)
	r := teacher.Expect(200, "GET", path+"/enrolment-candidates?q=outsider", nil)
	require.Contains(t, r.Text(), fx.Outsider.ID.String())
	require.Equal(t, 400, teacher.Do("POST", path+"/enrolments", map[string]any{"people": []string{fx.Outsider.ID.String()}, "kind": "class"}).Status)
	r = teacher.Expect(200, "POST", path+"/enrolments", map[string]any{"people": []string{fx.Outsider.ID.String()}})
	require.EqualValues(t, 1, r.JSON()["added"])

	school := firstSchool(t, admin, "tenant-a")
	require.Equal(t, 403, teacher.Do("PUT", base+"/schools/"+school+"/teachers-enrol", map[string]any{"teachers_enrol": false}).Status)
	admin.Expect(200, "PUT", base+"/schools/"+school+"/teachers-enrol", map[string]any{"teachers_enrol": false})
	r = teacher.Expect(200, "GET", base+"/schools/"+school+"/teachers-enrol", nil)
	require.Equal(t, false, r.JSON()["teachers_enrol"])
	require.Equal(t, 403, teacher.Do("POST", path+"/enrolments", map[string]any{"people": []string{fx.Outsider.ID.String()}}).Status)

	// Reports.
	r = teacher.Expect(201, "POST", path+"/forums", map[string]any{"title": "Questions"})
	forum := r.JSON()["id"].(string)
	r = learner.Expect(201, "POST", base+"/forums/"+forum+"/threads", map[string]any{"title": "Hi", "body": "Hello"})
	post := r.JSON()["first_post"].(map[string]any)["id"].(string)
	r = learner.Expect(201, "POST", base+"/posts/"+post+"/reports", map[string]any{"reason": "Wrong thread"})
	report := r.JSON()["id"].(string)
	require.Equal(t, 403, learner.Do("GET", base+"/forums/"+forum+"/reports", nil).Status)
	r = teacher.Expect(200, "GET", base+"/forums/"+forum+"/reports", nil)
	require.Contains(t, r.Text(), "Wrong thread")
	require.Equal(t, 400, teacher.Do("POST", base+"/reports/"+report+"/close", map[string]any{"outcome": "hidden"}).Status, "hiding says why")
	teacher.Expect(204, "POST", base+"/reports/"+report+"/close", map[string]any{"outcome": "dismissed"})
	require.Equal(t, 409, teacher.Do("POST", base+"/reports/"+report+"/close", map[string]any{"outcome": "dismissed"}).Status)
}
