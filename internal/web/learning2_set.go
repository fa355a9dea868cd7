package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/lms/survey"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// The pages where teachers and admins set things up: a course's question
// bank and quizzes, surveys, peer assessment, messages to a school or the
// whole tenant, personal tutors and photos. Each form posts to the same
// services as the API; the services decide who may.
func (s *Site) learning2SetPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/question-bank", Summary: "A course's question bank, and a form to add a question (teachers)", Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.bankPage},
		{Method: "POST", Path: tp + "/courses/:course/question-bank", Summary: "Add a question to the bank", Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.addQuestionPage},
		{Method: "GET", Path: tp + "/courses/:course/quizzes/new", Summary: "Set a quiz or timed test", Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.newQuizPage},
		{Method: "POST", Path: tp + "/courses/:course/quizzes", Summary: "Set a quiz or timed test", Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.createQuizPage},
		{Method: "GET", Path: tp + "/surveys/new", Summary: "Set a survey of a course or of the whole school", Area: request.AreaTenant, Object: "survey", Action: "read", Handler: s.newSurveyPage},
		{Method: "POST", Path: tp + "/surveys", Summary: "Set a survey", Area: request.AreaTenant, Object: "survey", Action: "write", Handler: s.createSurveyPage},
		{Method: "POST", Path: tp + "/assignments/:assignment/peer-assessment", Summary: "Set peer assessment of an assignment", Area: request.AreaTenant, Object: "peer-assessment", Action: "write", Handler: s.setPeerPage},
		{Method: "GET", Path: tp + "/admin/messages", Summary: "Write to a school or to everyone (admins)", Area: request.AreaTenant, Object: "communication", Action: "read", Handler: s.adminMessageForm},
		{Method: "POST", Path: tp + "/admin/messages", Summary: "Send a message to a school or to everyone", Area: request.AreaTenant, Object: "communication", Action: "write", Handler: s.sendAdminMessage},
		{Method: "POST", Path: tp + "/admin/people/:id/tutors", Summary: "Assign a personal tutor", Area: request.AreaTenant, Object: "tutorship", Action: "write", Handler: s.assignTutorPage},
		{Method: "POST", Path: tp + "/admin/people/:id/tutors/:tutor/end", Summary: "End a tutorship", Area: request.AreaTenant, Object: "tutorship", Action: "write", Handler: s.endTutorPage},
		{Method: "POST", Path: tp + "/admin/people/:id/photo", Summary: "Set a person's school ID photo", Area: request.AreaTenant, Object: "person", Action: "write", Upload: true, Handler: s.setSchoolPhoto},
		{Method: "GET", Path: tp + "/my/photo", Summary: "My profile photo", Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.myPhotoPage},
		{Method: "POST", Path: tp + "/my/photo", Summary: "Set my profile photo", Area: request.AreaTenant, Object: "my-data", Action: "write", Upload: true, Handler: s.setMyPhoto},
		{Method: "GET", Path: tp + "/people/:id/photo", Summary: "A person's photo, where their photo consent allows", Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.photoImage},
	}
}

// renameFields maps a service's field names (options[2].text,
// answer.value) onto a form's (options, value): the longest prefix that
// names a form field wins (questions[0].options before questions[0]).
func renameFields(m map[string]string, names map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		to, best := k, -1
		for from, field := range names {
			if strings.HasPrefix(k, from) && len(from) > best {
				to, best = field, len(from)
			}
		}
		if _, dup := out[to]; !dup {
			out[to] = v
		}
	}
	return out
}

// formOutcome sorts a service's answer to a form: field errors, renamed
// onto the form's fields, come back to be shown beside them; any other
// error is answered here, and failed says so.
func (s *Site) formOutcome(c *gin.Context, err error, names map[string]string) (fe map[string]string, failed bool) {
	if m, ok := formErrors(err); ok {
		return renameFields(m, names), false
	}
	if err != nil {
		s.fail(c, err)
		return nil, true
	}
	return nil, false
}

// lines splits a textarea into its non-blank lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// dateTimeLocal is the value format of an <input type="datetime-local">;
// the pages label those fields, and read them, as UTC.
const dateTimeLocal = "2006-01-02T15:04"

