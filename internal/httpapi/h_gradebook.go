package httpapi

import (
	"bytes"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/gradebook"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// gradebookRoutes are a course's gradebook for its teachers and its
// school's admins (the grid as JSON, CSV and an Excel workbook) and a
// learner's own grades. They are "mark read", which every role that marks
// or is marked holds; the service decides (a learner of the course is
// refused the grid, anyone else does not find the course).
func (s *Server) gradebookRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/gradebook",
			Summary: "A course's gradebook (teachers): its learners by its assignments and quizzes, each cell a score or where the work is, with averages; filter group (a teaching group's id)",
			Area:    request.AreaTenant, Object: "mark", Action: "read", Reply: gradebook.Grid{}, API: s.gradebookGrid},
		{Method: "GET", Path: tp + "/courses/:course/gradebook.csv",
			Summary: "A course's gradebook as CSV (teachers); filter group",
			Area:    request.AreaTenant, Object: "mark", Action: "read", API: s.gradebookCSV},
		{Method: "GET", Path: tp + "/courses/:course/gradebook.xlsx",
			Summary: "A course's gradebook as an Excel workbook (teachers); filter group",
			Area:    request.AreaTenant, Object: "mark", Action: "read", API: s.gradebookXLSX},
		{Method: "GET", Path: tp + "/grades",
			Summary: "My grades on every course I learn on: released marks and released quiz results only",
			Area:    request.AreaTenant, Object: "mark", Action: "read", Reply: request.Page[gradebook.CourseGrades]{},
			API: request.PagedScoped(gradebook.CourseGrades.At, s.Gradebook.MinePage)},
	}
}

// loadGrid reads the course's grid, of the group ?group= names.
func (s *Server) loadGrid(c *gin.Context) (gradebook.Grid, error) {
	id, err := request.PathID(c, "course")
	if err != nil {
		return gradebook.Grid{}, err
	}
	var fe errs.FieldErrors
	group := idFilter(c, &fe, "group")
	if err := fe.Err(); err != nil {
		return gradebook.Grid{}, err
	}
	return s.Gradebook.Grid(c.Request.Context(), request.Scope(c), id, group)
}

func (s *Server) gradebookGrid(c *gin.Context) (any, error) { return s.loadGrid(c) }

// The downloads read the whole grid first, so a refusal is a status, not
// a file cut short.

func (s *Server) gradebookCSV(c *gin.Context) (any, error) {
	g, err := s.loadGrid(c)
	if err != nil {
		return nil, err
	}
	return request.Stream{Name: "gradebook.csv", Type: request.CSVType, Body: g.WriteCSV}, nil
}

func (s *Server) gradebookXLSX(c *gin.Context) (any, error) {
	g, err := s.loadGrid(c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := g.WriteXLSX(&buf); err != nil {
		return nil, err
	}
	return request.File{Name: "gradebook.xlsx", Type: gradebook.XLSXType, Body: buf.Bytes()}, nil
}
