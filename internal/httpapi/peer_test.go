package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// Peer assessment: learners rate their group members; a learner sees only
// averages of what they received (none from a single rater), never who
// rated them; the teacher sees who rated whom and suggested weightings;
// nobody outside the group or course takes part.
func TestPeerAssessmentLearnerNeverSeesWhoRatedThem(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "peer-")
	base := "/api/v1/t/tenant-a"
	course := base + "/courses/" + fx.ID.String()
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	teacher, l1, l2, outsider := login(fx.Teacher), login(fx.Learner), login(fx.Learner2), login(fx.Outsider)

	// A third learner, and a group of the three.
	r := admin.Expect(http.StatusCreated, "POST", base+"/people", map[string]any{"username": "peer-third", "display_name": "Third Learner", "role": "learner", "password": lmstest.Password})
	third := r.JSON()["id"].(string)
	require.Equal(t, http.StatusOK, admin.Do("PUT", course+"/enrolments/"+third, map[string]any{"role": "learner"}).Status)
	l3 := e.Login(e.A.Slug, "peer-third", lmstest.Password)
	r = teacher.Expect(http.StatusCreated, "POST", course+"/groups", map[string]any{"name": "Team Blue"})
	group := r.JSON()["id"].(string)
	for _, p := range []string{fx.Learner.ID.String(), fx.Learner2.ID.String(), third} {
		require.Equal(t, http.StatusNoContent, teacher.Do("PUT", base+"/groups/"+group+"/members/"+p, nil).Status)
	}
	r = teacher.Expect(http.StatusCreated, "POST", course+"/assignments", map[string]any{"section_id": fx.Section, "title": "Group project", "due_at": time.Now().Add(48 * time.Hour), "max_score": 100, "published": true})
	assignment := r.JSON()["id"].(string)

	r = l1.Expect(http.StatusForbidden, "POST", base+"/assignments/"+assignment+"/peer-assessment", map[string]any{"criteria": []string{"x"}, "closes_at": time.Now().Add(time.Hour)})
	r = teacher.Expect(http.StatusBadRequest, "POST", base+"/assignments/"+assignment+"/peer-assessment", map[string]any{"criteria": []string{}, "closes_at": time.Now().Add(-time.Hour)})
	require.ElementsMatch(t, []string{"closes_at", "criteria"}, fieldsOf(t, r))
	r = teacher.Expect(http.StatusCreated, "POST", base+"/assignments/"+assignment+"/peer-assessment", map[string]any{"criteria": []string{"Did their share", "Helped others"}, "closes_at": time.Now().Add(time.Hour)})
	pa := base + "/peer-assessments/" + r.JSON()["id"].(string)

	rate := func(c *apptest.Client, who string, scores map[string]int) int {
		return c.Do("PUT", pa+"/ratings/"+who, map[string]any{"scores": scores}).Status
	}
	require.Equal(t, http.StatusNoContent, rate(l2, fx.Learner.ID.String(), map[string]int{"c1": 5, "c2": 4}))
	require.Equal(t, http.StatusBadRequest, rate(l2, fx.Learner.ID.String(), map[string]int{"c1": 9}))
	require.Equal(t, http.StatusBadRequest, rate(l2, fx.Learner.ID.String(), map[string]int{"c7": 3}))
	require.Equal(t, http.StatusNotFound, rate(l2, fx.Teacher.ID.String(), map[string]int{"c1": 3}), "not in the group")
	require.Equal(t, http.StatusNotFound, rate(l2, fx.Learner2.ID.String(), map[string]int{"c1": 5}), "not themselves")
	require.Contains(t, []int{403, 404}, rate(outsider, fx.Learner.ID.String(), map[string]int{"c1": 1}))

	// One rating so far: the average is not shown (it would say what L2 gave).
	mine := func(c *apptest.Client) (*apptest.Response, []map[string]any) {
		r := c.Expect(http.StatusOK, "GET", pa+"/mine", nil)
		var v struct {
			Received []map[string]any `json:"received"`
		}
		r.Decode(&v)
		return r, v.Received
	}
	_, got := mine(l1)
	require.Len(t, got, 2)
	require.Nil(t, got[0]["average"])
	require.Equal(t, http.StatusNoContent, rate(l3, fx.Learner.ID.String(), map[string]int{"c1": 3, "c2": 2}))
	_, got = mine(l1)
	require.Nil(t, got[0]["average"], "not while rating is open: each new rating would show in the average (probe finding)")
	conn, err := pgx.Connect(context.Background(), e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), `UPDATE peer_assessments SET closes_at = now() - interval '1 minute' WHERE id = $1`, pa[len(base+"/peer-assessments/"):])
	require.NoError(t, err)
	raw, got := mine(l1)
	require.Equal(t, 4.0, got[0]["average"])
	require.Equal(t, 3.0, got[1]["average"])
	// Who rated L1 is nowhere in what L1 receives about the ratings.
	var v struct {
		Received any `json:"received"`
	}
	raw.Decode(&v)
	require.NotContains(t, string(mustJSON(t, v.Received)), fx.Learner2.ID.String())
	require.NotContains(t, string(mustJSON(t, v.Received)), third)
	require.Equal(t, http.StatusForbidden, l1.Do("GET", pa+"/results", nil).Status, "learners never see who gave what")

	// The teacher sees who rated whom and the suggested weightings.
	r = teacher.Expect(http.StatusOK, "GET", pa+"/results", nil)
	require.Contains(t, r.Text(), fx.Learner2.ID.String())
	var res struct {
		Weightings []struct {
			PersonID  string  `json:"person_id"`
			Suggested float64 `json:"suggested_weighting"`
		} `json:"weightings"`
	}
	r.Decode(&res)
	w := map[string]float64{}
	for _, x := range res.Weightings {
		w[x.PersonID] = x.Suggested
	}
	require.Equal(t, 3.0, w[fx.Learner.ID.String()], "every point given in the group went to L1: 14 of 14, times 3")
	require.Equal(t, 0.0, w[third])
	require.Equal(t, http.StatusNotFound, e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword).Do("GET", "/api/v1/t/tenant-b/peer-assessments/"+pa[len(base+"/peer-assessments/"):]+"/results", nil).Status)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