// utcTime reads a datetime-local field.
func utcTime(fe map[string]string, name, v string) time.Time {
	t, err := time.ParseInLocation(dateTimeLocal, strings.TrimSpace(v), time.UTC)
	if err != nil {
		fe[name] = "Enter a date and time"
	}
	return t
}

var bankFields = []string{"kind", "prompt", "points", "options", "correct", "value", "tolerance", "accept"}

func (s *Site) bankPage(c *gin.Context) {
	s.showBank(c, http.StatusOK, view{Form: map[string]string{"kind": "single", "points": "1"}})
}

func (s *Site) showBank(c *gin.Context, status int, v view) {
	id, ok := pathID(c, "course")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such course.")
		return
	}
	qs, err := s.d.Quizzes.Questions(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Title, v.Fields = "Question bank", bankFields
	v.Data = map[string]any{"Base": base(c), "CourseID": id, "Questions": qs, "Kinds": quiz.Kinds}
	s.render(c, status, "question_bank", v)
}

// addQuestionPage reads the form: options one per line (lettered a, b, c
// in order), the right ones by letter.
func (s *Site) addQuestionPage(c *gin.Context) {
	form := map[string]string{}
	for _, f := range bankFields {
		form[f] = c.PostForm(f)
	}
	fe := map[string]string{}
	in := quiz.NewQuestion{Kind: form["kind"], Prompt: form["prompt"]}
	var err error
	if in.Points, err = strconv.ParseFloat(strings.TrimSpace(form["points"]), 64); err != nil {
		fe["points"] = "Enter a number of points, such as 1 or 2.5"
	}
	for i, o := range lines(form["options"]) {
		if i < 26 {
			in.Options = append(in.Options, quiz.Option{ID: string(rune('a' + i)), Text: o})
		}
	}
	for _, l := range strings.FieldsFunc(strings.ToLower(form["correct"]), func(r rune) bool { return r == ',' || r == ' ' }) {
		in.Answer.Options = append(in.Answer.Options, l)
	}
	if in.Kind == "numeric" {
		if v, err := strconv.ParseFloat(strings.TrimSpace(form["value"]), 64); err != nil {
			fe["value"] = "Enter the right number"
		} else {
			in.Answer.Value = &v
		}
		if t := strings.TrimSpace(form["tolerance"]); t != "" {
			if in.Answer.Tolerance, err = strconv.ParseFloat(t, 64); err != nil {
				fe["tolerance"] = "Enter a number, or leave it empty for an exact answer"
			}
		}
	}
	in.Answer.Accept = lines(form["accept"])
	if len(fe) == 0 {
		id, _ := pathID(c, "course")
		_, err = s.d.Quizzes.AddQuestion(c.Request.Context(), request.Scope(c), id, in)
		var failed bool
		if fe, failed = s.formOutcome(c, err, map[string]string{"options": "options", "answer.options": "correct", "answer.value": "value", "answer.tolerance": "tolerance", "answer.accept": "accept"}); failed {
			return
		}
	}
	if len(fe) > 0 {
		s.showBank(c, http.StatusBadRequest, view{Form: form, Errors: fe})
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/courses/"+c.Param("course")+"/question-bank?done=question-added")
}

var quizFields = []string{"title", "instructions", "opens_at", "closes_at", "time_limit_minutes", "question_ids"}

func (s *Site) newQuizPage(c *gin.Context) {
	now := s.now().UTC()
	s.showNewQuiz(c, http.StatusOK, view{Form: map[string]string{
		"opens_at": now.Format(dateTimeLocal), "closes_at": now.Add(7 * 24 * time.Hour).Format(dateTimeLocal), "time_limit_minutes": "30"}}, nil)
}

func (s *Site) showNewQuiz(c *gin.Context, status int, v view, chosen []string) {
	id, ok := pathID(c, "course")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such course.")
		return
	}
	qs, err := s.d.Quizzes.Questions(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	picked := map[string]bool{}
	for _, q := range chosen {
		picked[q] = true
	}
	v.Title, v.Fields = "Set a quiz", quizFields
	v.Data = map[string]any{"Base": base(c), "CourseID": id, "Questions": qs, "Picked": picked}
	s.render(c, status, "quiz_new", v)
}

func (s *Site) createQuizPage(c *gin.Context) {
	form := map[string]string{}
	for _, f := range quizFields {
		form[f] = c.PostForm(f)
	}
	fe := map[string]string{}
	in := quiz.NewQuiz{Title: form["title"], Instructions: form["instructions"], Published: c.PostForm("published") == "yes"}
	in.OpensAt = utcTime(fe, "opens_at", form["opens_at"])
	in.ClosesAt = utcTime(fe, "closes_at", form["closes_at"])
	if m := strings.TrimSpace(form["time_limit_minutes"]); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			fe["time_limit_minutes"] = "Enter whole minutes, from 1 to 1440"
		}
		in.TimeLimitMinutes = n
	}
	chosen := c.PostFormArray("question_ids")
	for _, q := range chosen {
		id, err := uuid.Parse(q)
		if err != nil {
			fe["question_ids"] = "Choose questions from the bank"
			break
		}
		in.QuestionIDs = append(in.QuestionIDs, id)
	}
	id, _ := pathID(c, "course")
	var q quiz.Quiz
	if len(fe) == 0 {
		var err error
		q, err = s.d.Quizzes.Create(c.Request.Context(), request.Scope(c), id, in)
		var failed bool
		if fe, failed = s.formOutcome(c, err, map[string]string{"question_ids": "question_ids", "time_limit": "time_limit_minutes"}); failed {
			return
		}
	}
	if len(fe) > 0 {
		s.showNewQuiz(c, http.StatusBadRequest, view{Form: form, Errors: fe}, chosen)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/quizzes/"+q.ID.String()+"/results?done=quiz-set")
}

