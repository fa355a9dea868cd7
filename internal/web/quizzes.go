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
		{Method: "GET", Path: tp + "/courses/:course/quizzes", Summary: "A course's quizzes",
			Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.serve(s.quizzesPage)},
		{Method: "POST", Path: tp + "/quizzes/:quiz/attempt", Summary: "Start or resume my attempt",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write", Handler: s.serve(s.startQuiz)},
		{Method: "GET", Path: tp + "/attempts/:attempt",
			Summary: "An attempt: questions, saved answers, time left", Area: request.AreaTenant,
			Object: "quiz-attempt", Action: "read", Handler: s.serve(s.attemptPage)},
		{Method: "POST", Path: tp + "/attempts/:attempt/answers/:question", Summary: "Save one answer",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write",
			Handler: s.serve(s.saveAnswerPage)},
		{Method: "POST", Path: tp + "/attempts/:attempt/submit", Summary: "Hand my attempt in",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write",
			Handler: s.serve(s.submitAttemptPage)},
		{Method: "GET", Path: tp + "/quizzes/:quiz/results",
			Summary: "A quiz's attempts, to mark and release (teachers)", Area: request.AreaTenant,
			Object: "quiz", Action: "read", Handler: s.serve(s.quizResultsPage)},
		{Method: "POST", Path: tp + "/quizzes/:quiz/release", Summary: "Release a quiz's results",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(s.releaseQuizPage)},
		{Method: "POST", Path: tp + "/attempts/:attempt/answers/:question/mark", Summary: "Mark an answer",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(s.markAnswerPage)},
		{Method: "GET", Path: tp + "/surveys", Summary: "Surveys for me", Area: request.AreaTenant,
			Object: "survey", Action: "read", Handler: s.serve(s.surveysPage)},
		{Method: "GET", Path: tp + "/surveys/:survey",
			Summary: "Answer a survey, or see its results (owners)", Area: request.AreaTenant,
			Object: "survey", Action: "read", Handler: s.serve(s.surveyPage)},
		{Method: "POST", Path: tp + "/surveys/:survey/responses", Summary: "Answer a survey",
			Area: request.AreaTenant, Object: "survey-response", Action: "write",
			Handler: s.serve(s.answerSurveyPage)},
		{Method: "GET", Path: tp + "/tutees", Summary: "My tutees", Area: request.AreaTenant,
			Object: "tutee", Action: "read", Handler: s.serve(s.tuteesPage)},
		{Method: "GET", Path: tp + "/tutees/:person", Summary: "A tutee: engagement, meetings",
			Area: request.AreaTenant, Object: "tutee", Action: "read", Handler: s.serve(s.tuteePage)},
		{Method: "POST", Path: tp + "/tutees/:person/meetings", Summary: "Record a meeting",
			Area: request.AreaTenant, Object: "tutee", Action: "write", Handler: s.serve(s.addMeetingPage)},
		{Method: "GET", Path: tp + "/courses/:course/recordings", Summary: "A course's recordings",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(s.recordingsPage)},
		{Method: "GET", Path: tp + "/recordings/:recording/download",
			Summary: "Watch or download a recording", Area: request.AreaTenant, Object: "course",
			Action: "read", Handler: s.serve(s.recordingDownload)},
		{Method: "GET", Path: tp + "/my/inbox", Summary: "My messages", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Handler: s.serve(s.inboxPage)},
		{Method: "GET", Path: tp + "/peer-assessments/:peer",
			Summary: "Peer assessment: rate my group members; what I received (averages only)",
			Area:    request.AreaTenant, Object: "peer-rating", Action: "read", Handler: s.serve(s.peerPage)},
		{Method: "POST", Path: tp + "/peer-assessments/:peer/ratings/:person",
			Summary: "Rate a group member", Area: request.AreaTenant, Object: "peer-rating", Action: "write",
			Handler: s.serve(s.ratePeerPage)},
		{Method: "GET", Path: tp + "/courses/:course/messages", Summary: "Write to a course",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(s.courseMessageForm)},
		{Method: "POST", Path: tp + "/courses/:course/messages", Summary: "Send a message to a course",
			Area: request.AreaTenant, Object: "communication", Action: "write",
			Handler: s.serve(s.sendCourseMessage)},
		{Method: "GET", Path: tp + "/my/tutor", Summary: "Share something with my personal tutor",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.serve(s.myTutorPage)},
		{Method: "POST", Path: tp + "/my/tutor",
			Summary: "Share something with my tutor (with my explicit consent)", Area: request.AreaTenant,
			Object: "my-data", Action: "write", Handler: s.serve(s.shareWithTutor)},
		{Method: "POST", Path: tp + "/my/tutor/:disclosure/withdraw",
			Summary: "Withdraw something I shared", Area: request.AreaTenant, Object: "my-data",
			Action: "write", Handler: s.serve(s.withdrawShared)},
		{Method: "GET", Path: tp + "/admin/usage", Summary: "How the platform is used (counts only)",
			Area: request.AreaTenant, Object: "usage", Action: "read", Handler: s.serve(s.usagePage)},
	}
}

