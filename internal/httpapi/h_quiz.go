package httpapi

import (
	"net/http"

	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/request"
)

// quizRoutes are timed tests and quizzes: the course's question bank and
// quizzes for its teachers, attempts for its learners, marking and
// release of results for its teachers.
func (s *Server) quizRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/questions",
			Summary: "The course's question bank, with answers (teachers)", Area: request.AreaTenant,
			Object: "quiz", Action: "read", Reply: request.Page[quiz.Question]{},
			API: request.PagedByID("course", quiz.Question.At, s.Quizzes.QuestionPage)},
		{Method: "POST", Path: tp + "/courses/:course/questions",
			Summary: "Add a question to the course's bank: single, multiple, numeric (with tolerance), short or essay",
			Area:    request.AreaTenant, Object: "quiz", Action: "write", Status: http.StatusCreated,
			Request: quiz.NewQuestion{}, Reply: quiz.Question{}, API: request.ByIDFromBody("course", s.Quizzes.AddQuestion)},
		{Method: "GET", Path: tp + "/courses/:course/quizzes",
			Summary: "The course's quizzes (learners: published, with their own time limit and attempt)",
			Area:    request.AreaTenant, Object: "quiz", Action: "read", Reply: request.Page[quiz.Quiz]{},
			API: request.PagedByID("course", quiz.Quiz.At, s.Quizzes.ListPage)},
		{Method: "POST", Path: tp + "/courses/:course/quizzes",
			Summary: "Set a quiz: questions from the bank, an open window and a time limit",
			Area:    request.AreaTenant, Object: "quiz", Action: "write", Status: http.StatusCreated,
			Request: quiz.NewQuiz{}, Reply: quiz.Quiz{}, API: request.ByIDFromBody("course", s.Quizzes.Create)},
		{Method: "GET", Path: tp + "/quizzes/:quiz", Summary: "A quiz", Area: request.AreaTenant,
			Object: "quiz", Action: "read", Reply: quiz.Quiz{}, API: request.ByID("quiz", s.Quizzes.Get)},
		{Method: "GET", Path: tp + "/quizzes/:quiz/attempts", Summary: "Every attempt at a quiz (teachers)",
			Area: request.AreaTenant, Object: "quiz", Action: "read", Reply: request.Page[quiz.Attempt]{},
			API: request.PagedByID("quiz", quiz.Attempt.At, s.Quizzes.AttemptPage)},
		{Method: "POST", Path: tp + "/quizzes/:quiz/release",
			Summary: "Release the quiz's results to its learners", Area: request.AreaTenant, Object: "quiz",
			Action: "write", Reply: quiz.Quiz{}, API: request.ByID("quiz", s.Quizzes.Release)},
		{Method: "POST", Path: tp + "/quizzes/:quiz/attempt",
			Summary: "Start my attempt, or resume it: my deadline is the time limit plus my extra time",
			Area:    request.AreaTenant, Object: "quiz-attempt", Action: "write", Reply: quiz.Sheet{},
			API: request.ByID("quiz", s.Quizzes.Start)},
		{Method: "GET", Path: tp + "/attempts/:attempt",
			Summary: "An attempt with its questions and saved answers (scores once released)",
			Area:    request.AreaTenant, Object: "quiz-attempt", Action: "read", Reply: quiz.Sheet{},
			API: request.ByID("attempt", s.Quizzes.Sheet)},
		{Method: "PUT", Path: tp + "/attempts/:attempt/answers/:question",
			Summary: "Save my answer to a question (as I answer; refused after my deadline)",
			Area:    request.AreaTenant, Object: "quiz-attempt", Action: "write", Request: quiz.Response{},
			Reply: quiz.SavedAnswer{}, API: request.ByIDsFromBody("attempt", "question", s.Quizzes.Save)},
		{Method: "POST", Path: tp + "/attempts/:attempt/submit", Summary: "Hand my attempt in",
			Area: request.AreaTenant, Object: "quiz-attempt", Action: "write", Reply: quiz.Sheet{},
			API: request.ByID("attempt", s.Quizzes.Submit)},
		{Method: "PUT", Path: tp + "/attempts/:attempt/answers/:question/mark",
			Summary: "Mark an answer (teachers: essays, or a correction)", Area: request.AreaTenant,
			Object: "quiz", Action: "write", Request: quiz.Mark{}, Reply: quiz.Sheet{},
			API: request.ByIDsFromBody("attempt", "question", s.Quizzes.MarkAnswer)},
	}
}
