package web_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// pngBytes is a small real PNG, so content sniffing calls it an image.
func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))))
	return buf.Bytes()
}

// photoForm is the multipart body the photo forms send.
func photoForm(t *testing.T, name string, content []byte) (*bytes.Buffer, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("photo", name)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return &body, w.FormDataContentType()
}

// The setting-up pages: each form's bad input is a 400 with the message
// beside its field, good input lands, and learners are refused the
// teachers' and admins' forms.
func TestSettingUpPages(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "set-")
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	base := "/t/tenant-a"
	course := base + "/courses/" + fx.ID.String()

	// Learners get none of the teachers' forms.
	for _, p := range []string{course + "/question-bank", course + "/quizzes/new", base + "/surveys/new", base + "/admin/messages"} {
		require.Equal(t, http.StatusForbidden, learner.Do("GET", p, nil).Status, p)
	}
	require.Equal(t, http.StatusForbidden, learner.Do("POST", course+"/question-bank", url.Values{"kind": {"essay"}, "prompt": {"Mine"}, "points": {"1"}}).Status)

	// Question bank: errors by field, then two good questions.
	r := teacher.Expect(http.StatusBadRequest, "POST", course+"/question-bank", url.Values{"kind": {"single"}, "prompt": {"2 + 2?"}, "points": {"one"}, "options": {"Three\nFour"}, "correct": {"z"}})
	require.Contains(t, r.Text(), `id="points-error"`)
	r = teacher.Expect(http.StatusBadRequest, "POST", course+"/question-bank", url.Values{"kind": {"single"}, "prompt": {"2 + 2?"}, "points": {"1"}, "options": {"Three\nFour"}, "correct": {"z"}})
	require.Contains(t, r.Text(), `id="correct-error"`)
	require.Contains(t, r.Text(), "Three\nFour", "what was typed comes back")
	r = teacher.Expect(http.StatusSeeOther, "POST", course+"/question-bank", url.Values{"kind": {"single"}, "prompt": {"2 + 2?"}, "points": {"1"}, "options": {"Three\nFour\n"}, "correct": {"b"}})
	r = teacher.Expect(http.StatusSeeOther, "POST", course+"/question-bank", url.Values{"kind": {"numeric"}, "prompt": {"Half of 7?"}, "points": {"2"}, "value": {"3.5"}, "tolerance": {"0.01"}})
	r = teacher.Expect(http.StatusOK, "GET", "/api/v1"+course+"/questions", nil)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	r.Decode(&page)
	qs := page.Items
	require.Len(t, qs, 2)
	require.Equal(t, []any{"b"}, qs[0]["answer"].(map[string]any)["options"])
	require.Equal(t, 3.5, qs[1]["answer"].(map[string]any)["value"])

	// A quiz from the bank.
	now := time.Now().In(localtime.London) // the pages read times in the school's zone
	quiz := url.Values{"title": {"Check"}, "opens_at": {now.Add(-time.Hour).Format("2006-01-02T15:04")}, "closes_at": {now.Add(-2 * time.Hour).Format("2006-01-02T15:04")},
		"time_limit_minutes": {"15"}, "question_ids": {qs[0]["id"].(string), qs[1]["id"].(string)}, "published": {"yes"}}
	r = teacher.Expect(http.StatusBadRequest, "POST", course+"/quizzes", quiz)
	require.Contains(t, r.Text(), `id="closes_at-error"`)
	require.Contains(t, r.Text(), `value="`+qs[0]["id"].(string)+`" checked`, "the chosen questions stay chosen")
	quiz.Set("closes_at", now.Add(time.Hour).Format("2006-01-02T15:04"))
	r = teacher.Expect(http.StatusSeeOther, "POST", course+"/quizzes", quiz)
	r = learner.Do("GET", course+"/quizzes", nil)
	require.Contains(t, r.Text(), "Start Check")
	require.NotContains(t, r.Text(), "Question bank")

	// A survey of the course: named needs a purpose; blank rows are skipped.
	survey := url.Values{"course_id": {fx.ID.String()}, "title": {"Unit feedback"}, "closes_at": {now.Add(48 * time.Hour).Format("2006-01-02T15:04")},
		"q0_kind": {"choice"}, "q0_prompt": {"Best part?"}, "q0_options": {"Maps"}, "q1_kind": {"scale"}, "q1_prompt": {"How clear?"}}
	r = teacher.Expect(http.StatusBadRequest, "POST", base+"/surveys", survey)
	require.Contains(t, r.Text(), `id="purpose-error"`)
	require.Contains(t, r.Text(), `id="q0_options-error"`)
	survey.Set("anonymous", "yes")
	survey.Set("q0_options", "Maps\nGraphs")
	r = teacher.Expect(http.StatusSeeOther, "POST", base+"/surveys", survey)
	r = learner.Do("GET", base+"/surveys", nil)
	require.Contains(t, r.Text(), "Unit feedback")
	require.NotContains(t, r.Text(), "/surveys/new", "only tenant-wide admins are offered a school survey")
	require.Contains(t, admin.Do("GET", base+"/surveys", nil).Text(), "/surveys/new")
	// A whole-school survey is for tenant-wide admins, not teachers.
	survey.Del("course_id")
	require.Equal(t, http.StatusForbidden, teacher.Do("POST", base+"/surveys", survey).Status)

	// Peer assessment from the assignment page.
	r = teacher.Expect(http.StatusCreated, "POST", "/api/v1"+course+"/assignments", map[string]any{"section_id": fx.Section, "title": "Poster", "due_at": now.Add(48 * time.Hour), "max_score": 10, "published": true})
	asg := base + "/assignments/" + r.JSON()["id"].(string)
	r = teacher.Expect(http.StatusBadRequest, "POST", asg+"/peer-assessment", url.Values{"criteria": {""}, "peer_closes_at": {now.Add(time.Hour).Format("2006-01-02T15:04")}})
	require.Contains(t, r.Text(), `id="criteria-error"`)
	r = teacher.Expect(http.StatusSeeOther, "POST", asg+"/peer-assessment", url.Values{"criteria": {"Did their share\nListened"}, "peer_closes_at": {now.Add(time.Hour).Format("2006-01-02T15:04")}})
	require.Contains(t, r.Header.Get("Location"), "/peer-assessments/")

	// An admin writes to everyone; a bad audience is a field error.
	r = admin.Expect(http.StatusBadRequest, "POST", base+"/admin/messages", url.Values{"audience": {"nowhere"}, "subject": {"Closed"}, "body": {"Snow day."}})
	require.Contains(t, r.Text(), `id="audience-error"`)
	r = admin.Expect(http.StatusSeeOther, "POST", base+"/admin/messages", url.Values{"audience": {"everyone"}, "subject": {"Closed"}, "body": {"Snow day."}})
	require.Contains(t, learner.Do("GET", base+"/my/inbox", nil).Text(), "Snow day.")
	require.Equal(t, http.StatusForbidden, teacher.Do("POST", base+"/admin/messages", url.Values{"audience": {"everyone"}, "subject": {"Mine"}, "body": {"x"}}).Status)

	// The tutor role given on the person page, then a tutor assigned there.
	r = admin.Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "set-tutor", "display_name": "Tam Tutor", "password": lmstest.Password})
	tutorID := r.JSON()["id"].(string)
	r = admin.Expect(http.StatusSeeOther, "POST", base+"/admin/people/"+tutorID+"/roles", url.Values{"role": {"tutor"}})
	person := base + "/admin/people/" + fx.Learner.ID.String()
	r = admin.Do("GET", person, nil)
	require.Contains(t, r.Text(), `<option value="`+tutorID+`">Tam Tutor</option>`)
	r = admin.Expect(http.StatusBadRequest, "POST", person+"/tutors", url.Values{"tutor": {fx.Teacher.ID.String()}})
	require.Contains(t, r.Text(), "must hold the tutor role")
	r = admin.Expect(http.StatusSeeOther, "POST", person+"/tutors", url.Values{"tutor": {tutorID}})
	tutor := e.Login(e.A.Slug, "set-tutor", lmstest.Password)
	require.Contains(t, tutor.Do("GET", base+"/tutees", nil).Text(), fx.Learner.ID.String())
	r = admin.Expect(http.StatusSeeOther, "POST", person+"/tutors/"+tutorID+"/end", nil)
	require.Equal(t, http.StatusNotFound, tutor.Do("GET", base+"/tutees/"+fx.Learner.ID.String(), nil).Status)

	// Photos: not an image is a field error; the learner's own photo is
	// shown to them, and to others only once they agree.
	body, ct := photoForm(t, "notes.txt", []byte("just some text"))
	r = learner.DoWith("POST", base+"/my/photo", body, map[string]string{"Content-Type": ct})
	require.Equal(t, http.StatusBadRequest, r.Status, r.Text())
	require.Contains(t, r.Text(), `id="photo-error"`)
	body, ct = photoForm(t, "huge.png", append(pngBytes(t), make([]byte, 6<<20)...))
	r = learner.DoWith("POST", base+"/my/photo", body, map[string]string{"Content-Type": ct})
	require.Equal(t, http.StatusBadRequest, r.Status, "everyone who sees a photo downloads it: 5 MB at most")
	require.Contains(t, r.Text(), "too large")
	body, ct = photoForm(t, "me.png", pngBytes(t))
	r = learner.DoWith("POST", base+"/my/photo", body, map[string]string{"Content-Type": ct})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Text())
	require.Equal(t, http.StatusSeeOther, learner.Do("GET", base+"/people/"+fx.Learner.ID.String()+"/photo", nil).Status)
	require.Equal(t, http.StatusNotFound, teacher.Do("GET", base+"/people/"+fx.Learner.ID.String()+"/photo", nil).Status)
	require.NotContains(t, admin.Do("GET", person, nil).Text(), "Photo of")
	require.Equal(t, http.StatusCreated, learner.Do("POST", "/api/v1/t/tenant-a/my/consents", map[string]any{"purpose": "photo-video", "given": true}).Status)
	require.Equal(t, http.StatusSeeOther, teacher.Do("GET", base+"/people/"+fx.Learner.ID.String()+"/photo", nil).Status)
	require.Contains(t, admin.Do("GET", person, nil).Text(), "Photo of")
	// A set-password link from the person page: needs an email address.
	r = admin.Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "set-nomail", "display_name": "No Mail"})
	r = admin.Expect(http.StatusBadRequest, "POST", base+"/admin/people/"+r.JSON()["id"].(string)+"/password-link", nil)
	require.Contains(t, r.Text(), `id="password_link"`)
	r = admin.Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "set-mail", "display_name": "Has Mail", "email": "set-mail@a.example"})
	r = admin.Expect(http.StatusSeeOther, "POST", base+"/admin/people/"+r.JSON()["id"].(string)+"/password-link", nil)
	require.Contains(t, r.Header.Get("Location"), "done=password-link-sent")

	// The school's ID photo, set by an admin on the person page.
	body, ct = photoForm(t, "id.png", pngBytes(t))
	r = admin.DoWith("POST", person+"/photo", body, map[string]string{"Content-Type": ct})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Text())
}