// surveyRows is how many question rows the survey form offers; blank rows
// are left out.
const surveyRows = 6

var surveyFields = func() []string {
	f := []string{"title", "description", "purpose", "closes_at", "questions"}
	for i := range surveyRows {
		n := strconv.Itoa(i)
		f = append(f, "q"+n+"_prompt", "q"+n+"_options")
	}
	return f
}()

func (s *Site) newSurveyPage(c *gin.Context) {
	form := map[string]string{"closes_at": s.now().UTC().Add(14 * 24 * time.Hour).Format(dateTimeLocal), "course_id": c.Query("course")}
	s.showNewSurvey(c, http.StatusOK, view{Form: form})
}

func (s *Site) showNewSurvey(c *gin.Context, status int, v view) {
	var course *uuid.UUID
	if cid := v.Form["course_id"]; cid != "" {
		id, err := uuid.Parse(cid)
		if err != nil {
			s.Error(c, http.StatusNotFound, "There is no such course.")
			return
		}
		course = &id
	}
	if err := s.d.Surveys.MaySet(c.Request.Context(), request.Scope(c), course); err != nil {
		s.fail(c, err)
		return
	}
	v.Title, v.Fields = "Set a survey", surveyFields
	rows := make([]string, surveyRows)
	for i := range rows {
		rows[i] = strconv.Itoa(i)
	}
	v.Data = map[string]any{"Base": base(c), "Rows": rows, "Kinds": survey.Kinds}
	s.render(c, status, "survey_new", v)
}

