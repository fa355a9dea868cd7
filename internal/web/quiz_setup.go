package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/request"
)

// quizSetupPages are a course's question bank and the form to set a quiz
// from it. Each form posts to the same services as the API; the services
// decide who may.
func (s *Site) quizSetupPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/question-bank",
			Summary: "A course's question bank, and a form to add a question (teachers)",
			Area:    request.AreaTenant, Object: "quiz", Action: "read", Handler: s.serve(withID("course", "There is no such course.", s.bankPage))},
		{Method: "POST", Path: tp + "/courses/:course/question-bank", Summary: "Add a question to the bank",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(withID("course", "There is no such course.", s.addQuestionPage))},
		{Method: "GET", Path: tp + "/courses/:course/quizzes/new", Summary: "Set a quiz or timed test",
			Area: request.AreaTenant, Object: "quiz", Action: "read", Handler: s.serve(withID("course", "There is no such course.", s.newQuizPage))},
		{Method: "POST", Path: tp + "/courses/:course/quizzes", Summary: "Set a quiz or timed test",
			Area: request.AreaTenant, Object: "quiz", Action: "write", Handler: s.serve(s.createQuizPage)},
	}
}

var bankFields = []string{"kind", "prompt", "points", "options", "correct", "value", "tolerance", "accept"}

func (s *Site) bankPage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showBank(c, id, http.StatusOK, view{Form: map[string]string{"kind": "single", "points": "1"}})
}

// showBank is the question bank with v's form (its values and errors).
func (s *Site) showBank(c *gin.Context, id uuid.UUID, status int, v view) (page, error) {
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
func (s *Site) addQuestionPage(c *gin.Context, id uuid.UUID) (page, error) {
	form := postedAsIs(c, bankFields...)
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
		return s.showBank(c, id, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/courses/" + c.Param("course") + "/question-bank?done=question-added"), nil
}

var quizFields = []string{"title", "instructions", "opens_at", "closes_at", "time_limit_minutes", "question_ids"}

func (s *Site) newQuizPage(c *gin.Context, id uuid.UUID) (page, error) {
	now := s.now().In(s.zone(c))
	return s.showNewQuiz(c, id, http.StatusOK, view{Form: map[string]string{
		"opens_at": now.Format(dateTimeLocal), "closes_at": now.Add(7 * 24 * time.Hour).Format(dateTimeLocal), "time_limit_minutes": "30"}}, nil)
}

// showNewQuiz is the form to set a quiz, with v's values and errors and
// the questions chosen ticked.
func (s *Site) showNewQuiz(c *gin.Context, id uuid.UUID, status int, v view, chosen []string) (page, error) {
	qs, err := s.d.Quizzes.Questions(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	picked := ticked(chosen)
	v.Title, v.Fields = "Set a quiz", quizFields
	v.Data = map[string]any{"Base": base(c), "CourseID": id, "Questions": qs, "Picked": picked}
	return page{status: status, name: "quiz_new", view: v}, nil
}

func (s *Site) createQuizPage(c *gin.Context) (page, error) {
	form := postedAsIs(c, quizFields...)
	fe := map[string]string{}
	in := quiz.NewQuiz{Title: form["title"], Instructions: form["instructions"], Published: c.PostForm("published") == "yes"}
	in.OpensAt = localTime(fe, "opens_at", form["opens_at"], s.zone(c))
	in.ClosesAt = localTime(fe, "closes_at", form["closes_at"], s.zone(c))
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
		return s.showNewQuiz(c, id, http.StatusBadRequest, view{Form: form, Errors: fe}, chosen)
	}
	return goTo(base(c) + "/quizzes/" + q.ID.String() + "/results?done=quiz-set"), nil
}
