package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// assignmentRoutes are assignments, submissions, marks and feedback, and
// learners' special arrangements.
//
// Handing in work is authorized as "file write", which every role holds,
// not "submission write" (learners only): casbin would otherwise answer an
// admin of another tenant 403 before the id could be found not to exist,
// and the service decides anyway (only learners of the course submit).
func (s *Server) assignmentRoutes() []Route {
	return []Route{
		{Method: "GET", Path: tp + "/courses/:course/assignments", Summary: "A course's assignments (learners: published, with their own effective due date); filter due=upcoming|past", Area: AreaTenant, Object: "assignment", Action: "read", Reply: Page[assignment.Assignment]{}, Handler: s.listAssignments},
		{Method: "POST", Path: tp + "/courses/:course/assignments", Summary: "Set an assignment (it becomes an item at the end of a section)", Area: AreaTenant, Object: "assignment", Action: "write", Status: http.StatusCreated, Request: assignment.NewAssignment{}, Reply: assignment.Assignment{}, Handler: s.createAssignment},
		{Method: "GET", Path: tp + "/assignments/:assignment", Summary: "One assignment; a learner's copy carries their own effective due date", Area: AreaTenant, Object: "assignment", Action: "read", Reply: assignment.Assignment{}, Handler: s.getAssignment},
		{Method: "PATCH", Path: tp + "/assignments/:assignment", Summary: "Change an assignment's title, instructions, dates, max score or visibility", Area: AreaTenant, Object: "assignment", Action: "write", Request: assignment.AssignmentPatch{}, Reply: assignment.Assignment{}, Handler: s.updateAssignment},
		{Method: "DELETE", Path: tp + "/assignments/:assignment", Summary: "Remove an assignment with its submissions and marks (their files leave storage)", Area: AreaTenant, Object: "assignment", Action: "write", Status: http.StatusNoContent, Handler: s.deleteAssignment},
		{Method: "PUT", Path: tp + "/assignments/:assignment/submission", Summary: "Hand in or replace my work (text and files) until my effective due date", Area: AreaTenant, Object: "submission", Action: "write", Request: assignment.SubmissionInput{}, Reply: assignment.SubmissionView{}, Handler: s.submit},
		{Method: "GET", Path: tp + "/assignments/:assignment/submission", Summary: "My own submission, with my mark once released", Area: AreaTenant, Object: "submission", Action: "read", Reply: assignment.SubmissionView{}, Handler: s.mySubmission},
		{Method: "GET", Path: tp + "/assignments/:assignment/submissions", Summary: "An assignment's submissions (teachers); filters status=unmarked|marked|released, person_id", Area: AreaTenant, Object: "submission", Action: "read", Reply: Page[assignment.SubmissionSummary]{}, Handler: s.listSubmissions},
		{Method: "POST", Path: tp + "/assignments/:assignment/release", Summary: "Release every mark of an assignment to its learners", Area: AreaTenant, Object: "mark", Action: "write", Reply: assignment.Released{}, Handler: s.releaseMarks},
		{Method: "GET", Path: tp + "/submissions/:submission", Summary: "One submission (its learner or the course's teachers)", Area: AreaTenant, Object: "submission", Action: "read", Reply: assignment.SubmissionView{}, Handler: s.getSubmission},
		{Method: "GET", Path: tp + "/submissions/:submission/files/:file", Summary: "A short-lived download link for a submitted file", Area: AreaTenant, Object: "submission", Action: "read", Reply: files.Link{}, Handler: s.submissionFile},
		{Method: "PUT", Path: tp + "/submissions/:submission/mark", Summary: "Mark a submission: score, feedback, feedback file; released true shows it to the learner", Area: AreaTenant, Object: "mark", Action: "write", Request: assignment.MarkInput{}, Reply: assignment.Mark{}, Handler: s.setMark},
		{Method: "GET", Path: tp + "/submissions/:submission/mark", Summary: "A submission's mark and feedback (learners: once released)", Area: AreaTenant, Object: "mark", Action: "read", Reply: assignment.MarkView{}, Handler: s.getMark},
		{Method: "GET", Path: tp + "/arrangements", Summary: "Special arrangements I may see (admins: their schools' learners; teachers: their learners); filter course_id", Area: AreaTenant, Object: "arrangement", Action: "read", Reply: Page[assignment.Arrangement]{}, Handler: s.listArrangements},
		{Method: "GET", Path: tp + "/people/:id/arrangement", Summary: "A learner's special arrangement (extra time)", Area: AreaTenant, Object: "arrangement", Action: "read", Reply: assignment.Arrangement{}, Handler: s.getArrangement},
		{Method: "PUT", Path: tp + "/people/:id/arrangement", Summary: "Grant a learner extra time (0-300% of each assignment's window); no reason is stored", Area: AreaTenant, Object: "arrangement", Action: "write", Request: assignment.ArrangementInput{}, Reply: assignment.Arrangement{}, Handler: s.setArrangement},
		{Method: "DELETE", Path: tp + "/people/:id/arrangement", Summary: "End a learner's special arrangement", Area: AreaTenant, Object: "arrangement", Action: "write", Status: http.StatusNoContent, Handler: s.deleteArrangement},
	}
}

