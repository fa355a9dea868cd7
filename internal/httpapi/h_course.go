package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// courseRoutes are courses, sections, content items, files, enrolments and
// teaching groups.
func (s *Server) courseRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses",
			Summary: "Courses I teach, learn on (published) or administer; filters school_id, status, role, q",
			Area:    request.AreaTenant, Object: "course", Action: "read", Reply: request.Page[course.Course]{},
			Query: CourseQuery{}, API: s.listCourses},
		{Method: "POST", Path: tp + "/courses",
			Summary: "Create a course (school admin, or a teacher of the school who becomes its teacher)",
			Area:    request.AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated,
			Request: course.NewCourse{}, Reply: course.Course{}, API: request.FromBody(s.Courses.Create)},
		{Method: "GET", Path: tp + "/courses/:course",
			Summary: "Open a course: sections, items and, for a learner, their own progress",
			Area:    request.AreaTenant, Object: "course", Action: "read", Reply: course.PageView{},
			API: request.ByID("course", s.Courses.Page)},
		{Method: "PATCH", Path: tp + "/courses/:course",
			Summary: "Change a course's title, summary or status", Area: request.AreaTenant, Object: "course",
			Action: "write", Request: course.CoursePatch{}, Reply: course.Course{}, API: request.ByIDFromBody("course", s.Courses.Update)},
		{Method: "POST", Path: tp + "/courses/:course/sections", Summary: "Add a section",
			Area: request.AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated,
			Request: course.NewSection{}, Reply: course.Section{}, API: request.ByIDFromBody("course", s.Courses.AddSection)},
		{Method: "PATCH", Path: tp + "/sections/:section", Summary: "Rename or move a section",
			Area: request.AreaTenant, Object: "course", Action: "write", Request: course.SectionPatch{},
			Reply: course.Section{}, API: request.ByIDFromBody("section", s.Courses.UpdateSection)},
		{Method: "DELETE", Path: tp + "/sections/:section",
			Summary: "Remove a section and its items (their files leave storage)", Area: request.AreaTenant,
			Object: "course", Action: "write", Status: http.StatusNoContent, API: request.DoByID("section", s.Courses.DeleteSection)},
		{Method: "POST", Path: tp + "/courses/:course/items",
			Summary: "Add a page, file, video, audio or link to a section", Area: request.AreaTenant,
			Object: "course", Action: "write", Status: http.StatusCreated, Request: course.NewItem{},
			Reply: course.Item{}, API: request.ByIDFromBody("course", s.Courses.AddItem)},
		{Method: "GET", Path: tp + "/items/:item",
			Summary: "Open an item; files, video and audio come with a short-lived link",
			Area:    request.AreaTenant, Object: "course", Action: "read", Reply: course.ItemView{},
			API: request.ByID("item", s.Courses.GetItem)},
		{Method: "PATCH", Path: tp + "/items/:item", Summary: "Change, publish, hide or move an item",
			Area: request.AreaTenant, Object: "course", Action: "write", Request: course.ItemPatch{},
			Reply: course.Item{}, API: request.ByIDFromBody("item", s.Courses.UpdateItem)},
		{Method: "DELETE", Path: tp + "/items/:item", Summary: "Remove an item (its file leaves storage)",
			Area: request.AreaTenant, Object: "course", Action: "write", Status: http.StatusNoContent,
			API: request.DoByID("item", s.Courses.DeleteItem)},
		{Method: "POST", Path: tp + "/files",
			Summary: "Upload a file (multipart/form-data, part \"file\"), streamed to storage; attach it with its id",
			Area:    request.AreaTenant, Upload: true, Object: "file", Action: "write",
			Status: http.StatusCreated, Reply: files.File{}, API: s.upload},

		{Method: "GET", Path: tp + "/courses/:course/enrolments",
			Summary: "Who is on a course (teachers and admins); filters role, q", Area: request.AreaTenant,
			Object: "enrolment", Action: "read", Reply: request.Page[course.Enrolment]{},
			Query: EnrolmentQuery{}, API: s.listEnrolments},
		{Method: "PUT", Path: tp + "/courses/:course/enrolments/:person",
			Summary: "Enrol a person as teacher or learner, or change their role", Area: request.AreaTenant,
			Object: "enrolment", Action: "write", Request: EnrolRequest{}, Reply: course.Enrolment{},
			API: s.enrol},
		{Method: "DELETE", Path: tp + "/courses/:course/enrolments/:person",
			Summary: "Take a person off a course", Area: request.AreaTenant, Object: "enrolment",
			Action: "write", Status: http.StatusNoContent, API: request.DoByIDs("course", "person", s.Courses.Unenrol)},
		{Method: "GET", Path: tp + "/courses/:course/groups", Summary: "A course's teaching groups",
			Area: request.AreaTenant, Object: "course", Action: "read", Reply: request.Page[course.Group]{},
			API: s.listGroups},
		{Method: "POST", Path: tp + "/courses/:course/groups", Summary: "Add a teaching group",
			Area: request.AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated,
			Request: course.NewGroup{}, Reply: course.Group{}, API: request.ByIDFromBody("course", s.Courses.CreateGroup)},
		{Method: "DELETE", Path: tp + "/groups/:group", Summary: "Remove a teaching group",
			Area: request.AreaTenant, Object: "course", Action: "write", Status: http.StatusNoContent,
			API: request.DoByID("group", s.Courses.DeleteGroup)},
		{Method: "PUT", Path: tp + "/groups/:group/members/:person",
			Summary: "Put an enrolled person in a group", Area: request.AreaTenant, Object: "course",
			Action: "write", Status: http.StatusNoContent, API: request.DoByIDs("group", "person", s.Courses.AddMember)},
		{Method: "DELETE", Path: tp + "/groups/:group/members/:person",
			Summary: "Take a person out of a group", Area: request.AreaTenant, Object: "course",
			Action: "write", Status: http.StatusNoContent, API: request.DoByIDs("group", "person", s.Courses.RemoveMember)},
	}
}

