package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// A personal tutor sees a tutee's engagement and records meetings while
// the tutorship lasts and the learner is at the school, and loses access
// the day the learner leaves. What a learner shares about their health
// needs their explicit consent and is seen only by their tutor and the
// staff they name: not their admins, not other learners, not another
// school.
func TestTutorLosesAccessWhenLearnerLeaves(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "tut-")
	base := "/api/v1/t/tenant-a"
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	learner, learner2, teacher, other := login(fx.Learner), login(fx.Learner2), login(fx.Teacher), login(fx.OtherTeacher)
	r := admin.Expect(http.StatusCreated, "POST", base+"/people", map[string]any{"username": "tut-tutor", "display_name": "Tess Tutor", "role": "tutor", "password": lmstest.Password})
	tutorID := r.JSON()["id"].(string)
	tutor := e.Login(e.A.Slug, "tut-tutor", lmstest.Password)
	lid := fx.Learner.ID.String()

	require.Equal(t, http.StatusBadRequest, admin.Do("PUT", base+"/people/"+lid+"/tutors/"+fx.Teacher.ID.String(), nil).Status, "not a tutor")
	require.Equal(t, http.StatusForbidden, teacher.Do("PUT", base+"/people/"+lid+"/tutors/"+tutorID, nil).Status)
	require.Equal(t, http.StatusNotFound, tutor.Do("GET", base+"/tutees/"+lid+"/engagement", nil).Status, "not yet their tutor")
	require.Equal(t, http.StatusNoContent, admin.Do("PUT", base+"/people/"+lid+"/tutors/"+tutorID, nil).Status)

	r = tutor.Expect(http.StatusOK, "GET", base+"/tutees", nil)
	require.Contains(t, r.Text(), lid)
	r = tutor.Expect(http.StatusOK, "GET", base+"/tutees/"+lid+"/engagement", nil)
	require.Contains(t, r.Text(), fx.ID.String(), "their course")
	r = tutor.Expect(http.StatusCreated, "POST", base+"/tutees/"+lid+"/meetings", map[string]any{"met_on": time.Now().Format(time.DateOnly), "notes": "Settling in well.", "agreed_support": "Weekly check-in"})
	require.Equal(t, http.StatusBadRequest, tutor.Do("POST", base+"/tutees/"+lid+"/meetings", map[string]any{"met_on": "2999-01-01"}).Status)
	require.Equal(t, http.StatusNotFound, tutor.Do("GET", base+"/tutees/"+fx.Learner2.ID.String()+"/meetings", nil).Status, "not their tutee")
	require.Equal(t, http.StatusForbidden, teacher.Do("GET", base+"/tutees/"+lid+"/meetings", nil).Status)

	// Sharing needs explicit consent, and goes to the tutor and the named teacher only.
	r = learner.Expect(http.StatusBadRequest, "POST", base+"/my/disclosures", map[string]any{"category": "health", "details": "I have epilepsy.", "shared_with": []string{fx.Teacher.ID.String()}})
	require.Contains(t, fieldsOf(t, r), "consent")
	r = learner.Do("POST", base+"/my/disclosures", map[string]any{"category": "health", "details": "I have epilepsy.", "shared_with": []string{fx.Teacher.ID.String()}, "consent": true})
	require.Equal(t, http.StatusBadRequest, r.Status, "the school's consent purpose must be in force first")
	r = learner.Expect(http.StatusCreated, "POST", base+"/my/consents", map[string]any{"purpose": "special-category", "given": true})
	r = learner.Expect(http.StatusCreated, "POST", base+"/my/disclosures", map[string]any{"category": "health", "details": "I have epilepsy.", "shared_with": []string{fx.Teacher.ID.String()}, "consent": true})
	require.Contains(t, r.Text(), "consent_wording")
	seen := func(c *apptest.Client) int {
		r := c.Do("GET", base+"/people/"+lid+"/disclosures", nil)
		if r.Status == http.StatusOK {
			require.Contains(t, r.Text(), "epilepsy")
		}
		return r.Status
	}
	require.Equal(t, http.StatusOK, seen(learner))
	require.Equal(t, http.StatusOK, seen(tutor))
	require.Equal(t, http.StatusOK, seen(teacher), "named by the learner")
	require.Equal(t, http.StatusNotFound, seen(other), "a teacher not named")
	require.Equal(t, http.StatusNotFound, seen(admin), "admins as such do not see it")
	require.Contains(t, []int{403, 404}, seen(learner2))
	require.Equal(t, http.StatusNotFound, e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword).Do("GET", "/api/v1/t/tenant-b/people/"+lid+"/disclosures", nil).Status)

	// An admin's export of the learner leaves it out (probe finding); the
	// learner's own export carries it.
	exportHas := func(c *apptest.Client, start, download string) bool {
		r := c.Expect(http.StatusAccepted, "POST", start, map[string]any{})
		x := r.JSON()["id"].(string)
		require.NoError(t, e.App.Subjects.RunExport(context.Background(), e.A.ID, uuid.MustParse(x)))
		r = c.Expect(http.StatusOK, "GET", strings.Replace(download, "{x}", x, 1), nil)
		res, err := http.Get(r.JSON()["url"].(string))
		require.NoError(t, err)
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		require.NoError(t, err)
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if bytes.Contains(b, []byte("epilepsy")) {
				return true
			}
		}
		return false
	}
	require.False(t, exportHas(admin, base+"/people/"+lid+"/exports", base+"/exports/{x}/download"))
	require.True(t, exportHas(learner, base+"/my/exports", base+"/my/exports/{x}/download"))

	// Withdrawing consent counts at once.
	require.Equal(t, http.StatusCreated, learner.Do("POST", base+"/my/consents", map[string]any{"purpose": "special-category", "given": false}).Status)
	require.Equal(t, http.StatusNotFound, seen(teacher))
	r = tutor.Do("GET", base+"/people/"+lid+"/disclosures", nil)
	require.NotContains(t, r.Text(), "epilepsy")
	require.Equal(t, http.StatusOK, seen(learner), "the learner still sees (and can withdraw) what they shared")
	require.Equal(t, http.StatusCreated, learner.Do("POST", base+"/my/consents", map[string]any{"purpose": "special-category", "given": true}).Status)
	require.Equal(t, http.StatusOK, seen(teacher))

	// The learner leaves: the tutor's access ends that day.
	r = admin.Expect(http.StatusOK, "PATCH", base+"/people/"+lid, map[string]any{"left_on": time.Now().Format(time.DateOnly)})
	require.Equal(t, http.StatusNotFound, tutor.Do("GET", base+"/tutees/"+lid+"/engagement", nil).Status)
	require.Equal(t, http.StatusNotFound, tutor.Do("GET", base+"/tutees/"+lid+"/meetings", nil).Status)
	require.Equal(t, http.StatusNotFound, seen(tutor))
	require.Equal(t, http.StatusNotFound, seen(teacher))
	r = tutor.Do("GET", base+"/tutees", nil)
	require.NotContains(t, r.Text(), lid)

	// Ending a tutorship ends access too.
	l2 := fx.Learner2.ID.String()
	require.Equal(t, http.StatusNoContent, admin.Do("PUT", base+"/people/"+l2+"/tutors/"+tutorID, nil).Status)
	require.Equal(t, http.StatusOK, tutor.Do("GET", base+"/tutees/"+l2+"/engagement", nil).Status)
	require.Equal(t, http.StatusNoContent, admin.Do("DELETE", base+"/people/"+l2+"/tutors/"+tutorID, nil).Status)
	require.Equal(t, http.StatusNotFound, tutor.Do("GET", base+"/tutees/"+l2+"/engagement", nil).Status)
}
