package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

var webMP4 = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 64)...)

// Quizzes, surveys, messages, recordings, tutoring and usage in a
// browser, with the accessibility check on every page: a learner takes a
// timed quiz, each answer saved as given, comes back to it after leaving (as after
// a dropped connection) and finds the answers, and hands in; answers an
// anonymous survey; reads their messages and the course's recordings; a
// tutor sees a tutee and records a meeting (a bad date is a field error);
// an admin sees the usage page.
func TestLearningPartTwoInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "b2-")
	api := "/api/v1/t/tenant-a"
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	course := api + "/courses/" + fx.ID.String()
	ids := []string{}
	for _, q := range []map[string]any{
		{"kind": "single", "prompt": "2 + 2?", "points": 1, "options": []map[string]string{{"id": "a", "text": "Three"}, {"id": "b", "text": "Four"}}, "answer": map[string]any{"options": []string{"b"}}},
		{"kind": "numeric", "prompt": "Half of 7?", "points": 1, "answer": map[string]any{"value": 3.5}},
		{"kind": "essay", "prompt": "Explain your working.", "points": 3},
	} {
		r := teacher.Expect(http.StatusCreated, "POST", course+"/questions", q)
		ids = append(ids, r.JSON()["id"].(string))
	}
	r := teacher.Expect(http.StatusCreated, "POST", course+"/quizzes", map[string]any{"title": "Number check", "opens_at": time.Now().Add(-time.Minute), "closes_at": time.Now().Add(time.Hour),
		"time_limit_minutes": 20, "question_ids": ids, "published": true})
	r = teacher.Expect(http.StatusCreated, "POST", api+"/surveys", map[string]any{"course_id": fx.ID, "title": "How was the unit?", "anonymous": true, "closes_at": time.Now().Add(24 * time.Hour),
		"questions": []map[string]any{{"kind": "scale", "prompt": "How clear was it?"}, {"kind": "text", "prompt": "Anything else?"}}})
	up := teacher.Upload(api+"/files", "lesson.mp4", bytes.NewReader(webMP4))
	require.Equal(t, http.StatusCreated, up.Status, up.Text())
	r = teacher.Expect(http.StatusCreated, "POST", course+"/recordings", map[string]any{"title": "Fractions lesson", "kind": "lesson", "file_id": up.JSON()["id"], "recorded_on": time.Now().Format(time.DateOnly),
		"participants": []string{fx.Learner.ID.String()}})
	r = teacher.Expect(http.StatusCreated, "POST", api+"/communications", map[string]any{"course_id": fx.ID, "subject": "Quiz today", "body": "The number check is open until the end of the lesson."})

	// A group of the two learners and a peer assessment of a group assignment.
	r = teacher.Expect(http.StatusCreated, "POST", course+"/groups", map[string]any{"name": "Team Red"})
	group := r.JSON()["id"].(string)
	for _, p := range []string{fx.Learner.ID.String(), fx.Learner2.ID.String()} {
		require.Equal(t, http.StatusNoContent, teacher.Do("PUT", api+"/groups/"+group+"/members/"+p, nil).Status)
	}
	r = teacher.Expect(http.StatusCreated, "POST", course+"/assignments", map[string]any{"section_id": fx.Section, "title": "Poster", "due_at": time.Now().Add(48 * time.Hour), "max_score": 10, "published": true})
	r = teacher.Expect(http.StatusCreated, "POST", api+"/assignments/"+r.JSON()["id"].(string)+"/peer-assessment", map[string]any{"criteria": []string{"Did their share"}, "closes_at": time.Now().Add(time.Hour)})

	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	base := "/t/tenant-a"
	b.Go(base+"/courses/"+fx.ID.String(), "")
	b.Submit(`a[href$="/quizzes"]`, "learner-quizzes")
	b.Submit(`form[action$="/attempt"] button`, "learner-attempt")
	require.Contains(t, b.Text("main"), "Time left")
	// Each answer saves as it is given (quiz.js).
	b.Run(chromedp.Click(`input[value="b"]`, chromedp.ByQuery))
	b.Run(chromedp.WaitVisible(`#saved-`+ids[0]+` .ok`, chromedp.ByQuery))
	b.Fill(`#v-`+ids[1], "3.5")
	b.Run(chromedp.WaitVisible(`#saved-`+ids[1]+` .ok`, chromedp.ByQuery))
	b.Page("learner-answer-saved")
	attempt := strings.SplitN(b.Path(), "?", 2)[0]
	// The connection drops: the learner comes back from the quiz list.
	b.Go(base+"/courses/"+fx.ID.String()+"/quizzes", "")
	b.Submit(`a[href$="`+attempt[len(base):]+`"]`, "learner-attempt-resumed")
	require.Equal(t, 2, strings.Count(b.Text("main"), "Saved"), "both answers are still there")
	// Typed and handed in at once: Hand in saves it first.
	b.Fill(`#t-`+ids[2], "Four is two twos.")
	b.Submit(`#hand-in`, "learner-handed-in")
	require.Contains(t, b.Text("main"), "Handed in")

	// The teacher marks the essay and releases the results; the learner sees the score.
	tq := webtest.New(t, e.Server.URL)
	tq.Plain = true // a school user: no developer strings on their pages
	tq.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	tq.Go(base+"/courses/"+fx.ID.String()+"/quizzes", "teacher-quizzes")
	tq.Submit(`a[href$="/results"]`, "teacher-quiz-results")
	require.Contains(t, tq.Text("main table"), "to mark")
	tq.Submit(`main table a[href*="/attempts/"]`, "teacher-attempt")
	tq.Fill(`#score-`+ids[2], "2")
	tq.Fill(`#feedback-`+ids[2], "Clear, but say why.")
	tq.Submit(`form[action$="/answers/`+ids[2]+`/mark"] button`, "teacher-marked")
	tq.Submit(`a[href$="/results"]`, "")
	require.Contains(t, tq.Text("main table"), "4 of 5")
	tq.Submit(`form[action$="/release"] button`, "teacher-released")
	b.Go(attempt, "learner-result")
	require.Contains(t, b.Text("main"), "Your score: 4")
	require.Contains(t, b.Text("main"), "Clear, but say why.")

	b.Go(base+"/courses/"+fx.ID.String()+"/quizzes", "")
	b.Submit(`a[href*="/peer-assessments/"]`, "learner-peer")
	b.Run(chromedp.SetValue(`select[name="c1"]`, "4", chromedp.ByQuery))
	b.Submit(`form[action*="/ratings/"] button`, "learner-peer-rated")
	require.Contains(t, b.Text("main"), "saved")

	b.Go(base+"/surveys", "learner-surveys")
	b.Submit(`a[href*="/surveys/"]`, "learner-survey")
	require.Contains(t, b.Text("main"), "anonymous")
	b.Run(chromedp.Click(`input[value="4"]`, chromedp.ByQuery))
	b.Submit(`form[action$="/responses"] button`, "learner-survey-answered")
	require.Contains(t, b.Text("main"), "Answered")

	b.Go(base+"/my/inbox", "learner-inbox")
	require.Contains(t, b.Text("main"), "Quiz today")
	b.Go(base+"/courses/"+fx.ID.String()+"/recordings", "learner-recordings")
	require.Contains(t, b.Text("main table"), "Fractions lesson")

	// The teacher writes to the course from the course page.
	tt := webtest.New(t, e.Server.URL)
	tt.Plain = true // a school user: no developer strings on their pages
	tt.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	tt.Go(base+"/courses/"+fx.ID.String(), "")
	tt.Submit(`a[href$="/messages"]`, "teacher-message")
	tt.Submit(`form[action$="/messages"] button`, "teacher-message-errors")
	require.Contains(t, tt.Text(".error-summary"), "1-200 characters")
	tt.Fill("#subject", "Trip on Friday")
	tt.Fill("#body", "Bring a packed lunch.")
	tt.Submit(`form[action$="/messages"] button`, "teacher-message-sent")
	b.Go(base+"/my/inbox", "")
	require.Contains(t, b.Text("main"), "Trip on Friday")

	// A tutor and their tutee.
	r = admin.Expect(http.StatusCreated, "POST", api+"/people", map[string]any{"username": "b2-tutor", "display_name": "Tess Tutor", "role": "tutor", "password": lmstest.Password})
	require.Equal(t, http.StatusNoContent, admin.Do("PUT", api+"/people/"+fx.Learner.ID.String()+"/tutors/"+r.JSON()["id"].(string), nil).Status)
	tb := webtest.New(t, e.Server.URL)
	tb.Plain = true // a school user: no developer strings on their pages
	tb.SignIn("tenant-a", "b2-tutor", lmstest.Password)
	tb.Go(base+"/tutees", "tutor-tutees")
	tb.Submit(`main a[href*="/tutees/"]`, "tutor-tutee")
	require.Contains(t, tb.Text("main"), "Engagement over the last 28 days")
	tb.Fill("#met_on", "2999-01-01")
	tb.Submit(`form[action$="/meetings"] button`, "tutor-meeting-error")
	require.Contains(t, tb.Text(".error-summary"), "not in the future")
	tb.Fill("#met_on", time.Now().Format(time.DateOnly))
	tb.Fill("#notes", "Settling in well.")
	tb.Submit(`form[action$="/meetings"] button`, "tutor-meeting-saved")
	require.Contains(t, tb.Text("main"), "Settling in well.")

	// The learner shares something with their tutor: consent first.
	b.Go(base+"/my/tutor", "learner-share")
	b.Fill("#details", "I get migraines in bright light.")
	b.Run(chromedp.Click("#consent", chromedp.ByQuery))
	b.Submit(`form[action$="/my/tutor"] button`, "learner-share-needs-consent")
	require.Contains(t, b.Text(".error-summary"), "consent")
	require.Equal(t, http.StatusCreated, e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password).Do("POST", api+"/my/consents", map[string]any{"purpose": "special-category", "given": true}).Status)
	b.Fill("#details", "I get migraines in bright light.")
	b.Run(chromedp.Click("#consent", chromedp.ByQuery))
	b.Submit(`form[action$="/my/tutor"] button`, "learner-shared")
	require.Contains(t, b.Text("main"), "migraines")
	tb.Go(strings.SplitN(tb.Path(), "?", 2)[0], "tutor-tutee-shared")
	require.Contains(t, tb.Text("main"), "migraines")

	ab := webtest.New(t, e.Server.URL)
	ab.Plain = true // a school user: no developer strings on their pages
	ab.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	require.NoError(t, e.App.Kernel.FlushUsage(t.Context()))
	ab.Go(base+"/admin/usage", "admin-usage")
	require.Contains(t, ab.Text("main table"), "A course's quizzes", "usage names a page by what it is, not its address")
}