func (s *Site) createSurveyPage(c *gin.Context) {
	form := map[string]string{"course_id": c.PostForm("course_id"), "anonymous": c.PostForm("anonymous")}
	for _, f := range surveyFields {
		form[f] = c.PostForm(f)
	}
	fe := map[string]string{}
	in := survey.NewSurvey{Title: form["title"], Description: form["description"], Purpose: form["purpose"], Anonymous: form["anonymous"] == "yes"}
	if cid := strings.TrimSpace(form["course_id"]); cid != "" {
		id, err := uuid.Parse(cid)
		if err != nil {
			s.Error(c, http.StatusNotFound, "There is no such course.")
			return
		}
		in.CourseID = &id
	}
	in.ClosesAt = utcTime(fe, "closes_at", form["closes_at"])
	rowOf := []int{} // the form row of each question sent, to put errors back on it
	for i := range surveyRows {
		n := strconv.Itoa(i)
		form["q"+n+"_kind"] = c.PostForm("q" + n + "_kind")
		if strings.TrimSpace(form["q"+n+"_prompt"]) == "" {
			continue
		}
		in.Questions = append(in.Questions, survey.Question{Kind: form["q"+n+"_kind"], Prompt: form["q"+n+"_prompt"], Options: lines(form["q"+n+"_options"])})
		rowOf = append(rowOf, i)
	}
	if len(fe) == 0 {
		_, err := s.d.Surveys.Create(c.Request.Context(), request.Scope(c), in)
		names := map[string]string{}
		for i, row := range rowOf {
			n := strconv.Itoa(row)
			names["questions["+strconv.Itoa(i)+"].options"] = "q" + n + "_options"
			names["questions["+strconv.Itoa(i)+"]"] = "q" + n + "_prompt"
		}
		var failed bool
		if fe, failed = s.formOutcome(c, err, names); failed {
			return
		}
	}
	if len(fe) > 0 {
		s.showNewSurvey(c, http.StatusBadRequest, view{Form: form, Errors: fe})
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/surveys?done=survey-set")
}

// setPeerPage sets peer assessment from the assignment page's form:
// criteria one per line.
func (s *Site) setPeerPage(c *gin.Context) {
	id, ok := pathID(c, "assignment")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such assignment.")
		return
	}
	form := map[string]string{"criteria": c.PostForm("criteria"), "peer_closes_at": c.PostForm("peer_closes_at")}
	fe := map[string]string{}
	in := peer.NewAssessment{Criteria: lines(form["criteria"])}
	in.ClosesAt = utcTime(fe, "peer_closes_at", form["peer_closes_at"])
	var a peer.Assessment
	if len(fe) == 0 {
		var err error
		a, err = s.d.Peers.Set(c.Request.Context(), request.Scope(c), id, in)
		var failed bool
		if fe, failed = s.formOutcome(c, err, map[string]string{"criteria": "criteria", "closes_at": "peer_closes_at"}); failed {
			return
		}
	}
	if len(fe) > 0 {
		d, err := s.assignmentView(c, id)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusBadRequest, "assignment", view{Title: d.A.Title, Form: form, Errors: fe, Fields: []string{"criteria", "peer_closes_at"}, Data: d})
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/peer-assessments/"+a.ID.String()+"?done=peer-set")
}

func (s *Site) adminMessageForm(c *gin.Context) {
	s.showAdminMessage(c, http.StatusOK, view{Form: map[string]string{}})
}