// EnrolRequest says in which role a person is on a course.
type EnrolRequest struct {
	Role course.Role `json:"role" binding:"required,oneof=teacher learner"`
}

func (s *Server) listCourses(c *gin.Context) (any, error) {
	return request.Listed(c, func(v course.Course) uuid.UUID { return v.ID }, func(after uuid.UUID, limit int) ([]course.Course, error) {
		var fe errs.FieldErrors
		f := course.Filter{SchoolID: idFilter(c, &fe, "school_id"), Status: course.Status(c.Query("status"))}
		if f.Status != "" && f.Status != course.Draft && f.Status != course.Published && f.Status != course.Archived {
			fe.Add("status", "must be one of: draft published archived")
		}
		f.Role, f.Query = roleAndQuery(c, &fe)
		if err := fe.Err(); err != nil {
			return nil, err
		}
		return s.Courses.List(c.Request.Context(), request.Scope(c), f, after, limit)
	})
}

// roleAndQuery reads the role (teacher or learner) and q filters of the
// course lists into fe.
func roleAndQuery(c *gin.Context, fe *errs.FieldErrors) (course.Role, string) {
	role, q := course.Role(c.Query("role")), c.Query("q")
	if role != "" && role != course.RoleTeacher && role != course.RoleLearner {
		fe.Add("role", "must be one of: teacher learner")
	}
	if len(q) > 200 || errs.HasControl(q) {
		fe.Add("q", "must be at most 200 characters without control characters")
	}
	return role, q
}

// upload streams the "file" part of a multipart body to storage: the body
// is read part by part, never parsed into memory or temporary files, so a
// large video costs the server a few multipart buffers.
func (s *Server) upload(c *gin.Context) (any, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, errs.Field("body", "send multipart/form-data with the file in a part named \"file\"")
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, errs.Field("body", "is not a valid multipart body")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errs.Field("file", "is required: a part named \"file\" with a file name")
		}
		if err != nil {
			return nil, errs.Field("body", "is not a valid multipart body")
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		return s.Files.Upload(c.Request.Context(), request.Scope(c), part.FileName(), part)
	}
}

func (s *Server) listEnrolments(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "course")
	if err != nil {
		return nil, err
	}
	return request.Listed(c, func(e course.Enrolment) uuid.UUID { return e.PersonID }, func(after uuid.UUID, limit int) ([]course.Enrolment, error) {
		var fe errs.FieldErrors
		role, q := roleAndQuery(c, &fe)
		if err := fe.Err(); err != nil {
			return nil, err
		}
		return s.Courses.Enrolments(c.Request.Context(), request.Scope(c), id, role, q, after, limit)
	})
}

func (s *Server) enrol(c *gin.Context) (any, error) {
	ids, err := request.PathIDs(c, "course", "person")
	if err != nil {
		return nil, err
	}
	var in EnrolRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Courses.Enrol(c.Request.Context(), request.Scope(c), ids[0], ids[1], in.Role)
}

func (s *Server) listGroups(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "course")
	if err != nil {
		return nil, err
	}
	return request.Listed(c, func(g course.Group) uuid.UUID { return g.ID }, func(after uuid.UUID, limit int) ([]course.Group, error) {
		return s.Courses.Groups(c.Request.Context(), request.Scope(c), id, after, limit)
	})
}
