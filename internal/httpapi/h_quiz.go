package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/quiz"
)

// quizRoutes are timed tests and quizzes: the course's question bank and
// quizzes for its teachers, attempts for its learners, marking and
// release of results for its teachers.
func (s *Server) quizRoutes() []Route {
	return []Route{
		{Method: "GET", Path: tp + "/courses/:course/questions", Summary: "The course's question bank, with answers (teachers)", Area: AreaTenant, Object: "quiz", Action: "read", Reply: []quiz.Question{}, Handler: s.listQuestions},
		{Method: "POST", Path: tp + "/courses/:course/questions", Summary: "Add a question to the course's bank: single, multiple, numeric (with tolerance), short or essay", Area: AreaTenant, Object: "quiz", Action: "write", Status: http.StatusCreated, Request: quiz.NewQuestion{}, Reply: quiz.Question{}, Handler: s.addQuestion},
		{Method: "GET", Path: tp + "/courses/:course/quizzes", Summary: "The course's quizzes (learners: published, with their own time limit and attempt)", Area: AreaTenant, Object: "quiz", Action: "read", Reply: []quiz.Quiz{}, Handler: s.listQuizzes},
		{Method: "POST", Path: tp + "/courses/:course/quizzes", Summary: "Set a quiz: questions from the bank, an open window and a time limit", Area: AreaTenant, Object: "quiz", Action: "write", Status: http.StatusCreated, Request: quiz.NewQuiz{}, Reply: quiz.Quiz{}, Handler: s.createQuiz},
		{Method: "GET", Path: tp + "/quizzes/:quiz", Summary: "A quiz", Area: AreaTenant, Object: "quiz", Action: "read", Reply: quiz.Quiz{}, Handler: s.getQuiz},
		{Method: "GET", Path: tp + "/quizzes/:quiz/attempts", Summary: "Every attempt at a quiz (teachers)", Area: AreaTenant, Object: "quiz", Action: "read", Reply: []quiz.Attempt{}, Handler: s.quizAttempts},
		{Method: "POST", Path: tp + "/quizzes/:quiz/release", Summary: "Release the quiz's results to its learners", Area: AreaTenant, Object: "quiz", Action: "write", Reply: quiz.Quiz{}, Handler: s.releaseQuiz},
		{Method: "POST", Path: tp + "/quizzes/:quiz/attempt", Summary: "Start my attempt, or resume it: my deadline is the time limit plus my extra time", Area: AreaTenant, Object: "quiz-attempt", Action: "write", Reply: quiz.Sheet{}, Handler: s.startAttempt},
		{Method: "GET", Path: tp + "/attempts/:attempt", Summary: "An attempt with its questions and saved answers (scores once released)", Area: AreaTenant, Object: "quiz-attempt", Action: "read", Reply: quiz.Sheet{}, Handler: s.getAttempt},
		{Method: "PUT", Path: tp + "/attempts/:attempt/answers/:question", Summary: "Save my answer to a question (as I answer; refused after my deadline)", Area: AreaTenant, Object: "quiz-attempt", Action: "write", Request: quiz.Response{}, Reply: quiz.SavedAnswer{}, Handler: s.saveAnswer},
		{Method: "POST", Path: tp + "/attempts/:attempt/submit", Summary: "Hand my attempt in", Area: AreaTenant, Object: "quiz-attempt", Action: "write", Reply: quiz.Sheet{}, Handler: s.submitAttempt},
		{Method: "PUT", Path: tp + "/attempts/:attempt/answers/:question/mark", Summary: "Mark an answer (teachers: essays, or a correction)", Area: AreaTenant, Object: "quiz", Action: "write", Request: quiz.Mark{}, Reply: quiz.Sheet{}, Handler: s.markAnswer},
	}
}

func (s *Server) listQuestions(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Questions(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) addQuestion(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in quiz.NewQuestion
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.AddQuestion(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) listQuizzes(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.List(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) createQuiz(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in quiz.NewQuiz
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Create(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) getQuiz(c *gin.Context) {
	id, err := pathID(c, "quiz")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Get(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) quizAttempts(c *gin.Context) {
	id, err := pathID(c, "quiz")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Attempts(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) releaseQuiz(c *gin.Context) {
	id, err := pathID(c, "quiz")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Release(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) startAttempt(c *gin.Context) {
	id, err := pathID(c, "quiz")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Start(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) getAttempt(c *gin.Context) {
	id, err := pathID(c, "attempt")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Sheet(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) saveAnswer(c *gin.Context) {
	ids, err := pathIDs(c, "attempt", "question")
	if err != nil {
		fail(c, err)
		return
	}
	a, q := ids[0], ids[1]
	var in quiz.Response
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Save(c.Request.Context(), scope(c), a, q, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) submitAttempt(c *gin.Context) {
	id, err := pathID(c, "attempt")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.Submit(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) markAnswer(c *gin.Context) {
	ids, err := pathIDs(c, "attempt", "question")
	if err != nil {
		fail(c, err)
		return
	}
	a, q := ids[0], ids[1]
	var in quiz.Mark
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Quizzes.MarkAnswer(c.Request.Context(), scope(c), a, q, in)
	reply(c, http.StatusOK, out, err)
}