// optionalID reads an optional uuid query parameter into fe.
func optionalID(c *gin.Context, fe *errs.FieldErrors, name string) *uuid.UUID {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		fe.Add(name, "is not an id")
		return nil
	}
	return &id
}

func (s *Server) listAssignments(c *gin.Context) {
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
	due := c.Query("due")
	if due != "" && due != assignment.DueUpcoming && due != assignment.DuePast {
		fail(c, errs.Field("due", "must be one of: upcoming past"))
		return
	}
	out, err := s.Assignments.List(c.Request.Context(), scope(c), id, due, after, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(out, limit, func(v assignment.Assignment) uuid.UUID { return v.ID }))
}

func (s *Server) createAssignment(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in assignment.NewAssignment
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.Create(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) getAssignment(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.Get(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) updateAssignment(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	var in assignment.AssignmentPatch
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.Update(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) deleteAssignment(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Assignments.Delete(c.Request.Context(), scope(c), id))
}

func (s *Server) submit(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	var in assignment.SubmissionInput
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.Submit(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) mySubmission(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.MySubmission(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) listSubmissions(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var fe errs.FieldErrors
	f := assignment.SubmissionFilter{Status: c.Query("status"), PersonID: optionalID(c, &fe, "person_id")}
	switch f.Status {
	case "", assignment.StatusUnmarked, assignment.StatusMarked, assignment.StatusReleased:
	default:
		fe.Add("status", "must be one of: unmarked marked released")
	}
	if err := fe.Err(); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.ListSubmissions(c.Request.Context(), scope(c), id, f, after, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(out, limit, func(v assignment.SubmissionSummary) uuid.UUID { return v.ID }))
}

func (s *Server) releaseMarks(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.Release(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) getSubmission(c *gin.Context) {
	id, err := pathID(c, "submission")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.GetSubmission(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) submissionFile(c *gin.Context) {
	id, err := pathID(c, "submission")
	if err != nil {
		fail(c, err)
		return
	}
	fileID, err := pathID(c, "file")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.SubmissionFile(c.Request.Context(), scope(c), id, fileID)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) setMark(c *gin.Context) {
	id, err := pathID(c, "submission")
	if err != nil {
		fail(c, err)
		return
	}
	var in assignment.MarkInput
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.SetMark(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) getMark(c *gin.Context) {
	id, err := pathID(c, "submission")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.GetMark(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) listArrangements(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var fe errs.FieldErrors
	courseID := optionalID(c, &fe, "course_id")
	if err := fe.Err(); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.ListArrangements(c.Request.Context(), scope(c), courseID, after, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(out, limit, func(v assignment.Arrangement) uuid.UUID { return v.PersonID }))
}

func (s *Server) getArrangement(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.GetArrangement(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) setArrangement(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in assignment.ArrangementInput
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Assignments.SetArrangement(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) deleteArrangement(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Assignments.DeleteArrangement(c.Request.Context(), scope(c), id))
}
