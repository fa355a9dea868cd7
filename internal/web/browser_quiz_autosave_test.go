package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A quiz does not lose work: answers save as they are given and survive a
// dropped connection (one given while offline is sent when it is back, and
// a reload shows them all); Hand in with a question unanswered warns
// first; the results show each answer's text, not its letter; the
// countdown counts the learner's extra time and warns as the end nears.
func TestQuizAutosaveInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "qa-")
	api := "/api/v1/t/tenant-a"
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	course := api + "/courses/" + fx.ID.String()
	ids := []string{}
	for _, q := range []map[string]any{
		{"kind": "single", "prompt": "Largest animal?", "points": 1, "options": []map[string]string{{"id": "a", "text": "Mouse"}, {"id": "b", "text": "Blue whale"}}, "answer": map[string]any{"options": []string{"b"}}},
		{"kind": "numeric", "prompt": "Half of 7?", "points": 1, "answer": map[string]any{"value": 3.5}},
		{"kind": "short", "prompt": "Capital of France?", "points": 1, "answer": map[string]any{"accept": []string{"Paris"}}},
		{"kind": "essay", "prompt": "Why?", "points": 2},
	} {
		r := teacher.Expect(http.StatusCreated, "POST", course+"/questions", q)
		ids = append(ids, r.JSON()["id"].(string))
	}
	teacher.Expect(http.StatusCreated, "POST", course+"/quizzes", map[string]any{"title": "Animals", "opens_at": time.Now().Add(-time.Minute), "closes_at": time.Now().Add(time.Hour),
		"time_limit_minutes": 30, "question_ids": ids, "published": true})
	teacher.Expect(http.StatusCreated, "POST", course+"/quizzes", map[string]any{"title": "Sprint", "opens_at": time.Now().Add(-time.Minute), "closes_at": time.Now().Add(time.Hour),
		"time_limit_minutes": 1, "question_ids": ids[:1], "published": true})
	admin.Expect(http.StatusOK, "PUT", api+"/people/"+fx.Learner2.ID.String()+"/arrangement", map[string]any{"extra_time_percent": 400 / 8})

	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.Narrow = true
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	base := "/t/tenant-a"
	b.Go(base+"/courses/"+fx.ID.String()+"/quizzes", "")
	b.Submit(`/html/body//tr[contains(., "Animals")]//form[contains(@action, "/attempt")]//button`, "autosave-attempt")
	attempt := strings.SplitN(b.Path(), "?", 2)[0]
	saved := func(i int) { b.Run(chromedp.WaitVisible(`#saved-`+ids[i]+` .ok`, chromedp.ByQuery)) }

	// Answers save as they are given.
	b.Run(chromedp.Click(`#o-`+ids[0]+`-b`, chromedp.ByQuery))
	saved(0)
	b.Fill(`#v-`+ids[1], "3.5")
	saved(1)

	// The connection drops; an answer given now waits, and goes when it is back.
	b.Run(network.Enable(), network.EmulateNetworkConditions(true, 0, -1, -1))
	b.Fill(`#t-`+ids[2], "Paris")
	b.Run(chromedp.WaitVisible(`/html/body//p[@id="saved-`+ids[2]+`"][contains(., "Not saved yet")]`, chromedp.BySearch))
	b.Run(network.EmulateNetworkConditions(false, 0, -1, -1))
	saved(2)

	// A reload shows every answer.
	b.Go(attempt, "autosave-reloaded")
	var checked bool
	var num, text string
	b.Run(chromedp.Evaluate(`document.getElementById("o-`+ids[0]+`-b").checked`, &checked),
		chromedp.Value(`#v-`+ids[1], &num, chromedp.ByQuery), chromedp.Value(`#t-`+ids[2], &text, chromedp.ByQuery))
	require.True(t, checked)
	require.Equal(t, "3.5", num)
	require.Equal(t, "Paris", text)

	// Hand in with the essay unanswered warns first, and stays.
	b.Run(chromedp.Click(`#hand-in`, chromedp.ByQuery), chromedp.WaitVisible(`#unanswered`, chromedp.ByQuery))
	b.Page("autosave-unanswered")
	require.Contains(t, b.Text("#unanswered"), "question 4")
	require.Equal(t, attempt, strings.SplitN(b.Path(), "?", 2)[0])
	b.Submit(`#hand-in-anyway`, "autosave-handed-in")
	main := b.Text("main")
	require.Contains(t, main, "Handed in")
	require.Contains(t, main, "Your answer: Blue whale", "the answer's text")
	require.NotContains(t, main, "Your answer: b\n")

	// The countdown counts the learner's extra time (a minute and a half
	// for a one-minute quiz) and warns at five minutes left.
	l2 := webtest.New(t, e.Server.URL)
	l2.Plain = true // a school user: no developer strings on their pages
	l2.Narrow = true
	l2.SignIn("tenant-a", fx.Learner2.Username, lmstest.Password)
	l2.Go(base+"/courses/"+fx.ID.String()+"/quizzes", "")
	l2.Submit(`/html/body//tr[contains(., "Sprint")]//form[contains(@action, "/attempt")]//button`, "autosave-countdown")
	require.Contains(t, l2.Text("#countdown"), "1 min")
	require.Contains(t, l2.Text("#time-warning"), "5 minutes left")
	var first, later string
	l2.Run(chromedp.Text(`#countdown`, &first, chromedp.ByQuery), chromedp.Sleep(2*time.Second), chromedp.Text(`#countdown`, &later, chromedp.ByQuery))
	require.NotEqual(t, first, later, "the countdown is live")
}
