package httpapi

import (
	"net/http"

	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/request"
)

// copyRoutes copy a course (structure, content, files, quizzes and
// assignments, never its people or their work) into a new draft course
// of the same school, whose one teacher is the copier.
func (s *Server) copyRoutes() []request.Route {
	return append(s.rolloverRoutes(),
		request.Route{Method: "POST", Path: tp + "/courses/:course/copy",
			Summary: "Copy a course into a new draft course of its school (no people, no work)",
			Area:    request.AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated,
			Request: course.CopyInput{}, Reply: course.Course{}, API: request.ByIDFromBody("course", s.Courses.Copy)})
}

// rolloverRoutes roll many courses of a school over at once (its admins),
// in the background, with progress.
func (s *Server) rolloverRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: tp + "/rollovers",
			Summary: "Roll courses of a school over: copy each into a new draft course titled with the suffix (its admins; in the background)",
			Area:    request.AreaTenant, Object: "course", Action: "write", Status: http.StatusAccepted,
			Request: course.NewRollover{}, Reply: course.Rollover{}, API: request.FromBody(s.Courses.StartRollover)},
		{Method: "GET", Path: tp + "/rollovers/:rollover", Summary: "A rollover's progress: courses copied of all",
			Area: request.AreaTenant, Object: "course", Action: "read", Reply: course.Rollover{},
			API: request.ByID("rollover", s.Courses.GetRollover)},
	}
}
