package web

import (
	"bytes"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/gradebook"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// gradebookPages are a course's gradebook for its teachers (the grid, by
// teaching group, and its CSV and Excel downloads) and a learner's own
// grades across their courses. They are "mark read", which every role
// that marks or is marked holds; the service decides who sees what (the
// grid: the course's teachers and its school's admins; grades: one's own
// released marks).
func (s *Site) gradebookPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/gradebook",
			Summary: "A course's gradebook: learners by assignments and quizzes (teachers); ?group= one teaching group",
			Area:    request.AreaTenant, Object: "mark", Action: "read", Handler: s.serve(withID("course", "", s.gradebookPage))},
		{Method: "GET", Path: tp + "/courses/:course/gradebook.csv",
			Summary: "A course's gradebook as CSV (teachers); ?group= one teaching group",
			Area:    request.AreaTenant, Object: "mark", Action: "read", Handler: s.serve(withID("course", "", s.gradebookCSV))},
		{Method: "GET", Path: tp + "/courses/:course/gradebook.xlsx",
			Summary: "A course's gradebook as an Excel workbook (teachers); ?group= one teaching group",
			Area:    request.AreaTenant, Object: "mark", Action: "read", Handler: s.serve(withID("course", "", s.gradebookXLSX))},
		{Method: "GET", Path: tp + "/grades", Summary: "My grades on every course I learn on (released marks only)",
			Area: request.AreaTenant, Object: "mark", Action: "read", Handler: s.serve(s.myGrades)},
	}
}

// gradebookGrid loads the grid of the course, of the teaching group the
// query names (?group=, "" for every learner).
func (s *Site) gradebookGrid(c *gin.Context, id uuid.UUID) (gradebook.Grid, error) {
	var group *uuid.UUID
	if v := c.Query("group"); v != "" {
		g, err := uuid.Parse(v)
		if err != nil {
			return gradebook.Grid{}, errs.New(errs.ErrNotFound, "That teaching group is not on this course.")
		}
		group = &g
	}
	return s.d.Gradebook.Grid(c.Request.Context(), request.Scope(c), id, group)
}

type gradebookData struct {
	Base    string
	Grid    gradebook.Grid
	Columns []gradebookColumn
	Rows    []gradebookRow
	Average []string
	// Query keeps the group filter on the download links.
	Query string
}

type gradebookColumn struct {
	gradebook.Column
	Max string
}

type gradebookRow struct {
	Name    string
	Cells   []gradebookCell
	Percent string
}

// gradebookCell is a cell as the table shows it: the score or the state
// in words, and a marker for a mark not yet released (or released).
type gradebookCell struct {
	Text       string
	Scored     bool
	Released   bool
	Missing    bool
	Unreleased bool
}

func pct(v *float64) string {
	if v == nil {
		return ""
	}
	return gradebook.Number(*v) + "%"
}

func (s *Site) gradebookPage(c *gin.Context, id uuid.UUID) (page, error) {
	g, err := s.gradebookGrid(c, id)
	if err != nil {
		return page{}, err
	}
	d := gradebookData{Base: base(c), Grid: g}
	if g.Group != nil {
		d.Query = "?" + url.Values{"group": {g.Group.ID.String()}}.Encode()
	}
	for _, col := range g.Columns {
		d.Columns = append(d.Columns, gradebookColumn{Column: col, Max: gradebook.Number(col.MaxScore)})
		avg := ""
		if col.Average != nil {
			avg = gradebook.Number(*col.Average)
		}
		d.Average = append(d.Average, avg)
	}
	for _, r := range g.Rows {
		row := gradebookRow{Name: r.DisplayName, Percent: pct(r.Percent)}
		for _, cell := range r.Cells {
			row.Cells = append(row.Cells, gradebookCell{Text: cell.Text(), Scored: cell.Scored(), Released: cell.Released(),
				Missing: cell.State == gradebook.StateMissing, Unreleased: cell.State == gradebook.StateMarked})
		}
		d.Rows = append(d.Rows, row)
	}
	return show("gradebook", view{Title: "Gradebook: " + g.CourseTitle, Data: d}), nil
}

func (s *Site) gradebookCSV(c *gin.Context, id uuid.UUID) (page, error) {
	g, err := s.gradebookGrid(c, id)
	if err != nil {
		return page{}, err
	}
	var buf bytes.Buffer
	if err := g.WriteCSV(&buf); err != nil {
		return page{}, err
	}
	return send(file{contentType: "text/csv; charset=utf-8", body: buf.Bytes(), attachment: "gradebook.csv"}), nil
}

func (s *Site) gradebookXLSX(c *gin.Context, id uuid.UUID) (page, error) {
	g, err := s.gradebookGrid(c, id)
	if err != nil {
		return page{}, err
	}
	var buf bytes.Buffer
	if err := g.WriteXLSX(&buf); err != nil {
		return page{}, err
	}
	return send(file{contentType: gradebook.XLSXType, body: buf.Bytes(), attachment: "gradebook.xlsx"}), nil
}

type gradesData struct {
	Base    string
	Courses []gradesCourse
}

type gradesCourse struct {
	gradebook.CourseGrades
	Percent string
	Items   []gradesItem
}

type gradesItem struct {
	gradebook.Grade
	Kind  string
	Max   string
	Score string
}

func (s *Site) myGrades(c *gin.Context) (page, error) {
	mine, err := s.d.Gradebook.Mine(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	d := gradesData{Base: base(c)}
	for _, cg := range mine.Courses {
		out := gradesCourse{CourseGrades: cg, Percent: pct(cg.Percent)}
		for _, it := range cg.Items {
			gi := gradesItem{Grade: it, Kind: "Assignment", Max: gradebook.Number(it.MaxScore)}
			if it.Kind == gradebook.KindQuiz {
				gi.Kind = "Quiz"
			}
			if it.Released() && it.Score != nil {
				gi.Score = gradebook.Number(*it.Score)
			}
			out.Items = append(out.Items, gi)
		}
		d.Courses = append(d.Courses, out)
	}
	return show("my_grades", view{Title: "My grades", Data: d}), nil
}
