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
)

// courseRoutes are courses, sections, content items, files, enrolments and
// teaching groups.
func (s *Server) courseRoutes() []Route {
	return []Route{
		{Method: "GET", Path: tp + "/courses", Summary: "Courses I teach, learn on (published) or administer; filters school_id, status, role, q", Area: AreaTenant, Object: "course", Action: "read", Reply: Page[course.Course]{}, Handler: s.listCourses},
		{Method: "POST", Path: tp + "/courses", Summary: "Create a course (school admin, or a teacher of the school who becomes its teacher)", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated, Request: course.NewCourse{}, Reply: course.Course{}, Handler: s.createCourse},
		{Method: "GET", Path: tp + "/courses/:course", Summary: "Open a course: sections, items and, for a learner, their own progress", Area: AreaTenant, Object: "course", Action: "read", Reply: course.PageView{}, Handler: s.coursePage},
		{Method: "PATCH", Path: tp + "/courses/:course", Summary: "Change a course's title, summary or status", Area: AreaTenant, Object: "course", Action: "write", Request: course.CoursePatch{}, Reply: course.Course{}, Handler: s.updateCourse},
		{Method: "POST", Path: tp + "/courses/:course/sections", Summary: "Add a section", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated, Request: course.NewSection{}, Reply: course.Section{}, Handler: s.addSection},
		{Method: "PATCH", Path: tp + "/sections/:section", Summary: "Rename or move a section", Area: AreaTenant, Object: "course", Action: "write", Request: course.SectionPatch{}, Reply: course.Section{}, Handler: s.updateSection},
		{Method: "DELETE", Path: tp + "/sections/:section", Summary: "Remove a section and its items (their files leave storage)", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusNoContent, Handler: s.deleteSection},
		{Method: "POST", Path: tp + "/courses/:course/items", Summary: "Add a page, file, video, audio or link to a section", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated, Request: course.NewItem{}, Reply: course.Item{}, Handler: s.addItem},
		{Method: "GET", Path: tp + "/items/:item", Summary: "Open an item; files, video and audio come with a short-lived link", Area: AreaTenant, Object: "course", Action: "read", Reply: course.ItemView{}, Handler: s.getItem},
		{Method: "PATCH", Path: tp + "/items/:item", Summary: "Change, publish, hide or move an item", Area: AreaTenant, Object: "course", Action: "write", Request: course.ItemPatch{}, Reply: course.Item{}, Handler: s.updateItem},
		{Method: "DELETE", Path: tp + "/items/:item", Summary: "Remove an item (its file leaves storage)", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusNoContent, Handler: s.deleteItem},
		{Method: "POST", Path: tp + "/files", Summary: "Upload a file (multipart/form-data, part \"file\"), streamed to storage; attach it with its id", Area: AreaTenant, Object: "file", Action: "write", Status: http.StatusCreated, Upload: true, Reply: files.File{}, Handler: s.upload},

		{Method: "GET", Path: tp + "/courses/:course/enrolments", Summary: "Who is on a course (teachers and admins); filters role, q", Area: AreaTenant, Object: "enrolment", Action: "read", Reply: Page[course.Enrolment]{}, Handler: s.listEnrolments},
		{Method: "PUT", Path: tp + "/courses/:course/enrolments/:person", Summary: "Enrol a person as teacher or learner, or change their role", Area: AreaTenant, Object: "enrolment", Action: "write", Request: EnrolRequest{}, Reply: course.Enrolment{}, Handler: s.enrol},
		{Method: "DELETE", Path: tp + "/courses/:course/enrolments/:person", Summary: "Take a person off a course", Area: AreaTenant, Object: "enrolment", Action: "write", Status: http.StatusNoContent, Handler: s.unenrol},
		{Method: "GET", Path: tp + "/courses/:course/groups", Summary: "A course's teaching groups", Area: AreaTenant, Object: "course", Action: "read", Reply: Page[course.Group]{}, Handler: s.listGroups},
		{Method: "POST", Path: tp + "/courses/:course/groups", Summary: "Add a teaching group", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusCreated, Request: course.NewGroup{}, Reply: course.Group{}, Handler: s.createGroup},
		{Method: "DELETE", Path: tp + "/groups/:group", Summary: "Remove a teaching group", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusNoContent, Handler: s.deleteGroup},
		{Method: "PUT", Path: tp + "/groups/:group/members/:person", Summary: "Put an enrolled person in a group", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusNoContent, Handler: s.addGroupMember},
		{Method: "DELETE", Path: tp + "/groups/:group/members/:person", Summary: "Take a person out of a group", Area: AreaTenant, Object: "course", Action: "write", Status: http.StatusNoContent, Handler: s.removeGroupMember},
	}
}

// EnrolRequest says in which role a person is on a course.
type EnrolRequest struct {
	Role string `json:"role" binding:"required,oneof=teacher learner"`
}

