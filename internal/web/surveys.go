package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/survey"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// surveyPages are the surveys for the person signed in, answering one, its
// results for its owners, and the form to set one of a course or of the
// whole school.
func (s *Site) surveyPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/surveys", Summary: "Surveys for me", Area: request.AreaTenant,
			Object: "survey", Action: "read", Handler: s.serve(s.surveysPage)},
		{Method: "GET", Path: tp + "/surveys/:survey",
			Summary: "Answer a survey, or see its results (owners)", Area: request.AreaTenant,
			Object: "survey", Action: "read", Handler: s.serve(withID("survey", "There is no such survey.", s.surveyPage))},
		{Method: "POST", Path: tp + "/surveys/:survey/responses", Summary: "Answer a survey",
			Area: request.AreaTenant, Object: "survey-response", Action: "write",
			Handler: s.serve(withID("survey", "There is no such survey.", s.answerSurveyPage))},
		{Method: "GET", Path: tp + "/surveys/new",
			Summary: "Set a survey of a course or of the whole school", Area: request.AreaTenant,
			Object: "survey", Action: "read", Handler: s.serve(s.newSurveyPage)},
		{Method: "POST", Path: tp + "/surveys", Summary: "Set a survey", Area: request.AreaTenant,
			Object: "survey", Action: "write", Handler: s.serve(s.createSurveyPage)},
	}
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

func (s *Site) surveyPage(c *gin.Context, id uuid.UUID) (page, error) {
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

func (s *Site) answerSurveyPage(c *gin.Context, id uuid.UUID) (page, error) {
	answers := map[string]string{}
	for i := 1; i <= 50; i++ {
		k := "q" + strconv.Itoa(i)
		if v, has := c.GetPostForm(k); has {
			answers[k] = v
		}
	}
	err := s.d.Surveys.Answer(c.Request.Context(), request.Scope(c), id, answers)
	return goTo(base(c) + "/surveys?done=survey-answered"), err
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
	form := map[string]string{"closes_at": s.now().In(s.zone(c)).Add(14 * 24 * time.Hour).Format(dateTimeLocal), "course_id": c.Query("course")}
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
	form := postedAsIs(c, surveyFields...)
	form["course_id"], form["anonymous"] = c.PostForm("course_id"), c.PostForm("anonymous")
	fe := map[string]string{}
	in := survey.NewSurvey{Title: form["title"], Description: form["description"], Purpose: form["purpose"], Anonymous: form["anonymous"] == "yes"}
	if cid := strings.TrimSpace(form["course_id"]); cid != "" {
		id, err := uuid.Parse(cid)
		if err != nil {
			return page{}, errs.New(errs.ErrNotFound, "There is no such course.")
		}
		in.CourseID = &id
	}
	in.ClosesAt = localTime(fe, "closes_at", form["closes_at"], s.zone(c))
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