type quizzesData struct {
	Base     string
	CourseID uuid.UUID
	Teaching bool // offer the question bank and setting quizzes
	Quizzes  []quiz.Quiz
	Peers    []peer.Assessment
}

func (s *Site) quizzesPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
	}
	teaching, err := s.d.Courses.Teaches(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	qs, err := s.d.Quizzes.List(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	ps, err := s.d.Peers.ForCourse(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return show("quizzes", view{Title: "Quizzes and tests", Data: quizzesData{Base: base(c), CourseID: id, Teaching: teaching, Quizzes: qs, Peers: ps}}), nil
}

func (s *Site) startQuiz(c *gin.Context) (page, error) {
	id, ok := pathID(c, "quiz")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such quiz.")
	}
	sh, err := s.d.Quizzes.Start(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/attempts/" + sh.Attempt.ID.String()), nil
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

func (s *Site) attemptPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "attempt")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such attempt.")
	}
	sh, err := s.d.Quizzes.Sheet(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
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
	return show("attempt", view{Title: sh.Quiz.Title, Data: d}), nil
}

func (s *Site) saveAnswerPage(c *gin.Context) (page, error) {
	a, ok1 := pathID(c, "attempt")
	q, ok2 := pathID(c, "question")
	if !ok1 || !ok2 {
		return page{}, errs.New(errs.ErrNotFound, "There is no such question.")
	}
	var r quiz.Response
	if opts := c.PostFormArray("options"); len(opts) > 0 {
		r.Options = opts
	}
	if v := strings.TrimSpace(c.PostForm("value")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return page{}, errs.Field("value", "must be a number, like 3.14")
		}
		r.Value = &f
	}
	if _, has := c.GetPostForm("text"); has {
		t := c.PostForm("text")
		r.Text = &t
	}
	if _, err := s.d.Quizzes.Save(c.Request.Context(), request.Scope(c), a, q, r); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/attempts/" + a.String() + "?done=answer-saved"), nil
}

func (s *Site) submitAttemptPage(c *gin.Context) (page, error) {
	a, ok := pathID(c, "attempt")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such attempt.")
	}
	if _, err := s.d.Quizzes.Submit(c.Request.Context(), request.Scope(c), a); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/attempts/" + a.String() + "?done=handed-in"), nil
}

func (s *Site) surveysPage(c *gin.Context) (page, error) {
	vs, err := s.d.Surveys.List(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	// Tenant-wide admins may survey the whole school: offer them the form.
	setSchool := s.d.Surveys.MaySet(c.Request.Context(), request.Scope(c), nil) == nil
	return show("surveys", view{Title: "Surveys", Data: map[string]any{"Base": base(c), "Surveys": vs, "SetSchool": setSchool}}), nil
}

func (s *Site) surveyPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "survey")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such survey.")
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	v, err := s.d.Surveys.Get(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	d := map[string]any{"Base": base(c), "Survey": v}
	if res, err := s.d.Surveys.Results(ctx, sc, id); err == nil {
		d["Results"] = res
	}
	return show("survey", view{Title: v.Title, Data: d}), nil
}

func (s *Site) answerSurveyPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "survey")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such survey.")
	}
	answers := map[string]string{}
	for i := 1; i <= 50; i++ {
		k := "q" + strconv.Itoa(i)
		if v, has := c.GetPostForm(k); has {
			answers[k] = v
		}
	}
	if err := s.d.Surveys.Answer(c.Request.Context(), request.Scope(c), id, answers); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/surveys?done=survey-answered"), nil
}