func (s *Site) showAdminMessage(c *gin.Context, status int, v view) {
	schools, err := s.d.Tenants.Schools(c.Request.Context(), request.Scope(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Title, v.Fields = "Write to a school or everyone", []string{"audience", "subject", "body"}
	v.Data = map[string]any{"Base": base(c), "Schools": schools}
	s.render(c, status, "admin_message", v)
}

func (s *Site) sendAdminMessage(c *gin.Context) {
	form := map[string]string{"audience": c.PostForm("audience"), "subject": c.PostForm("subject"), "body": c.PostForm("body")}
	in := comms.NewCommunication{Subject: form["subject"], Body: form["body"],
		Optional: c.PostForm("optional") == "yes", ByEmail: c.PostForm("by_email") == "yes"}
	fe := map[string]string{}
	if a := form["audience"]; a != "everyone" {
		id, err := uuid.Parse(a)
		if err != nil {
			fe["audience"] = "Choose a school, or everyone"
		}
		in.SchoolID = &id
	}
	if len(fe) == 0 {
		_, err := s.d.Comms.Send(c.Request.Context(), request.Scope(c), in)
		var failed bool
		if fe, failed = s.formOutcome(c, err, map[string]string{"school_id": "audience", "course_id": "audience"}); failed {
			return
		}
	}
	if len(fe) > 0 {
		s.showAdminMessage(c, http.StatusBadRequest, view{Form: form, Errors: fe})
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/messages?done=message-sent")
}

func (s *Site) assignTutorPage(c *gin.Context) {
	learner, ok1 := pathID(c, "id")
	tutorID, err := uuid.Parse(c.PostForm("tutor"))
	if !ok1 {
		s.fail(c, errs.ErrNotFound)
		return
	}
	if err == nil {
		err = s.d.Tutors.Assign(c.Request.Context(), request.Scope(c), learner, tutorID)
	} else {
		err = errs.Field("tutor", "choose a tutor from the list")
	}
	if m, ok := formErrors(err); ok {
		s.showPersonErrors(c, m, "tutor")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+learner.String()+"?done=tutor-assigned")
}

func (s *Site) endTutorPage(c *gin.Context) {
	learner, ok1 := pathID(c, "id")
	tutorID, ok2 := pathID(c, "tutor")
	if !ok1 || !ok2 {
		s.fail(c, errs.ErrNotFound)
		return
	}
	if err := s.d.Tutors.End(c.Request.Context(), request.Scope(c), learner, tutorID); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+learner.String()+"?done=tutor-ended")
}

// uploadPhoto streams the form's "photo" file into storage and returns its
// id; a field error when none was sent or it was refused.
func (s *Site) uploadPhoto(c *gin.Context) (uuid.UUID, error) {
	mr := request.MultipartOf(c)
	if mr == nil {
		return uuid.Nil, errs.Field("photo", "choose an image to upload")
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	id := uuid.Nil
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uuid.Nil, errs.Field("photo", "the form could not be read: try again")
		}
		if part.FormName() != "photo" || part.FileName() == "" || id != uuid.Nil {
			_, _ = io.Copy(io.Discard, part)
			continue
		}
		f, err := s.d.Files.Upload(ctx, sc, part.FileName(), part)
		if m, isField := formErrors(err); isField {
			return uuid.Nil, errs.Field("photo", "%s", firstMessage(m))
		} else if err != nil {
			return uuid.Nil, err
		}
		id = f.ID
	}
	if id == uuid.Nil {
		return uuid.Nil, errs.Field("photo", "choose an image to upload")
	}
	return id, nil
}

func (s *Site) myPhotoPage(c *gin.Context) {
	s.showMyPhoto(c, http.StatusOK, nil)
}

func (s *Site) showMyPhoto(c *gin.Context, status int, fe map[string]string) {
	sc := request.Scope(c)
	_, err := s.d.Media.Photo(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil && !notFound(err) {
		s.fail(c, err)
		return
	}
	s.render(c, status, "my_photo", view{Title: "My photo", Errors: fe, Fields: []string{"photo"},
		Data: map[string]any{"Base": base(c), "Me": sc.Actor().ID, "HasPhoto": err == nil}})
}

func (s *Site) setMyPhoto(c *gin.Context) {
	sc := request.Scope(c)
	id, err := s.uploadPhoto(c)
	if err == nil {
		err = s.d.Media.SetPhoto(c.Request.Context(), sc, sc.Actor().ID, id)
	}
	if m, ok := formErrors(err); ok {
		s.showMyPhoto(c, http.StatusBadRequest, renameFields(m, map[string]string{"file_id": "photo"}))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/my/photo?done=photo-set")
}

func (s *Site) setSchoolPhoto(c *gin.Context) {
	person, ok := pathID(c, "id")
	if !ok {
		s.fail(c, errs.ErrNotFound)
		return
	}
	id, err := s.uploadPhoto(c)
	if err == nil {
		err = s.d.Media.SetPhoto(c.Request.Context(), request.Scope(c), person, id)
	}
	if m, ok := formErrors(err); ok {
		s.showPersonErrors(c, renameFields(m, map[string]string{"file_id": "photo"}), "photo")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/admin/people/"+person.String()+"?done=photo-set")
}

// photoImage sends the browser to a short-lived link to the photo, or 404
// where the person's consent (or school) does not allow showing it.
func (s *Site) photoImage(c *gin.Context) {
	person, ok := pathID(c, "id")
	if !ok {
		s.fail(c, errs.ErrNotFound)
		return
	}
	link, err := s.d.Media.Photo(c.Request.Context(), request.Scope(c), person)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Redirect(http.StatusSeeOther, link.URL)
}
