package web

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/lms/tutor"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/usage"
)

// learning2Pages are the pages of learning, part two: a course's quizzes
// and taking one (each answer saved by its own button, so nothing is lost
// if the connection drops), surveys, a tutor's tutees, a course's
// recordings, the messages inbox and the school's usage.
func (s *Site) learning2Pages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/quizzes", Summary: "A course's quizzes", Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.quizzesPage},
		{Method: "POST", Path: tp + "/quizzes/:quiz/attempt", Summary: "Start or resume my attempt", Area: request.AreaTenant, Object: "quiz-attempt", Action: "write", Handler: s.startQuiz},
		{Method: "GET", Path: tp + "/attempts/:attempt", Summary: "An attempt: questions, saved answers, time left", Area: request.AreaTenant, Object: "quiz-attempt", Action: "read", Handler: s.attemptPage},
		{Method: "POST", Path: tp + "/attempts/:attempt/answers/:question", Summary: "Save one answer", Area: request.AreaTenant, Object: "quiz-attempt", Action: "write", Handler: s.saveAnswerPage},
		{Method: "POST", Path: tp + "/attempts/:attempt/submit", Summary: "Hand my attempt in", Area: request.AreaTenant, Object: "quiz-attempt", Action: "write", Handler: s.submitAttemptPage},
		{Method: "GET", Path: tp + "/quizzes/:quiz/results", Summary: "A quiz's attempts, to mark and release (teachers)", Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.quizResultsPage},
		{Method: "POST", Path: tp + "/quizzes/:quiz/release", Summary: "Release a quiz's results", Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.releaseQuizPage},
		{Method: "POST", Path: tp + "/attempts/:attempt/answers/:question/mark", Summary: "Mark an answer", Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.markAnswerPage},
		{Method: "GET", Path: tp + "/surveys", Summary: "Surveys for me", Area: request.AreaTenant, Object: "survey", Action: "read", Handler: s.surveysPage},
		{Method: "GET", Path: tp + "/surveys/:survey", Summary: "Answer a survey, or see its results (owners)", Area: request.AreaTenant, Object: "survey", Action: "read", Handler: s.surveyPage},
		{Method: "POST", Path: tp + "/surveys/:survey/responses", Summary: "Answer a survey", Area: request.AreaTenant, Object: "survey-response", Action: "write", Handler: s.answerSurveyPage},
		{Method: "GET", Path: tp + "/tutees", Summary: "My tutees", Area: request.AreaTenant, Object: "tutee", Action: "read", Handler: s.tuteesPage},
		{Method: "GET", Path: tp + "/tutees/:person", Summary: "A tutee: engagement, meetings", Area: request.AreaTenant, Object: "tutee", Action: "read", Handler: s.tuteePage},
		{Method: "POST", Path: tp + "/tutees/:person/meetings", Summary: "Record a meeting", Area: request.AreaTenant, Object: "tutee", Action: "write", Handler: s.addMeetingPage},
		{Method: "GET", Path: tp + "/courses/:course/recordings", Summary: "A course's recordings", Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.recordingsPage},
		{Method: "GET", Path: tp + "/recordings/:recording/download", Summary: "Watch or download a recording", Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.recordingDownload},
		{Method: "GET", Path: tp + "/my/inbox", Summary: "My messages", Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.inboxPage},
		{Method: "GET", Path: tp + "/peer-assessments/:peer", Summary: "Peer assessment: rate my group members; what I received (averages only)", Area: request.AreaTenant, Object: "peer-rating", Action: "read", Handler: s.peerPage},
		{Method: "POST", Path: tp + "/peer-assessments/:peer/ratings/:person", Summary: "Rate a group member", Area: request.AreaTenant, Object: "peer-rating", Action: "write", Handler: s.ratePeerPage},
		{Method: "GET", Path: tp + "/courses/:course/messages", Summary: "Write to a course", Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.courseMessageForm},
		{Method: "POST", Path: tp + "/courses/:course/messages", Summary: "Send a message to a course", Area: request.AreaTenant, Object: "communication", Action: "write", Handler: s.sendCourseMessage},
		{Method: "GET", Path: tp + "/my/tutor", Summary: "Share something with my personal tutor", Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.myTutorPage},
		{Method: "POST", Path: tp + "/my/tutor", Summary: "Share something with my tutor (with my explicit consent)", Area: request.AreaTenant, Object: "my-data", Action: "write", Handler: s.shareWithTutor},
		{Method: "POST", Path: tp + "/my/tutor/:disclosure/withdraw", Summary: "Withdraw something I shared", Area: request.AreaTenant, Object: "my-data", Action: "write", Handler: s.withdrawShared},
		{Method: "GET", Path: tp + "/admin/usage", Summary: "How the platform is used (counts only)", Area: request.AreaTenant, Object: "usage", Action: "read", Handler: s.usagePage},
	}
}

