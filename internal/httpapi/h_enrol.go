package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// enrolRoutes are enrolment by a course's teachers: find the school's
// learners, enrol several, or a whole class or teaching group, at once; and
// the school's setting that allows it. The service decides per course and
// school who may.
func (s *Server) enrolRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/enrolment-candidates",
			Summary: "Learners of the course's school matching q (name, username, class or group; 2 to 100 characters), for those who may enrol them",
			Area:    request.AreaTenant, Object: "enrolment", Action: "read", Reply: request.Page[course.Candidate]{},
			Query: CandidateQuery{}, API: s.enrolCandidates},
		{Method: "GET", Path: tp + "/courses/:course/enrolment-sources",
			Summary: "Classes and teaching groups of the course's school whose learners may be enrolled at once; filter q",
			Area:    request.AreaTenant, Object: "enrolment", Action: "read", Reply: request.Page[course.Source]{},
			Query: SourceQuery{}, API: s.enrolSources},
		{Method: "POST", Path: tp + "/courses/:course/enrolments",
			Summary: "Enrol learners of the course's school: by id (people), or a whole class or group (kind, source_id)",
			Area:    request.AreaTenant, Object: "enrolment", Action: "write", Request: EnrolManyRequest{}, Reply: EnrolManyReply{},
			API: request.ByIDFromBody("course", s.enrolMany)},
		{Method: "GET", Path: tp + "/schools/:school/teachers-enrol",
			Summary: "Whether the school's teachers may enrol its learners on their courses", Area: request.AreaTenant,
			Object: "school", Action: "read", Reply: TeachersEnrolSetting{}, API: request.ByID("school", s.teachersEnrol)},
		{Method: "PUT", Path: tp + "/schools/:school/teachers-enrol",
			Summary: "Allow or stop the school's teachers enrolling its learners (its admins)", Area: request.AreaTenant,
			Object: "enrolment", Action: "write", Request: TeachersEnrolSetting{}, Reply: TeachersEnrolSetting{},
			Status: http.StatusOK, API: request.ByIDFromBody("school", s.setTeachersEnrol)},
	}
}

// EnrolManyRequest names learners by id, or one class or teaching group
// whose learners are all enrolled.
type EnrolManyRequest struct {
	People   []uuid.UUID `json:"people" binding:"max=200"`
	Kind     string      `json:"kind" binding:"omitempty,oneof=class group"`
	SourceID *uuid.UUID  `json:"source_id"`
}

// EnrolManyReply says how many were added (those already on the course
// are left as they are).
type EnrolManyReply struct {
	Added int `json:"added"`
}

// TeachersEnrolSetting is the school's setting.
type TeachersEnrolSetting struct {
	TeachersEnrol *bool `json:"teachers_enrol" binding:"required"`
}

// CandidateQuery documents the enrolment candidates' search.
type CandidateQuery struct {
	Q string `form:"q" doc:"2 to 100 characters of a learner's name, username, class or teaching group (required)"`
}

// SourceQuery documents the enrolment sources' search.
type SourceQuery struct {
	Q string `form:"q" doc:"part of a class's or teaching group's name (at most 100 characters)"`
}

func (s *Server) enrolCandidates(c *gin.Context) (any, error) {
	return request.PagedByID("course", course.Candidate.At,
		func(ctx context.Context, sc access.Scope, id uuid.UUID, p database.Page) ([]course.Candidate, error) {
			return s.Courses.CandidatePage(ctx, sc, id, c.Query("q"), p)
		})(c)
}

func (s *Server) enrolSources(c *gin.Context) (any, error) {
	return request.PagedByID("course", course.Source.At,
		func(ctx context.Context, sc access.Scope, id uuid.UUID, p database.Page) ([]course.Source, error) {
			return s.Courses.SourcePage(ctx, sc, id, c.Query("q"), p)
		})(c)
}

func (s *Server) enrolMany(ctx context.Context, sc access.Scope, id uuid.UUID, in EnrolManyRequest) (EnrolManyReply, error) {
	var n int
	var err error
	switch {
	case in.Kind != "" && in.SourceID != nil && len(in.People) == 0:
		n, err = s.Courses.EnrolSource(ctx, sc, id, in.Kind, *in.SourceID)
	case in.Kind == "" && in.SourceID == nil:
		n, err = s.Courses.EnrolLearners(ctx, sc, id, in.People)
	default:
		err = errs.Field("people", "name people, or a class or group (kind and source_id), not both")
	}
	return EnrolManyReply{Added: n}, err
}

func (s *Server) teachersEnrol(ctx context.Context, sc access.Scope, school uuid.UUID) (TeachersEnrolSetting, error) {
	may, err := s.Courses.TeachersEnrol(ctx, sc, school)
	return TeachersEnrolSetting{TeachersEnrol: &may}, err
}

func (s *Server) setTeachersEnrol(ctx context.Context, sc access.Scope, school uuid.UUID, in TeachersEnrolSetting) (TeachersEnrolSetting, error) {
	return in, s.Courses.SetTeachersEnrol(ctx, sc, school, *in.TeachersEnrol)
}
