package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Setting up quizzes, surveys, peer assessment, messages, tutors and
// photos in a browser, with the accessibility check on every page: a
// teacher builds a question bank (an empty form first: the error summary),
// sets a quiz from it and a survey of the course, and sets peer assessment
// on an assignment; an admin writes to everyone and gives a person the
// tutor role; a learner uploads their photo and the browser loads it (from
// the object store, through the page's policy).
func TestSettingUpInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "bs-")
	base := "/t/tenant-a"
	course := base + "/courses/" + fx.ID.String()

	tb := webtest.New(t, e.Server.URL)
	tb.Plain = true // a school user: no developer strings on their pages
	tb.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	tb.Go(course, "")
	tb.Submit(`a[href$="/quizzes"]`, "teacher-quizzes-setup")
	tb.Submit(`a[href$="/question-bank"]`, "teacher-question-bank")
	tb.Fill("#points", "")
	tb.Submit(`form[action$="/question-bank"] button`, "teacher-question-bank-errors")
	require.Contains(t, tb.Text(".error-summary"), "Enter a number of points")
	tb.Fill("#prompt", "Which is a prime number?")
	tb.Fill("#points", "1")
	tb.Fill("#options", "Four\nSeven\nNine")
	tb.Fill("#correct", "b")
	tb.Submit(`form[action$="/question-bank"] button`, "teacher-question-added")
	require.Contains(t, tb.Text("main table"), "Which is a prime number?")
	tb.Submit(`a[href$="/quizzes/new"]`, "teacher-quiz-new")
	tb.Fill("#title", "Primes")
	tb.Run(chromedp.Click(`input[name="question_ids"]`, chromedp.ByQuery), chromedp.Click("#published", chromedp.ByQuery))
	tb.Submit(`form[action$="/quizzes"] button`, "teacher-quiz-set")
	require.Contains(t, tb.Text("main"), "Primes")

	tb.Go(course+"/quizzes", "")
	tb.Submit(`a[href*="/surveys/new"]`, "teacher-survey-new")
	tb.Fill("#title", "Unit feedback")
	tb.Fill("#q0_prompt", "How clear was it?")
	tb.Submit(`form[action$="/surveys"] button`, "teacher-survey-errors")
	require.Contains(t, tb.Text(".error-summary"), "say what the answers are for")
	tb.Run(chromedp.Click("#anonymous", chromedp.ByQuery))
	tb.Submit(`form[action$="/surveys"] button`, "teacher-survey-set")
	require.Contains(t, tb.Text("main table"), "Unit feedback")

	r := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password).Expect(http.StatusCreated, "POST", "/api/v1"+course+"/assignments",
		map[string]any{"section_id": fx.Section, "title": "Poster", "due_at": "2999-01-01T00:00:00Z", "max_score": 10, "published": true})
	tb.Go(base+"/assignments/"+r.JSON()["id"].(string), "teacher-assignment-peer")
	tb.Fill("#criteria", "Did their share")
	tb.Submit(`form[action$="/peer-assessment"] button`, "teacher-peer-set")
	require.Contains(t, tb.Path(), "/peer-assessments/")

	ab := webtest.New(t, e.Server.URL)
	ab.Plain = true // a school user: no developer strings on their pages
	ab.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	ab.Go(base+"/admin/messages", "admin-message")
	ab.Fill("#subject", "Snow day")
	ab.Fill("#body", "The school is closed tomorrow.")
	ab.Submit(`form[action$="/admin/messages"] button`, "admin-message-sent")
	ab.Go(base+"/admin/people/"+fx.Teacher.ID.String(), "admin-person-tutors")
	ab.Run(chromedp.SetValue("#role", "tutor", chromedp.ByQuery))
	ab.Submit(`form[action$="/roles"] button`, "admin-person-tutor-role")
	ab.Go(base+"/admin/people/"+fx.Learner.ID.String(), "")
	ab.Submit(`form[action$="/tutors"] button`, "admin-tutor-assigned")
	require.Contains(t, ab.Text("main"), "End tutorship with")

	// A set-password link, as the email carries it.
	r = e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword).Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/people",
		map[string]any{"username": "bs-newcomer", "display_name": "New Comer", "email": "bs-newcomer@a.example"})
	link, err := e.App.Identity.SendPasswordLink(t.Context(), access.Member(e.A.ID, e.A.AdminID), uuid.MustParse(r.JSON()["id"].(string)))
	require.NoError(t, err)
	nb := webtest.New(t, e.Server.URL)
	nb.Plain = true // a school user: no developer strings on their pages
	nb.Go("/set-password/"+e.App.Identity.LinkToken(e.A.ID, link), "set-password")
	nb.Fill("#password", "newcomer-password-1")
	nb.Fill("#confirm", "newcomer-password-2")
	nb.Submit(`form[action^="/set-password/"] button`, "set-password-mismatch")
	require.Contains(t, nb.Text(".error-summary"), "not the same")
	nb.Fill("#password", "newcomer-password-1")
	nb.Fill("#confirm", "newcomer-password-1")
	nb.Submit(`form[action^="/set-password/"] button`, "set-password-done")
	require.Contains(t, nb.Text("main"), "Your password is set")
	nb.SignIn("tenant-a", "bs-newcomer", "newcomer-password-1")

	img := filepath.Join(t.TempDir(), "me.png")
	require.NoError(t, os.WriteFile(img, pngBytes(t), 0o600))
	lb := webtest.New(t, e.Server.URL)
	lb.Plain = true // a school user: no developer strings on their pages
	lb.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	lb.Go(base+"/my/inbox", "")
	require.Contains(t, lb.Text("main"), "Snow day")
	lb.Go(base+"/my/privacy", "")
	lb.Submit(`a[href$="/my/photo"]`, "learner-photo")
	lb.Run(chromedp.SetUploadFiles("#photo", []string{img}, chromedp.ByQuery))
	lb.Submit(`form[action$="/my/photo"] button`, "learner-photo-set")
	var width int
	lb.Run(chromedp.Poll(`(() => { const i = document.querySelector("img.photo"); return i && i.complete && i.naturalWidth; })()`, &width))
	require.Equal(t, 8, width, "the photo loads from the object store")
}
