package web

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// quizPages are taking a course's quizzes (quiz.js saves each answer as
// it is given, so a dropped connection loses nothing; without JavaScript
// one button saves them all; Hand in saves the whole form first) and a
// quiz's results, which its teachers mark and release.
func (s *Site) quizPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/quizzes", Summary: "A course's quizzes",
			Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.serve(withID("course", "There is no such course.", s.quizzesPage))},
		{Method: "POST", Path: tp + "/quizzes/:quiz/attempt", Summary: "Start or resume my attempt",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write", Handler: s.serve(withID("quiz", "There is no such quiz.", s.startQuiz))},
		{Method: "GET", Path: tp + "/attempts/:attempt",
			Summary: "An attempt: questions, saved answers, time left", Area: request.AreaTenant,
			Object: "quiz-attempt", Action: "read", Handler: s.serve(withID("attempt", "There is no such attempt.", s.attemptPage))},
		{Method: "POST", Path: tp + "/attempts/:attempt/answers/:question", Summary: "Save one answer",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write",
			Handler: s.serve(s.saveAnswerPage)},
		{Method: "POST", Path: tp + "/attempts/:attempt/answers", Summary: "Save every answer of my attempt's form",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write",
			Handler: s.serve(withID("attempt", "There is no such attempt.", s.saveAnswersPage))},
		{Method: "POST", Path: tp + "/attempts/:attempt/submit", Summary: "Hand my attempt in (saving every answer of its form first)",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write",
			Handler: s.serve(withID("attempt", "There is no such attempt.", s.submitAttemptPage))},
		{Method: "GET", Path: tp + "/quizzes/:quiz/results",
			Summary: "A quiz's attempts, to mark and release (teachers)", Area: request.AreaTenant,
			Object: "quiz", Action: "read", Handler: s.serve(withID("quiz", "There is no such quiz.", s.quizResultsPage))},
		{Method: "POST", Path: tp + "/quizzes/:quiz/release", Summary: "Release a quiz's results",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(withID("quiz", "There is no such quiz.", s.releaseQuizPage))},
		{Method: "POST", Path: tp + "/attempts/:attempt/answers/:question/mark", Summary: "Mark an answer",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(s.markAnswerPage)},
	}
}

type quizzesData struct {
	Base     string
	CourseID uuid.UUID
	Teaching bool // offer the question bank and setting quizzes
	Quizzes  []quiz.Quiz
	Peers    []peer.Assessment
}

func (s *Site) quizzesPage(c *gin.Context, id uuid.UUID) (page, error) {
	teaching, err := s.d.Courses.Teaches(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	qs, err := s.d.Quizzes.List(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	ps, err := s.d.Peers.ForCourse(c.Request.Context(), request.Scope(c), id)
	return show("quizzes", view{Title: "Quizzes and tests", Data: quizzesData{Base: base(c), CourseID: id, Teaching: teaching, Quizzes: qs, Peers: ps}}), err
}

func (s *Site) startQuiz(c *gin.Context, id uuid.UUID) (page, error) {
	sh, err := s.d.Quizzes.Start(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/attempts/" + sh.Attempt.ID.String()), err
}

type sheetQuestion struct {
	quiz.Question
	N        int
	Saved    quiz.Response
	HasSaved bool
	// Chosen is the text of each option the answer chose, for results.
	Chosen   []string
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

func (s *Site) attemptPage(c *gin.Context, id uuid.UUID) (page, error) {
	sh, err := s.d.Quizzes.Sheet(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	d := attemptData{Base: base(c), Sheet: sh, Open: !sh.Staff && sh.Attempt.Status == quiz.AttemptInProgress && sh.SecondsLeft > 0, Released: sh.Quiz.ResultsReleasedAt != nil}
	saved := map[uuid.UUID]quiz.SavedAnswer{}
	for _, a := range sh.Answers {
		saved[a.QuestionID] = a
	}
	for i, q := range sh.Questions {
		sq := sheetQuestion{Question: q, N: i + 1}
		if a, ok := saved[q.ID]; ok {
			sq.HasSaved = true
			_ = json.Unmarshal(a.Response, &sq.Saved)
			for _, o := range q.Options {
				if slices.Contains(sq.Saved.Options, o.ID) {
					sq.Chosen = append(sq.Chosen, o.Text)
				}
			}
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
	_, err := s.d.Quizzes.Save(c.Request.Context(), request.Scope(c), a, q, r)
	return goTo(base(c) + "/attempts/" + a.String() + "?done=answer-saved"), err
}

// answersPosted reads the attempt form's answers: each question's field is
// named q-<question id>.
func answersPosted(c *gin.Context) quiz.Posted {
	out := quiz.Posted{}
	if err := c.Request.ParseForm(); err != nil {
		return out
	}
	for k, vs := range c.Request.PostForm {
		if id, err := uuid.Parse(strings.TrimPrefix(k, "q-")); err == nil && strings.HasPrefix(k, "q-") {
			out[id] = vs
		}
	}
	return out
}

func (s *Site) saveAnswersPage(c *gin.Context, a uuid.UUID) (page, error) {
	err := s.d.Quizzes.SaveForm(c.Request.Context(), request.Scope(c), a, answersPosted(c))
	return goTo(base(c) + "/attempts/" + a.String() + "?done=answer-saved"), err
}

func (s *Site) submitAttemptPage(c *gin.Context, a uuid.UUID) (page, error) {
	_, err := s.d.Quizzes.HandIn(c.Request.Context(), request.Scope(c), a, answersPosted(c))
	return goTo(base(c) + "/attempts/" + a.String() + "?done=handed-in"), err
}

func (s *Site) quizResultsPage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	q, err := s.d.Quizzes.Get(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	as, err := s.d.Quizzes.Attempts(ctx, sc, id)
	return show("quiz_results", view{Title: "Results: " + q.Title, Data: map[string]any{"Base": base(c), "Quiz": q, "Attempts": as}}), err
}

func (s *Site) releaseQuizPage(c *gin.Context, id uuid.UUID) (page, error) {
	_, err := s.d.Quizzes.Release(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/quizzes/" + id.String() + "/results?done=quiz-released"), err
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
	_, err = s.d.Quizzes.MarkAnswer(c.Request.Context(), request.Scope(c), a, q, quiz.Mark{Score: score, Feedback: c.PostForm("feedback")})
	return goTo(base(c) + "/attempts/" + a.String() + "?done=answer-marked"), err
}