func (s *Site) tuteesPage(c *gin.Context) (page, error) {
	ts, err := s.d.Tutors.Tutees(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	return show("tutees", view{Title: "My tutees", Data: map[string]any{"Base": base(c), "Tutees": ts}}), nil
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

func (s *Site) tuteePage(c *gin.Context) (page, error) {
	return s.showTutee(c, http.StatusOK, view{Form: map[string]string{}})
}

// showTutee is the tutee page with v's form (its values and errors).
func (s *Site) showTutee(c *gin.Context, status int, v view) (page, error) {
	id, ok := pathID(c, "person")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such tutee.")
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
		return page{}, err
	}
	switch _, err := s.d.Media.Photo(ctx, sc, id); {
	case err == nil:
		d.HasPhoto = true
	case !notFound(err):
		return page{}, err
	}
	if ts, err := s.d.Tutors.Tutees(ctx, sc); err == nil {
		for _, t := range ts {
			if t.PersonID == id {
				d.Name = t.DisplayName
			}
		}
	}
	v.Title, v.Data, v.Fields = "Tutee: "+d.Name, d, []string{"met_on", "notes", "agreed_support"}
	return page{status: status, name: "tutee", view: v}, nil
}

func (s *Site) addMeetingPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "person")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such tutee.")
	}
	in := tutor.NewMeeting{MetOn: c.PostForm("met_on"), Notes: c.PostForm("notes"), AgreedSupport: c.PostForm("agreed_support")}
	_, err := s.d.Tutors.AddMeeting(c.Request.Context(), request.Scope(c), id, in)
	if fe, ok := formErrors(err); ok {
		return s.showTutee(c, http.StatusBadRequest, view{Form: map[string]string{"met_on": in.MetOn, "notes": in.Notes, "agreed_support": in.AgreedSupport}, Errors: fe})
	}
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/tutees/" + id.String() + "?done=meeting-saved"), nil
}

func (s *Site) recordingsPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
	}
	rs, err := s.d.Media.Recordings(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return show("recordings", view{Title: "Recordings", Data: map[string]any{"Base": base(c), "CourseID": id, "Recordings": rs}}), nil
}

func (s *Site) recordingDownload(c *gin.Context) (page, error) {
	id, ok := pathID(c, "recording")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such recording.")
	}
	link, err := s.d.Media.RecordingLink(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return goTo(link.URL), nil
}

func (s *Site) inboxPage(c *gin.Context) (page, error) {
	ms, err := s.d.Comms.Inbox(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	return show("inbox", view{Title: "Messages", Data: map[string]any{"Base": base(c), "Messages": ms}}), nil
}

func (s *Site) usagePage(c *gin.Context) (page, error) {
	rows, err := usage.Of(c.Request.Context(), s.d.DB, request.Scope(c))
	if err != nil {
		return page{}, err
	}
	return show("usage", view{Title: "How the platform is used", Data: map[string]any{"Base": base(c), "Rows": rows}}), nil
}

type peerData struct {
	Base       string
	Assessment peer.Assessment
	Members    []peer.Member
	Received   []peer.Received
	Results    *peer.Results
}

func (s *Site) peerPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "peer")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such peer assessment.")
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	d := peerData{Base: base(c)}
	var err error
	if res, rerr := s.d.Peers.Results(ctx, sc, id); rerr == nil {
		d.Results, d.Assessment = &res, res.Assessment
	} else if d.Assessment, d.Members, d.Received, err = s.d.Peers.Mine(ctx, sc, id); err != nil {
		return page{}, err
	}
	return show("peer", view{Title: "Peer assessment", Data: d}), nil
}

func (s *Site) ratePeerPage(c *gin.Context) (page, error) {
	id, ok1 := pathID(c, "peer")
	person, ok2 := pathID(c, "person")
	if !ok1 || !ok2 {
		return page{}, errs.New(errs.ErrNotFound, "There is no such peer assessment.")
	}
	scores := map[string]int{}
	for i := 1; i <= 10; i++ {
		k := "c" + strconv.Itoa(i)
		if v := c.PostForm(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return page{}, errs.Field(k, "must be 1-5")
			}
			scores[k] = n
		}
	}
	if err := s.d.Peers.Rate(c.Request.Context(), request.Scope(c), id, person, scores); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/peer-assessments/" + id.String() + "?done=rated"), nil
}