type quizzesData struct {
	Base     string
	CourseID uuid.UUID
	Teaching bool // offer the question bank and setting quizzes
	Quizzes  []quiz.Quiz
	Peers    []peer.Assessment
}

func (s *Site) quizzesPage(c *gin.Context) {
	id, ok := pathID(c, "course")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such course.")
		return
	}
	teaching, err := s.d.Courses.Teaches(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	qs, err := s.d.Quizzes.List(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ps, err := s.d.Peers.ForCourse(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "quizzes", view{Title: "Quizzes and tests", Data: quizzesData{Base: base(c), CourseID: id, Teaching: teaching, Quizzes: qs, Peers: ps}})
}

func (s *Site) startQuiz(c *gin.Context) {
	id, ok := pathID(c, "quiz")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such quiz.")
		return
	}
	sh, err := s.d.Quizzes.Start(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/attempts/"+sh.Attempt.ID.String())
}

type sheetQuestion struct {
	quiz.Question
	N        int
	Saved    quiz.Response
	HasSaved bool
	Score    *float64
	Feedback string
}

type attemptData struct {
	Base      string
	Sheet     quiz.Sheet
	Questions []sheetQuestion
	Open      bool
	Released  bool
}

func (s *Site) attemptPage(c *gin.Context) {
	id, ok := pathID(c, "attempt")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such attempt.")
		return
	}
	sh, err := s.d.Quizzes.Sheet(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := attemptData{Base: base(c), Sheet: sh, Open: !sh.Staff && sh.Attempt.Status == "in-progress" && sh.SecondsLeft > 0, Released: sh.Quiz.ResultsReleasedAt != nil}
	saved := map[uuid.UUID]quiz.SavedAnswer{}
	for _, a := range sh.Answers {
		saved[a.QuestionID] = a
	}
	for i, q := range sh.Questions {
		sq := sheetQuestion{Question: q, N: i + 1}
		if a, ok := saved[q.ID]; ok {
			sq.HasSaved = true
			_ = json.Unmarshal(a.Response, &sq.Saved)
			sq.Feedback = a.Feedback
			if a.TeacherScore != nil {
				sq.Score = a.TeacherScore
			} else {
				sq.Score = a.AutoScore
			}
		}
		d.Questions = append(d.Questions, sq)
	}
	s.render(c, http.StatusOK, "attempt", view{Title: sh.Quiz.Title, Data: d})
}

func (s *Site) saveAnswerPage(c *gin.Context) {
	a, ok1 := pathID(c, "attempt")
	q, ok2 := pathID(c, "question")
	if !ok1 || !ok2 {
		s.Error(c, http.StatusNotFound, "There is no such question.")
		return
	}
	var r quiz.Response
	if opts := c.PostFormArray("options"); len(opts) > 0 {
		r.Options = opts
	}
	if v := strings.TrimSpace(c.PostForm("value")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			s.fail(c, errs.Field("value", "must be a number, like 3.14"))
			return
		}
		r.Value = &f
	}
	if _, has := c.GetPostForm("text"); has {
		t := c.PostForm("text")
		r.Text = &t
	}
	if _, err := s.d.Quizzes.Save(c.Request.Context(), request.Scope(c), a, q, r); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/attempts/"+a.String()+"?done=answer-saved")
}

func (s *Site) submitAttemptPage(c *gin.Context) {
	a, ok := pathID(c, "attempt")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such attempt.")
		return
	}
	if _, err := s.d.Quizzes.Submit(c.Request.Context(), request.Scope(c), a); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/attempts/"+a.String()+"?done=handed-in")
}

