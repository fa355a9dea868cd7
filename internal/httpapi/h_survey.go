package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/survey"
	"github.com/schoolcloud/lms/internal/request"
)

// surveyRoutes are surveys and feedback forms.
func (s *Server) surveyRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/surveys", Summary: "Surveys I may answer or own",
			Area: request.AreaTenant, Object: "survey", Action: "read", Reply: request.Page[survey.Survey]{},
			API: request.PagedScoped(survey.Survey.At, s.Surveys.ListPage)},
		{Method: "POST", Path: tp + "/surveys",
			Summary: "Set a survey of a course (its teachers) or of the whole school (tenant-wide admins), anonymous or named (with its purpose)",
			Area:    request.AreaTenant, Object: "survey", Action: "write", Status: http.StatusCreated,
			Request: survey.NewSurvey{}, Reply: survey.Survey{}, API: request.FromBody(s.Surveys.Create)},
		{Method: "GET", Path: tp + "/surveys/:survey", Summary: "A survey", Area: request.AreaTenant,
			Object: "survey", Action: "read", Reply: survey.Survey{}, API: request.ByID("survey", s.Surveys.Get)},
		{Method: "POST", Path: tp + "/surveys/:survey/responses",
			Summary: "Answer a survey, once (an anonymous response holds no link to me)",
			Area:    request.AreaTenant, Object: "survey-response", Action: "write", Status: http.StatusNoContent,
			Request: SurveyAnswers{}, API: s.answerSurvey},
		{Method: "GET", Path: tp + "/surveys/:survey/results",
			Summary: "A survey's tallies and responses (its owners; anonymous responses shuffled, without person or time)",
			Area:    request.AreaTenant, Object: "survey", Action: "read", Reply: survey.Results{},
			API: request.ByID("survey", s.Surveys.Results)},
	}
}

// SurveyAnswers maps question ids (q1, q2, ...) to answers.
type SurveyAnswers struct {
	Answers map[string]string `json:"answers"`
}

func (s *Server) answerSurvey(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[SurveyAnswers](c, "survey")
	if err != nil {
		return nil, err
	}
	return nil, s.Surveys.Answer(c.Request.Context(), request.Scope(c), id, in.Answers)
}