func (s *Site) courseMessageForm(c *gin.Context) (page, error) {
	return s.showCourseMessage(c, http.StatusOK, view{Form: map[string]string{}})
}

// showCourseMessage is the form to write to a course, with v's values and errors.
func (s *Site) showCourseMessage(c *gin.Context, status int, v view) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
	}
	if err := s.d.Comms.CanWriteTo(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	v.Title, v.Fields, v.Data = "Write to the course", []string{"subject", "body"}, map[string]any{"Base": base(c), "CourseID": id}
	return page{status: status, name: "course_message", view: v}, nil
}

func (s *Site) sendCourseMessage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
	}
	in := comms.NewCommunication{CourseID: &id, Subject: c.PostForm("subject"), Body: c.PostForm("body"),
		Optional: c.PostForm("optional") == "yes", ByEmail: c.PostForm("by_email") == "yes"}
	_, err := s.d.Comms.Send(c.Request.Context(), request.Scope(c), in)
	if fe, ok := formErrors(err); ok {
		return s.showCourseMessage(c, http.StatusBadRequest, view{Form: map[string]string{"subject": in.Subject, "body": in.Body}, Errors: fe})
	}
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/courses/" + id.String() + "/messages?done=message-sent"), nil
}

func (s *Site) myTutorPage(c *gin.Context) (page, error) {
	return s.showMyTutor(c, http.StatusOK, view{Form: map[string]string{}})
}

// showMyTutor is the form to share with one's tutor, with v's values and errors.
func (s *Site) showMyTutor(c *gin.Context, status int, v view) (page, error) {
	sc := request.Scope(c)
	shared, err := s.d.Tutors.Disclosures(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Share with my tutor", []string{"category", "details", "consent"}
	v.Data = map[string]any{"Base": base(c), "Shared": shared, "Wording": tutor.ConsentWording}
	return page{status: status, name: "my_tutor", view: v}, nil
}

func (s *Site) shareWithTutor(c *gin.Context) (page, error) {
	in := tutor.NewDisclosure{Category: c.PostForm("category"), Details: c.PostForm("details"), Consent: c.PostForm("consent") == "yes"}
	_, err := s.d.Tutors.Disclose(c.Request.Context(), request.Scope(c), in)
	if fe, ok := formErrors(err); ok {
		return s.showMyTutor(c, http.StatusBadRequest, view{Form: map[string]string{"category": in.Category, "details": in.Details}, Errors: fe})
	}
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/my/tutor?done=shared"), nil
}

func (s *Site) withdrawShared(c *gin.Context) (page, error) {
	id, ok := pathID(c, "disclosure")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is nothing to withdraw.")
	}
	if err := s.d.Tutors.Withdraw(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/my/tutor?done=withdrawn"), nil
}

func (s *Site) quizResultsPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "quiz")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such quiz.")
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	q, err := s.d.Quizzes.Get(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	as, err := s.d.Quizzes.Attempts(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	return show("quiz_results", view{Title: "Results: " + q.Title, Data: map[string]any{"Base": base(c), "Quiz": q, "Attempts": as}}), nil
}

func (s *Site) releaseQuizPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "quiz")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such quiz.")
	}
	if _, err := s.d.Quizzes.Release(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/quizzes/" + id.String() + "/results?done=quiz-released"), nil
}

func (s *Site) markAnswerPage(c *gin.Context) (page, error) {
	a, ok1 := pathID(c, "attempt")
	q, ok2 := pathID(c, "question")
	if !ok1 || !ok2 {
		return page{}, errs.New(errs.ErrNotFound, "There is no such answer.")
	}
	score, err := strconv.ParseFloat(strings.TrimSpace(c.PostForm("score")), 64)
	if err != nil {
		score = math.NaN() // the service says so, once the attempt is known to be theirs
	}
	if _, err := s.d.Quizzes.MarkAnswer(c.Request.Context(), request.Scope(c), a, q, quiz.Mark{Score: score, Feedback: c.PostForm("feedback")}); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/attempts/" + a.String() + "?done=answer-marked"), nil
}
