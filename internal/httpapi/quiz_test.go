package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

type sheet struct {
	Quiz struct {
		ID string `json:"id"`
	} `json:"quiz"`
	Attempt struct {
		ID         string    `json:"id"`
		StartedAt  time.Time `json:"started_at"`
		DeadlineAt time.Time `json:"deadline_at"`
		Status     string    `json:"status"`
		Score      *float64  `json:"score"`
		MaxScore   float64   `json:"max_score"`
	} `json:"attempt"`
	Questions []map[string]any `json:"questions"`
	Answers   []struct {
		QuestionID string          `json:"question_id"`
		Response   json.RawMessage `json:"response"`
		AutoScore  *float64        `json:"auto_score"`
	} `json:"answers"`
}

// A timed quiz: a learner with 25 % extra time gets exactly 25 % longer;
// answers are saved as they are given, so an attempt survives a dropped
// connection (a new session resumes it with every answer); the key is
// never shown to learners; objective questions are scored on hand-in, an
// essay by the teacher; learners see results once released; nobody else
// reaches an attempt.
func TestTimedQuizExtraTimeAndDroppedConnection(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "quiz-")
	base := "/api/v1/t/tenant-a"
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	teacher, learner, learner2, outsider := login(fx.Teacher), login(fx.Learner), login(fx.Learner2), login(fx.Outsider)
	other := login(fx.OtherTeacher)
	course := base + "/courses/" + fx.ID.String()

	add := func(body map[string]any) string {
		r := teacher.Expect(http.StatusCreated, "POST", course+"/questions", body)
		return r.JSON()["id"].(string)
	}
	single := add(map[string]any{"kind": "single", "prompt": "2 + 2?", "points": 1,
		"options": []map[string]string{{"id": "a", "text": "3"}, {"id": "b", "text": "4"}}, "answer": map[string]any{"options": []string{"b"}}})
	numeric := add(map[string]any{"kind": "numeric", "prompt": "Pi to two places?", "points": 2, "answer": map[string]any{"value": 3.14, "tolerance": 0.005}})
	short := add(map[string]any{"kind": "short", "prompt": "Capital of France?", "points": 1, "answer": map[string]any{"accept": []string{"Paris"}}})
	essay := add(map[string]any{"kind": "essay", "prompt": "Why?", "points": 5})
	// Bad questions: field-level 400s.
	for _, bad := range []map[string]any{
		{"kind": "riddle", "prompt": "x", "points": 1},
		{"kind": "single", "prompt": "x", "points": 1, "options": []map[string]string{{"id": "a", "text": "A"}, {"id": "b", "text": "B"}}, "answer": map[string]any{"options": []string{"z"}}},
		{"kind": "numeric", "prompt": "x", "points": 1},
		{"kind": "essay", "prompt": "x", "points": 0},
		{"kind": "essay", "prompt": "x", "points": 0.004},
		{"kind": "essay", "prompt": "", "points": 1},
	} {
		teacher.Expect(http.StatusBadRequest, "POST", course+"/questions", bad)
	}
	require.Equal(t, http.StatusForbidden, learner.Do("POST", course+"/questions", map[string]any{"kind": "essay", "prompt": "x", "points": 1}).Status)
	require.Equal(t, http.StatusForbidden, learner.Do("GET", course+"/questions", nil).Status)
	require.Contains(t, []int{403, 404}, other.Do("GET", course+"/questions", nil).Status, "a teacher of another course")

	now := time.Now().UTC()
	r := teacher.Expect(http.StatusCreated, "POST", course+"/quizzes", map[string]any{"title": "Check-up", "opens_at": now.Add(-time.Minute), "closes_at": now.Add(time.Hour),
		"time_limit_minutes": 40, "question_ids": []string{single, numeric, short, essay}, "published": true})
	quizID := r.JSON()["id"].(string)
	r = teacher.Expect(http.StatusBadRequest, "POST", course+"/quizzes", map[string]any{"title": "Bad", "opens_at": now, "closes_at": now.Add(-time.Hour), "time_limit_minutes": 0, "question_ids": []string{}})
	require.ElementsMatch(t, []string{"closes_at", "question_ids", "time_limit_minutes"}, fieldsOf(t, r))

	// 25 % extra time for the second learner.
	r = admin.Expect(http.StatusOK, "PUT", base+"/people/"+fx.Learner2.ID.String()+"/arrangement", map[string]any{"extra_time_percent": 25})

	start := func(c *apptest.Client) sheet {
		r := c.Expect(http.StatusOK, "POST", base+"/quizzes/"+quizID+"/attempt", nil)
		var sh sheet
		r.Decode(&sh)
		return sh
	}
	s1, s2 := start(learner), start(learner2)
	require.Equal(t, 40*time.Minute, s1.Attempt.DeadlineAt.Sub(s1.Attempt.StartedAt))
	require.Equal(t, 50*time.Minute, s2.Attempt.DeadlineAt.Sub(s2.Attempt.StartedAt), "exactly 25 % longer")
	require.Len(t, s1.Questions, 4)
	for _, q := range s1.Questions {
		require.NotContains(t, q, "answer", "the key is never shown to learners")
	}

	save := func(c *apptest.Client, attempt, question string, body map[string]any) *apptest.Response {
		return c.Do("PUT", base+"/attempts/"+attempt+"/answers/"+question, body)
	}
	require.Equal(t, http.StatusOK, save(learner, s1.Attempt.ID, single, map[string]any{"options": []string{"b"}}).Status)
	require.Equal(t, http.StatusOK, save(learner, s1.Attempt.ID, numeric, map[string]any{"value": 3.2}).Status)
	require.Equal(t, http.StatusBadRequest, save(learner, s1.Attempt.ID, single, map[string]any{"options": []string{"nope"}}).Status)
	require.Equal(t, http.StatusBadRequest, save(learner, s1.Attempt.ID, numeric, map[string]any{"text": "three"}).Status)
	require.Equal(t, http.StatusNotFound, save(learner2, s1.Attempt.ID, single, map[string]any{"options": []string{"a"}}).Status, "not theirs")

	// The connection drops: a new session resumes the same attempt with
	// every answer saved so far, and goes on.
	again := login(fx.Learner)
	resumed := start(again)
	require.Equal(t, s1.Attempt.ID, resumed.Attempt.ID)
	require.Equal(t, s1.Attempt.DeadlineAt, resumed.Attempt.DeadlineAt, "the deadline does not move")
	require.Len(t, resumed.Answers, 2)
	require.Equal(t, http.StatusOK, save(again, s1.Attempt.ID, short, map[string]any{"text": "  paris "}).Status)
	require.Equal(t, http.StatusOK, save(again, s1.Attempt.ID, essay, map[string]any{"text": "Because."}).Status)
	r = again.Expect(http.StatusOK, "POST", base+"/attempts/"+s1.Attempt.ID+"/submit", nil)
	var done sheet
	r.Decode(&done)
	require.Equal(t, "submitted", done.Attempt.Status)
	require.Nil(t, done.Attempt.Score, "no result before release")
	require.Equal(t, http.StatusConflict, save(again, s1.Attempt.ID, short, map[string]any{"text": "Lyon"}).Status)

	// Nobody else reaches the attempt.
	for _, c := range []*apptest.Client{learner2, outsider, other, e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)} {
		require.Equal(t, http.StatusNotFound, c.Do("GET", base+"/attempts/"+s1.Attempt.ID, nil).Status)
	}
	require.Equal(t, http.StatusNotFound, outsider.Do("GET", base+"/quizzes/"+quizID, nil).Status)
	require.Equal(t, http.StatusNotFound, e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword).Do("GET", "/api/v1/t/tenant-b/quizzes/"+quizID, nil).Status)
	require.Equal(t, http.StatusForbidden, learner.Do("GET", base+"/quizzes/"+quizID+"/attempts", nil).Status)

	// The teacher sees the automatic scores, marks the essay, releases.
	r = teacher.Expect(http.StatusOK, "GET", base+"/attempts/"+s1.Attempt.ID, nil)
	var ts sheet
	r.Decode(&ts)
	scores := map[string]float64{}
	for _, a := range ts.Answers {
		if a.AutoScore != nil {
			scores[a.QuestionID] = *a.AutoScore
		}
	}
	require.Equal(t, map[string]float64{single: 1, numeric: 0, short: 1}, scores, "3.2 is outside 3.14 ± 0.005; ' paris ' is Paris")
	require.Nil(t, ts.Attempt.Score, "an unmarked essay: no total yet")
	r = teacher.Do("PUT", base+"/attempts/"+s1.Attempt.ID+"/answers/"+essay+"/mark", map[string]any{"score": 6, "feedback": "x"})
	require.Equal(t, http.StatusBadRequest, r.Status, "more than the question is worth")
	r = learner.Expect(http.StatusForbidden, "PUT", base+"/attempts/"+s1.Attempt.ID+"/answers/"+essay+"/mark", map[string]any{"score": 5})
	r = teacher.Expect(http.StatusOK, "PUT", base+"/attempts/"+s1.Attempt.ID+"/answers/"+essay+"/mark", map[string]any{"score": 4, "feedback": "Say more."})
	r.Decode(&ts)
	require.Equal(t, 6.0, *ts.Attempt.Score)
	require.Equal(t, 9.0, ts.Attempt.MaxScore)
	r = learner.Do("GET", base+"/attempts/"+s1.Attempt.ID, nil)
	require.NotContains(t, r.Text(), "Say more.", "feedback waits for release")
	require.Equal(t, http.StatusOK, teacher.Do("POST", base+"/quizzes/"+quizID+"/release", nil).Status)
	r = learner.Expect(http.StatusOK, "GET", base+"/attempts/"+s1.Attempt.ID, nil)
	var mine sheet
	r.Decode(&mine)
	require.Equal(t, 6.0, *mine.Attempt.Score)
	require.Contains(t, r.Text(), "Say more.")
	require.False(t, strings.Contains(r.Text(), `"accept"`), "the key stays hidden after release")
}