func (s *Site) surveysPage(c *gin.Context) {
	vs, err := s.d.Surveys.List(c.Request.Context(), request.Scope(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	// Tenant-wide admins may survey the whole school: offer them the form.
	setSchool := s.d.Surveys.MaySet(c.Request.Context(), request.Scope(c), nil) == nil
	s.render(c, http.StatusOK, "surveys", view{Title: "Surveys", Data: map[string]any{"Base": base(c), "Surveys": vs, "SetSchool": setSchool}})
}

func (s *Site) surveyPage(c *gin.Context) {
	id, ok := pathID(c, "survey")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such survey.")
		return
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	v, err := s.d.Surveys.Get(ctx, sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := map[string]any{"Base": base(c), "Survey": v}
	if res, err := s.d.Surveys.Results(ctx, sc, id); err == nil {
		d["Results"] = res
	}
	s.render(c, http.StatusOK, "survey", view{Title: v.Title, Data: d})
}

func (s *Site) answerSurveyPage(c *gin.Context) {
	id, ok := pathID(c, "survey")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such survey.")
		return
	}
	answers := map[string]string{}
	for i := 1; i <= 50; i++ {
		k := "q" + strconv.Itoa(i)
		if v, has := c.GetPostForm(k); has {
			answers[k] = v
		}
	}
	if err := s.d.Surveys.Answer(c.Request.Context(), request.Scope(c), id, answers); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/surveys?done=survey-answered")
}

func (s *Site) tuteesPage(c *gin.Context) {
	ts, err := s.d.Tutors.Tutees(c.Request.Context(), request.Scope(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "tutees", view{Title: "My tutees", Data: map[string]any{"Base": base(c), "Tutees": ts}})
}

type tuteeData struct {
	Base       string
	PersonID   uuid.UUID
	Name       string
	Engagement []tutor.CourseEngagement
	Meetings   []tutor.Meeting
	Shared     []tutor.Disclosure
	HasPhoto   bool // the tutee's photo consent allows showing it
}

func (s *Site) tuteePage(c *gin.Context) {
	s.showTutee(c, http.StatusOK, view{Form: map[string]string{}})
}

func (s *Site) showTutee(c *gin.Context, status int, v view) {
	id, ok := pathID(c, "person")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such tutee.")
		return
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	d := tuteeData{Base: base(c), PersonID: id}
	var err error
	if d.Engagement, err = s.d.Tutors.Engagement(ctx, sc, id); err == nil {
		if d.Meetings, err = s.d.Tutors.Meetings(ctx, sc, id); err == nil {
			d.Shared, err = s.d.Tutors.Disclosures(ctx, sc, id)
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	switch _, err := s.d.Media.Photo(ctx, sc, id); {
	case err == nil:
		d.HasPhoto = true
	case !notFound(err):
		s.fail(c, err)
		return
	}
	if ts, err := s.d.Tutors.Tutees(ctx, sc); err == nil {
		for _, t := range ts {
			if t.PersonID == id {
				d.Name = t.DisplayName
			}
		}
	}
	v.Title, v.Data, v.Fields = "Tutee: "+d.Name, d, []string{"met_on", "notes", "agreed_support"}
	s.render(c, status, "tutee", v)
}

func (s *Site) addMeetingPage(c *gin.Context) {
	id, ok := pathID(c, "person")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such tutee.")
		return
	}
	in := tutor.NewMeeting{MetOn: c.PostForm("met_on"), Notes: c.PostForm("notes"), AgreedSupport: c.PostForm("agreed_support")}
	_, err := s.d.Tutors.AddMeeting(c.Request.Context(), request.Scope(c), id, in)
	if fe, ok := formErrors(err); ok {
		s.showTutee(c, http.StatusBadRequest, view{Form: map[string]string{"met_on": in.MetOn, "notes": in.Notes, "agreed_support": in.AgreedSupport}, Errors: fe})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/tutees/"+id.String()+"?done=meeting-saved")
}

func (s *Site) recordingsPage(c *gin.Context) {
	id, ok := pathID(c, "course")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such course.")
		return
	}
	rs, err := s.d.Media.Recordings(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "recordings", view{Title: "Recordings", Data: map[string]any{"Base": base(c), "CourseID": id, "Recordings": rs}})
}

func (s *Site) recordingDownload(c *gin.Context) {
	id, ok := pathID(c, "recording")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such recording.")
		return
	}
	link, err := s.d.Media.RecordingLink(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, link.URL)
}

func (s *Site) inboxPage(c *gin.Context) {
	ms, err := s.d.Comms.Inbox(c.Request.Context(), request.Scope(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "inbox", view{Title: "Messages", Data: map[string]any{"Base": base(c), "Messages": ms}})
}

func (s *Site) usagePage(c *gin.Context) {
	rows, err := usage.Of(c.Request.Context(), s.d.DB, request.Scope(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "usage", view{Title: "How the platform is used", Data: map[string]any{"Base": base(c), "Rows": rows}})
}

type peerData struct {
	Base       string
	Assessment peer.Assessment
	Members    []peer.Member
	Received   []peer.Received
	Results    *peer.Results
}

func (s *Site) peerPage(c *gin.Context) {
	id, ok := pathID(c, "peer")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such peer assessment.")
		return
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	d := peerData{Base: base(c)}
	var err error
	if res, rerr := s.d.Peers.Results(ctx, sc, id); rerr == nil {
		d.Results, d.Assessment = &res, res.Assessment
	} else if d.Assessment, d.Members, d.Received, err = s.d.Peers.Mine(ctx, sc, id); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "peer", view{Title: "Peer assessment", Data: d})
}

func (s *Site) ratePeerPage(c *gin.Context) {
	id, ok1 := pathID(c, "peer")
	person, ok2 := pathID(c, "person")
	if !ok1 || !ok2 {
		s.Error(c, http.StatusNotFound, "There is no such peer assessment.")
		return
	}
	scores := map[string]int{}
	for i := 1; i <= 10; i++ {
		k := "c" + strconv.Itoa(i)
		if v := c.PostForm(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				s.fail(c, errs.Field(k, "must be 1-5"))
				return
			}
			scores[k] = n
		}
	}
	if err := s.d.Peers.Rate(c.Request.Context(), request.Scope(c), id, person, scores); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/peer-assessments/"+id.String()+"?done=rated")
}

func (s *Site) courseMessageForm(c *gin.Context) {
	s.showCourseMessage(c, http.StatusOK, view{Form: map[string]string{}})
}

func (s *Site) showCourseMessage(c *gin.Context, status int, v view) {
	id, ok := pathID(c, "course")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such course.")
		return
	}
	if err := s.d.Comms.CanWriteTo(c.Request.Context(), request.Scope(c), id); err != nil {
		s.fail(c, err)
		return
	}
	v.Title, v.Fields, v.Data = "Write to the course", []string{"subject", "body"}, map[string]any{"Base": base(c), "CourseID": id}
	s.render(c, status, "course_message", v)
}

func (s *Site) sendCourseMessage(c *gin.Context) {
	id, ok := pathID(c, "course")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such course.")
		return
	}
	in := comms.NewCommunication{CourseID: &id, Subject: c.PostForm("subject"), Body: c.PostForm("body"),
		Optional: c.PostForm("optional") == "yes", ByEmail: c.PostForm("by_email") == "yes"}
	_, err := s.d.Comms.Send(c.Request.Context(), request.Scope(c), in)
	if fe, ok := formErrors(err); ok {
		s.showCourseMessage(c, http.StatusBadRequest, view{Form: map[string]string{"subject": in.Subject, "body": in.Body}, Errors: fe})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/courses/"+id.String()+"/messages?done=message-sent")
}

func (s *Site) myTutorPage(c *gin.Context) {
	s.showMyTutor(c, http.StatusOK, view{Form: map[string]string{}})
}

func (s *Site) showMyTutor(c *gin.Context, status int, v view) {
	sc := request.Scope(c)
	shared, err := s.d.Tutors.Disclosures(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Title, v.Fields = "Share with my tutor", []string{"category", "details", "consent"}
	v.Data = map[string]any{"Base": base(c), "Shared": shared, "Wording": tutor.ConsentWording}
	s.render(c, status, "my_tutor", v)
}

func (s *Site) shareWithTutor(c *gin.Context) {
	in := tutor.NewDisclosure{Category: c.PostForm("category"), Details: c.PostForm("details"), Consent: c.PostForm("consent") == "yes"}
	_, err := s.d.Tutors.Disclose(c.Request.Context(), request.Scope(c), in)
	if fe, ok := formErrors(err); ok {
		s.showMyTutor(c, http.StatusBadRequest, view{Form: map[string]string{"category": in.Category, "details": in.Details}, Errors: fe})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/my/tutor?done=shared")
}

func (s *Site) withdrawShared(c *gin.Context) {
	id, ok := pathID(c, "disclosure")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is nothing to withdraw.")
		return
	}
	if err := s.d.Tutors.Withdraw(c.Request.Context(), request.Scope(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/my/tutor?done=withdrawn")
}

func (s *Site) quizResultsPage(c *gin.Context) {
	id, ok := pathID(c, "quiz")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such quiz.")
		return
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	q, err := s.d.Quizzes.Get(ctx, sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	as, err := s.d.Quizzes.Attempts(ctx, sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "quiz_results", view{Title: "Results: " + q.Title, Data: map[string]any{"Base": base(c), "Quiz": q, "Attempts": as}})
}

func (s *Site) releaseQuizPage(c *gin.Context) {
	id, ok := pathID(c, "quiz")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such quiz.")
		return
	}
	if _, err := s.d.Quizzes.Release(c.Request.Context(), request.Scope(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/quizzes/"+id.String()+"/results?done=quiz-released")
}

func (s *Site) markAnswerPage(c *gin.Context) {
	a, ok1 := pathID(c, "attempt")
	q, ok2 := pathID(c, "question")
	if !ok1 || !ok2 {
		s.Error(c, http.StatusNotFound, "There is no such answer.")
		return
	}
	score, err := strconv.ParseFloat(strings.TrimSpace(c.PostForm("score")), 64)
	if err != nil {
		score = math.NaN() // the service says so, once the attempt is known to be theirs
	}
	if _, err := s.d.Quizzes.MarkAnswer(c.Request.Context(), request.Scope(c), a, q, quiz.Mark{Score: score, Feedback: c.PostForm("feedback")}); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, base(c)+"/attempts/"+a.String()+"?done=answer-marked")
}
