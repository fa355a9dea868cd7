package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// The API copies a course for its teacher (201, a draft they teach),
// refuses its learner, and rolls courses over for the school's admin
// (202), whose progress it reports; a teacher may not roll over.
func TestCopyAndRolloverAPI(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "api-copy-")
	api := "/api/v1/t/tenant-a"
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	course := api + "/courses/" + fx.ID.String()

	r := teacher.Expect(http.StatusCreated, "POST", course+"/copy", map[string]any{"title": "Copied"})
	require.Equal(t, "draft", r.JSON()["status"])
	require.Equal(t, "teacher", r.JSON()["my_role"])
	learner.Expect(http.StatusForbidden, "POST", course+"/copy", map[string]any{"title": "Mine"})
	teacher.Expect(http.StatusBadRequest, "POST", course+"/copy", map[string]any{"title": ""})

	body := map[string]any{"school_id": fx.School, "course_ids": []string{fx.ID.String()}, "suffix": "2027/28"}
	teacher.Expect(http.StatusForbidden, "POST", api+"/rollovers", body)
	r = admin.Expect(http.StatusAccepted, "POST", api+"/rollovers", body)
	id := r.JSON()["id"].(string)
	require.NoError(t, e.App.Courses.RunRollover(context.Background(), e.A.ID, uuid.MustParse(id)))
	r = admin.Expect(http.StatusOK, "GET", api+"/rollovers/"+id, nil)
	require.Equal(t, "done", r.JSON()["status"])
	require.EqualValues(t, 1, r.JSON()["done"])
	teacher.Expect(http.StatusNotFound, "GET", api+"/rollovers/"+id, nil)
}
