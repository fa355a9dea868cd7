package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/survey"
)

// surveyRoutes are surveys and feedback forms.
func (s *Server) surveyRoutes() []Route {
	return []Route{
		{Method: "GET", Path: tp + "/surveys", Summary: "Surveys I may answer or own", Area: AreaTenant, Object: "survey", Action: "read", Reply: []survey.Survey{}, Handler: s.listSurveys},
		{Method: "POST", Path: tp + "/surveys", Summary: "Set a survey of a course (its teachers) or of the whole school (tenant-wide admins), anonymous or named (with its purpose)", Area: AreaTenant, Object: "survey", Action: "write", Status: http.StatusCreated, Request: survey.NewSurvey{}, Reply: survey.Survey{}, Handler: s.createSurvey},
		{Method: "GET", Path: tp + "/surveys/:survey", Summary: "A survey", Area: AreaTenant, Object: "survey", Action: "read", Reply: survey.Survey{}, Handler: s.getSurvey},
		{Method: "POST", Path: tp + "/surveys/:survey/responses", Summary: "Answer a survey, once (an anonymous response holds no link to me)", Area: AreaTenant, Object: "survey-response", Action: "write", Status: http.StatusNoContent, Request: SurveyAnswers{}, Handler: s.answerSurvey},
		{Method: "GET", Path: tp + "/surveys/:survey/results", Summary: "A survey's tallies and responses (its owners; anonymous responses shuffled, without person or time)", Area: AreaTenant, Object: "survey", Action: "read", Reply: survey.Results{}, Handler: s.surveyResults},
	}
}

// SurveyAnswers maps question ids (q1, q2, ...) to answers.
type SurveyAnswers struct {
	Answers map[string]string `json:"answers"`
}

func (s *Server) listSurveys(c *gin.Context) {
	out, err := s.Surveys.List(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) createSurvey(c *gin.Context) {
	var in survey.NewSurvey
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Surveys.Create(c.Request.Context(), scope(c), in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) getSurvey(c *gin.Context) {
	id, err := pathID(c, "survey")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Surveys.Get(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) answerSurvey(c *gin.Context) {
	id, err := pathID(c, "survey")
	if err != nil {
		fail(c, err)
		return
	}
	var in SurveyAnswers
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if err := s.Surveys.Answer(c.Request.Context(), scope(c), id, in.Answers); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) surveyResults(c *gin.Context) {
	id, err := pathID(c, "survey")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Surveys.Results(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}
