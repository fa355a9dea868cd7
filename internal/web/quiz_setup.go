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
		{Method: "GET", Path: tp + "/courses/:course/question-bank",
			Summary: "A course's question bank, and a form to add a question (teachers)",
			Area:    request.AreaTenant, Object: "quiz", Action: "read", Handler: s.serve(s.bankPage)},
		{Method: "POST", Path: tp + "/courses/:course/question-bank", Summary: "Add a question to the bank",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(s.addQuestionPage)},
		{Method: "GET", Path: tp + "/courses/:course/quizzes/new", Summary: "Set a quiz or timed test",
			Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.serve(s.newQuizPage)},
		{Method: "POST", Path: tp + "/courses/:course/quizzes", Summary: "Set a quiz or timed test",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(s.createQuizPage)},
		{Method: "GET", Path: tp + "/surveys/new",
			Summary: "Set a survey of a course or of the whole school", Area: request.AreaTenant,
			Object: "survey", Action: "read", Handler: s.serve(s.newSurveyPage)},
		{Method: "POST", Path: tp + "/surveys", Summary: "Set a survey", Area: request.AreaTenant,
			Object: "survey", Action: "write", Handler: s.serve(s.createSurveyPage)},
		{Method: "POST", Path: tp + "/assignments/:assignment/peer-assessment",
			Summary: "Set peer assessment of an assignment", Area: request.AreaTenant,
			Object: "peer-assessment", Action: "write", Handler: s.serve(s.setPeerPage)},
		{Method: "GET", Path: tp + "/admin/messages", Summary: "Write to a school or to everyone (admins)",
			Area: request.AreaTenant, Object: "communication", Action: "read",
			Handler: s.serve(s.adminMessageForm)},
		{Method: "POST", Path: tp + "/admin/messages", Summary: "Send a message to a school or to everyone",
			Area: request.AreaTenant, Object: "communication", Action: "write",
			Handler: s.serve(s.sendAdminMessage)},
		{Method: "POST", Path: tp + "/admin/people/:id/tutors", Summary: "Assign a personal tutor",
			Area: request.AreaTenant, Object: "tutorship", Action: "write",
			Handler: s.serve(s.assignTutorPage)},
		{Method: "POST", Path: tp + "/admin/people/:id/tutors/:tutor/end", Summary: "End a tutorship",
			Area: request.AreaTenant, Object: "tutorship", Action: "write", Handler: s.serve(s.endTutorPage)},
		{Method: "POST", Path: tp + "/admin/people/:id/photo", Summary: "Set a person's school ID photo",
			Area: request.AreaTenant, Upload: true, Object: "person", Action: "write",
			Handler: s.serve(s.setSchoolPhoto)},
		{Method: "GET", Path: tp + "/my/photo", Summary: "My profile photo", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Handler: s.serve(s.myPhotoPage)},
		{Method: "POST", Path: tp + "/my/photo", Summary: "Set my profile photo", Area: request.AreaTenant,
			Upload: true, Object: "my-data", Action: "write", Handler: s.serve(s.setMyPhoto)},
		{Method: "GET", Path: tp + "/people/:id/photo",
			Summary: "A person's photo, where their photo consent allows", Area: request.AreaTenant,
			Object: "course", Action: "read", Handler: s.serve(s.photoImage)},
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
// error comes back as it is, for the handler to return.
func formOutcome(err error, names map[string]string) (map[string]string, error) {
	if m, ok := formErrors(err); ok {
		return renameFields(m, names), nil
	}
	return nil, err
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

func (s *Site) bankPage(c *gin.Context) (page, error) {
	return s.showBank(c, http.StatusOK, view{Form: map[string]string{"kind": "single", "points": "1"}})
}

// showBank is the question bank with v's form (its values and errors).
func (s *Site) showBank(c *gin.Context, status int, v view) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
	}
	qs, err := s.d.Quizzes.Questions(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Question bank", bankFields
	v.Data = map[string]any{"Base": base(c), "CourseID": id, "Questions": qs, "Kinds": quiz.Kinds}
	return page{status: status, name: "question_bank", view: v}, nil
}