func (s *Server) listCourses(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var fe errs.FieldErrors
	f := course.Filter{Status: c.Query("status"), Role: c.Query("role"), Query: c.Query("q")}
	if v := c.Query("school_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			fe.Add("school_id", "is not an id")
		}
		f.SchoolID = &id
	}
	if f.Status != "" && f.Status != course.Draft && f.Status != course.Published && f.Status != course.Archived {
		fe.Add("status", "must be one of: draft published archived")
	}
	if f.Role != "" && f.Role != "teacher" && f.Role != "learner" {
		fe.Add("role", "must be one of: teacher learner")
	}
	if len(f.Query) > 200 || errs.HasControl(f.Query) {
		fe.Add("q", "must be at most 200 characters without control characters")
	}
	if err := fe.Err(); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.List(c.Request.Context(), scope(c), f, after, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(out, limit, func(v course.Course) uuid.UUID { return v.ID }))
}

func (s *Server) createCourse(c *gin.Context) {
	var in course.NewCourse
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.Create(c.Request.Context(), scope(c), in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) coursePage(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.Page(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) updateCourse(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in course.CoursePatch
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.Update(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) addSection(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in course.NewSection
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.AddSection(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) updateSection(c *gin.Context) {
	id, err := pathID(c, "section")
	if err != nil {
		fail(c, err)
		return
	}
	var in course.SectionPatch
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.UpdateSection(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) deleteSection(c *gin.Context) {
	id, err := pathID(c, "section")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Courses.DeleteSection(c.Request.Context(), scope(c), id))
}

func (s *Server) addItem(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in course.NewItem
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.AddItem(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) getItem(c *gin.Context) {
	id, err := pathID(c, "item")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.GetItem(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) updateItem(c *gin.Context) {
	id, err := pathID(c, "item")
	if err != nil {
		fail(c, err)
		return
	}
	var in course.ItemPatch
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.UpdateItem(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) deleteItem(c *gin.Context) {
	id, err := pathID(c, "item")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Courses.DeleteItem(c.Request.Context(), scope(c), id))
}

// upload streams the "file" part of a multipart body to storage: the body
// is read part by part, never parsed into memory or temporary files, so a
// large video costs the server a few multipart buffers.
func (s *Server) upload(c *gin.Context) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		fail(c, errs.Field("body", "send multipart/form-data with the file in a part named \"file\""))
		return
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		fail(c, errs.Field("body", "is not a valid multipart body"))
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			fail(c, errs.Field("file", "is required: a part named \"file\" with a file name"))
			return
		}
		if err != nil {
			fail(c, errs.Field("body", "is not a valid multipart body"))
			return
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		f, err := s.Files.Upload(c.Request.Context(), scope(c), part.FileName(), part)
		reply(c, http.StatusCreated, f, err)
		return
	}
}

func (s *Server) listEnrolments(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	role, q := c.Query("role"), c.Query("q")
	var fe errs.FieldErrors
	if role != "" && role != "teacher" && role != "learner" {
		fe.Add("role", "must be one of: teacher learner")
	}
	if len(q) > 200 || errs.HasControl(q) {
		fe.Add("q", "must be at most 200 characters without control characters")
	}
	if err := fe.Err(); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.Enrolments(c.Request.Context(), scope(c), id, role, q, after, limit)
	reply(c, http.StatusOK, page(out, limit, func(e course.Enrolment) uuid.UUID { return e.PersonID }), err)
}

// twoIDs parses two UUID path parameters.
func twoIDs(c *gin.Context, a, b string) (uuid.UUID, uuid.UUID, bool) {
	x, err := pathID(c, a)
	if err != nil {
		fail(c, err)
		return x, x, false
	}
	y, err := pathID(c, b)
	if err != nil {
		fail(c, err)
		return x, y, false
	}
	return x, y, true
}

func (s *Server) enrol(c *gin.Context) {
	courseID, person, ok := twoIDs(c, "course", "person")
	if !ok {
		return
	}
	var in EnrolRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.Enrol(c.Request.Context(), scope(c), courseID, person, in.Role)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) unenrol(c *gin.Context) {
	courseID, person, ok := twoIDs(c, "course", "person")
	if !ok {
		return
	}
	noContent(c, s.Courses.Unenrol(c.Request.Context(), scope(c), courseID, person))
}

func (s *Server) listGroups(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.Groups(c.Request.Context(), scope(c), id, after, limit)
	reply(c, http.StatusOK, page(out, limit, func(g course.Group) uuid.UUID { return g.ID }), err)
}

func (s *Server) createGroup(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in course.NewGroup
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Courses.CreateGroup(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) deleteGroup(c *gin.Context) {
	id, err := pathID(c, "group")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Courses.DeleteGroup(c.Request.Context(), scope(c), id))
}

func (s *Server) addGroupMember(c *gin.Context) {
	g, person, ok := twoIDs(c, "group", "person")
	if !ok {
		return
	}
	noContent(c, s.Courses.AddMember(c.Request.Context(), scope(c), g, person))
}

func (s *Server) removeGroupMember(c *gin.Context) {
	g, person, ok := twoIDs(c, "group", "person")
	if !ok {
		return
	}
	noContent(c, s.Courses.RemoveMember(c.Request.Context(), scope(c), g, person))
}

// reply writes v with status, or the problem for err.
func reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, v)
}

// noContent writes 204, or the problem for err.
func noContent(c *gin.Context, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