// addQuestionPage reads the form: options one per line (lettered a, b, c
// in order), the right ones by letter.
func (s *Site) addQuestionPage(c *gin.Context) (page, error) {
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
		if fe, err = formOutcome(err, map[string]string{"options": "options", "answer.options": "correct", "answer.value": "value", "answer.tolerance": "tolerance", "answer.accept": "accept"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.showBank(c, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/courses/" + c.Param("course") + "/question-bank?done=question-added"), nil
}

var quizFields = []string{"title", "instructions", "opens_at", "closes_at", "time_limit_minutes", "question_ids"}

func (s *Site) newQuizPage(c *gin.Context) (page, error) {
	now := s.now().UTC()
	return s.showNewQuiz(c, http.StatusOK, view{Form: map[string]string{
		"opens_at": now.Format(dateTimeLocal), "closes_at": now.Add(7 * 24 * time.Hour).Format(dateTimeLocal), "time_limit_minutes": "30"}}, nil)
}

// showNewQuiz is the form to set a quiz, with v's values and errors and
// the questions chosen ticked.
func (s *Site) showNewQuiz(c *gin.Context, status int, v view, chosen []string) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
	}
	qs, err := s.d.Quizzes.Questions(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	picked := map[string]bool{}
	for _, q := range chosen {
		picked[q] = true
	}
	v.Title, v.Fields = "Set a quiz", quizFields
	v.Data = map[string]any{"Base": base(c), "CourseID": id, "Questions": qs, "Picked": picked}
	return page{status: status, name: "quiz_new", view: v}, nil
}

func (s *Site) createQuizPage(c *gin.Context) (page, error) {
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
		if fe, err = formOutcome(err, map[string]string{"question_ids": "question_ids", "time_limit": "time_limit_minutes"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.showNewQuiz(c, http.StatusBadRequest, view{Form: form, Errors: fe}, chosen)
	}
	return goTo(base(c) + "/quizzes/" + q.ID.String() + "/results?done=quiz-set"), nil
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

func (s *Site) newSurveyPage(c *gin.Context) (page, error) {
	form := map[string]string{"closes_at": s.now().UTC().Add(14 * 24 * time.Hour).Format(dateTimeLocal), "course_id": c.Query("course")}
	return s.showNewSurvey(c, http.StatusOK, view{Form: form})
}

// showNewSurvey is the form to set a survey, with v's values and errors.
func (s *Site) showNewSurvey(c *gin.Context, status int, v view) (page, error) {
	var course *uuid.UUID
	if cid := v.Form["course_id"]; cid != "" {
		id, err := uuid.Parse(cid)
		if err != nil {
			return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
		}
		course = &id
	}
	if err := s.d.Surveys.MaySet(c.Request.Context(), request.Scope(c), course); err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Set a survey", surveyFields
	rows := make([]string, surveyRows)
	for i := range rows {
		rows[i] = strconv.Itoa(i)
	}
	v.Data = map[string]any{"Base": base(c), "Rows": rows, "Kinds": survey.Kinds}
	return page{status: status, name: "survey_new", view: v}, nil
}

func (s *Site) createSurveyPage(c *gin.Context) (page, error) {
	form := map[string]string{"course_id": c.PostForm("course_id"), "anonymous": c.PostForm("anonymous")}
	for _, f := range surveyFields {
		form[f] = c.PostForm(f)
	}
	fe := map[string]string{}
	in := survey.NewSurvey{Title: form["title"], Description: form["description"], Purpose: form["purpose"], Anonymous: form["anonymous"] == "yes"}
	if cid := strings.TrimSpace(form["course_id"]); cid != "" {
		id, err := uuid.Parse(cid)
		if err != nil {
			return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
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
		if fe, err = formOutcome(err, names); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.showNewSurvey(c, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/surveys?done=survey-set"), nil
}

// setPeerPage sets peer assessment from the assignment page's form:
// criteria one per line.
func (s *Site) setPeerPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "assignment")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such assignment.")
	}
	form := map[string]string{"criteria": c.PostForm("criteria"), "peer_closes_at": c.PostForm("peer_closes_at")}
	fe := map[string]string{}
	in := peer.NewAssessment{Criteria: lines(form["criteria"])}
	in.ClosesAt = utcTime(fe, "peer_closes_at", form["peer_closes_at"])
	var a peer.Assessment
	if len(fe) == 0 {
		var err error
		a, err = s.d.Peers.Set(c.Request.Context(), request.Scope(c), id, in)
		if fe, err = formOutcome(err, map[string]string{"criteria": "criteria", "closes_at": "peer_closes_at"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		d, err := s.assignmentView(c, id)
		if err != nil {
			return page{}, err
		}
		return again("assignment", view{Title: d.A.Title, Form: form, Errors: fe, Fields: []string{"criteria", "peer_closes_at"}, Data: d}), nil
	}
	return goTo(base(c) + "/peer-assessments/" + a.ID.String() + "?done=peer-set"), nil
}

func (s *Site) adminMessageForm(c *gin.Context) (page, error) {
	return s.showAdminMessage(c, http.StatusOK, view{Form: map[string]string{}})
}

// showAdminMessage is the form to write to a school or everyone, with v's
// values and errors.
func (s *Site) showAdminMessage(c *gin.Context, status int, v view) (page, error) {
	schools, err := s.d.Tenants.Schools(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Write to a school or everyone", []string{"audience", "subject", "body"}
	v.Data = map[string]any{"Base": base(c), "Schools": schools}
	return page{status: status, name: "admin_message", view: v}, nil
}

func (s *Site) sendAdminMessage(c *gin.Context) (page, error) {
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
		if fe, err = formOutcome(err, map[string]string{"school_id": "audience", "course_id": "audience"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.showAdminMessage(c, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/admin/messages?done=message-sent"), nil
}

func (s *Site) assignTutorPage(c *gin.Context) (page, error) {
	learner, ok1 := pathID(c, "id")
	tutorID, err := uuid.Parse(c.PostForm("tutor"))
	if !ok1 {
		return page{}, errs.ErrNotFound
	}
	if err == nil {
		err = s.d.Tutors.Assign(c.Request.Context(), request.Scope(c), learner, tutorID)
	} else {
		err = errs.Field("tutor", "choose a tutor from the list")
	}
	if m, ok := formErrors(err); ok {
		return s.showPersonErrors(c, m, "tutor")
	}
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/people/" + learner.String() + "?done=tutor-assigned"), nil
}

func (s *Site) endTutorPage(c *gin.Context) (page, error) {
	learner, ok1 := pathID(c, "id")
	tutorID, ok2 := pathID(c, "tutor")
	if !ok1 || !ok2 {
		return page{}, errs.ErrNotFound
	}
	if err := s.d.Tutors.End(c.Request.Context(), request.Scope(c), learner, tutorID); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/people/" + learner.String() + "?done=tutor-ended"), nil
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

func (s *Site) myPhotoPage(c *gin.Context) (page, error) {
	return s.showMyPhoto(c, http.StatusOK, nil)
}

// showMyPhoto is the page of one's photo, with the upload form's errors.
func (s *Site) showMyPhoto(c *gin.Context, status int, fe map[string]string) (page, error) {
	sc := request.Scope(c)
	_, err := s.d.Media.Photo(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil && !notFound(err) {
		return page{}, err
	}
	return page{status: status, name: "my_photo", view: view{Title: "My photo", Errors: fe, Fields: []string{"photo"},
		Data: map[string]any{"Base": base(c), "Me": sc.Actor().ID, "HasPhoto": err == nil}}}, nil
}

func (s *Site) setMyPhoto(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	id, err := s.uploadPhoto(c)
	if err == nil {
		err = s.d.Media.SetPhoto(c.Request.Context(), sc, sc.Actor().ID, id)
	}
	if m, ok := formErrors(err); ok {
		return s.showMyPhoto(c, http.StatusBadRequest, renameFields(m, map[string]string{"file_id": "photo"}))
	}
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/my/photo?done=photo-set"), nil
}

func (s *Site) setSchoolPhoto(c *gin.Context) (page, error) {
	person, ok := pathID(c, "id")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	id, err := s.uploadPhoto(c)
	if err == nil {
		err = s.d.Media.SetPhoto(c.Request.Context(), request.Scope(c), person, id)
	}
	if m, ok := formErrors(err); ok {
		return s.showPersonErrors(c, renameFields(m, map[string]string{"file_id": "photo"}), "photo")
	}
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/people/" + person.String() + "?done=photo-set"), nil
}

// photoImage sends the browser to a short-lived link to the photo, or 404
// where the person's consent (or school) does not allow showing it.
func (s *Site) photoImage(c *gin.Context) (page, error) {
	person, ok := pathID(c, "id")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	link, err := s.d.Media.Photo(c.Request.Context(), request.Scope(c), person)
	if err != nil {
		return page{}, err
	}
	c.Header("Cache-Control", "private, no-store")
	return goTo(link.URL), nil
}
