package httpapi

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// assignmentRoutes are assignments, submissions, marks and feedback, and
// learners' special arrangements.
//
// Handing in work is authorized as "file write", which every role holds,
// not "submission write" (learners only): casbin would otherwise answer an
// admin of another tenant 403 before the id could be found not to exist,
// and the service decides anyway (only learners of the course submit).
func (s *Server) assignmentRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/assignments",
			Summary: "A course's assignments (learners: published, with their own effective due date); filter due=upcoming|past",
			Area:    request.AreaTenant, Object: "assignment", Action: "read",
			Reply: request.Page[assignment.Assignment]{}, Query: AssignmentQuery{}, API: s.listAssignments},
		{Method: "POST", Path: tp + "/courses/:course/assignments",
			Summary: "Set an assignment (it becomes an item at the end of a section)",
			Area:    request.AreaTenant, Object: "assignment", Action: "write", Status: http.StatusCreated,
			Request: assignment.NewAssignment{}, Reply: assignment.Assignment{}, API: request.ByIDFromBody("course", s.Assignments.Create)},
		{Method: "GET", Path: tp + "/assignments/:assignment",
			Summary: "One assignment; a learner's copy carries their own effective due date",
			Area:    request.AreaTenant, Object: "assignment", Action: "read", Reply: assignment.Assignment{},
			API: request.ByID("assignment", s.Assignments.Get)},
		{Method: "PATCH", Path: tp + "/assignments/:assignment",
			Summary: "Change an assignment's title, instructions, dates, max score or visibility",
			Area:    request.AreaTenant, Object: "assignment", Action: "write",
			Request: assignment.AssignmentPatch{}, Reply: assignment.Assignment{}, API: request.ByIDFromBody("assignment", s.Assignments.Update)},
		{Method: "DELETE", Path: tp + "/assignments/:assignment",
			Summary: "Remove an assignment with its submissions and marks (their files leave storage)",
			Area:    request.AreaTenant, Object: "assignment", Action: "write", Status: http.StatusNoContent,
			API: request.DoByID("assignment", s.Assignments.Delete)},
		{Method: "PUT", Path: tp + "/assignments/:assignment/submission",
			Summary: "Hand in or replace my work (text and files) until my effective due date",
			Area:    request.AreaTenant, Object: "submission", Action: "write",
			Request: assignment.SubmissionInput{}, Reply: assignment.SubmissionView{}, API: request.ByIDFromBody("assignment", s.Assignments.Submit)},
		{Method: "GET", Path: tp + "/assignments/:assignment/submission",
			Summary: "My own submission, with my mark once released", Area: request.AreaTenant,
			Object: "submission", Action: "read", Reply: assignment.SubmissionView{}, API: request.ByID("assignment", s.Assignments.MySubmission)},
		{Method: "GET", Path: tp + "/assignments/:assignment/submissions",
			Summary: "An assignment's submissions (teachers); filters status=unmarked|marked|released, person_id",
			Area:    request.AreaTenant, Object: "submission", Action: "read",
			Reply: request.Page[assignment.SubmissionSummary]{}, Query: SubmissionQuery{}, API: s.listSubmissions},
		{Method: "POST", Path: tp + "/assignments/:assignment/release",
			Summary: "Release every mark of an assignment to its learners", Area: request.AreaTenant,
			Object: "mark", Action: "write", Reply: assignment.Released{}, API: request.ByID("assignment", s.Assignments.Release)},
		{Method: "POST", Path: tp + "/assignments/:assignment/release-chosen",
			Summary: "Release the marks of the chosen submissions (marked work of this assignment) to their learners", Area: request.AreaTenant,
			Object: "mark", Action: "write", Request: assignment.ReleaseInput{}, Reply: assignment.Released{},
			API: request.ByIDFromBody("assignment", s.Assignments.ReleaseChosen)},
		{Method: "GET", Path: tp + "/assignments/:assignment/roster",
			Summary: "Every learner of the course with their status on the assignment (handed-in, late, missing, marked, released) and the count of each; filter status",
			Area:    request.AreaTenant, Object: "submission", Action: "read", Reply: assignment.Roster{}, Query: RosterStatusQuery{}, API: s.roster},
		{Method: "GET", Path: tp + "/assignments/:assignment/hand-ins.zip",
			Summary: "Every hand-in of the course's learners as one zip, streamed (a folder per learner: answer.txt and their files)",
			Area:    request.AreaTenant, Object: "submission", Action: "read", API: s.handInsZip},
		{Method: "GET", Path: tp + "/assignments/:assignment/extra-time",
			Summary: "Extra time given to learners on this assignment (its course's teachers)", Area: request.AreaTenant,
			Object: "assignment", Action: "read", Reply: request.Page[assignment.ExtraTime]{},
			API: request.PagedByID("assignment", assignment.ExtraTime.At, s.Assignments.ExtraTimePage)},
		{Method: "PUT", Path: tp + "/assignments/:assignment/extra-time/:person",
			Summary: "Give a learner of the course extra time (0-300% of the window) on this assignment only; 0 takes it away",
			Area:    request.AreaTenant, Object: "assignment", Action: "write", Request: assignment.ArrangementInput{}, Reply: assignment.ExtraTime{},
			API: request.ByIDsFromBody("assignment", "person", s.Assignments.SetExtraTime)},
		{Method: "GET", Path: tp + "/submissions/:submission",
			Summary: "One submission (its learner or the course's teachers)", Area: request.AreaTenant,
			Object: "submission", Action: "read", Reply: assignment.SubmissionView{}, API: request.ByID("submission", s.Assignments.GetSubmission)},
		{Method: "GET", Path: tp + "/submissions/:submission/files/:file",
			Summary: "A short-lived download link for a submitted file", Area: request.AreaTenant,
			Object: "submission", Action: "read", Reply: files.Link{},
			API: request.ByIDs("submission", "file", s.Assignments.SubmissionFile)},
		{Method: "PUT", Path: tp + "/submissions/:submission/mark",
			Summary: "Mark a submission: score, feedback, feedback file; released true shows it to the learner",
			Area:    request.AreaTenant, Object: "mark", Action: "write", Request: assignment.MarkInput{},
			Reply: assignment.Mark{}, API: request.ByIDFromBody("submission", s.Assignments.SetMark)},
		{Method: "GET", Path: tp + "/submissions/:submission/mark",
			Summary: "A submission's mark and feedback (learners: once released)", Area: request.AreaTenant,
			Object: "mark", Action: "read", Reply: assignment.MarkView{}, API: request.ByID("submission", s.Assignments.GetMark)},
		{Method: "GET", Path: tp + "/arrangements",
			Summary: "Special arrangements I may see (admins: their schools' learners; teachers: their learners); filter course_id",
			Area:    request.AreaTenant, Object: "arrangement", Action: "read",
			Reply: request.Page[assignment.Arrangement]{}, Query: ArrangementQuery{}, API: s.listArrangements},
		{Method: "GET", Path: tp + "/people/:id/arrangement",
			Summary: "A learner's special arrangement (extra time)", Area: request.AreaTenant,
			Object: "arrangement", Action: "read", Reply: assignment.Arrangement{}, API: request.ByID("id", s.Assignments.GetArrangement)},
		{Method: "PUT", Path: tp + "/people/:id/arrangement",
			Summary: "Grant a learner extra time (0-300% of each assignment's window); no reason is stored",
			Area:    request.AreaTenant, Object: "arrangement", Action: "write",
			Request: assignment.ArrangementInput{}, Reply: assignment.Arrangement{}, API: request.ByIDFromBody("id", s.Assignments.SetArrangement)},
		{Method: "DELETE", Path: tp + "/people/:id/arrangement",
			Summary: "End a learner's special arrangement", Area: request.AreaTenant, Object: "arrangement",
			Action: "write", Status: http.StatusNoContent, API: request.DoByID("id", s.Assignments.DeleteArrangement)},
	}
}

func (s *Server) listAssignments(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "course")
	if err != nil {
		return nil, err
	}
	return request.Listed(c, func(v assignment.Assignment) uuid.UUID { return v.ID }, func(after uuid.UUID, limit int) ([]assignment.Assignment, error) {
		due := c.Query("due")
		if due != "" && due != assignment.DueUpcoming && due != assignment.DuePast {
			return nil, errs.Field("due", "must be one of: upcoming past")
		}
		return s.Assignments.List(c.Request.Context(), request.Scope(c), id, due, after, limit)
	})
}

func (s *Server) listSubmissions(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "assignment")
	if err != nil {
		return nil, err
	}
	return request.Listed(c, func(v assignment.SubmissionSummary) uuid.UUID { return v.ID }, func(after uuid.UUID, limit int) ([]assignment.SubmissionSummary, error) {
		var fe errs.FieldErrors
		f := assignment.SubmissionFilter{Status: assignment.Status(c.Query("status")), PersonID: idFilter(c, &fe, "person_id")}
		switch f.Status {
		case "", assignment.StatusUnmarked, assignment.StatusMarked, assignment.StatusReleased:
		default:
			fe.Add("status", "must be one of: unmarked marked released")
		}
		if err := fe.Err(); err != nil {
			return nil, err
		}
		return s.Assignments.ListSubmissions(c.Request.Context(), request.Scope(c), id, f, after, limit)
	})
}

func (s *Server) roster(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "assignment")
	if err != nil {
		return nil, err
	}
	return s.Assignments.Roster(c.Request.Context(), request.Scope(c), id, assignment.Status(c.Query("status")))
}

// handInsZip streams the zip: who may read it, and what it holds, is
// settled before the first byte.
func (s *Server) handInsZip(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "assignment")
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	h, err := s.Assignments.HandIns(ctx, request.Scope(c), id)
	if err != nil {
		return nil, err
	}
	return request.Stream{Name: h.Name, Type: "application/zip", Body: func(w io.Writer) error { return h.Write(ctx, w) }}, nil
}

func (s *Server) listArrangements(c *gin.Context) (any, error) {
	return request.Listed(c, func(v assignment.Arrangement) uuid.UUID { return v.PersonID }, func(after uuid.UUID, limit int) ([]assignment.Arrangement, error) {
		var fe errs.FieldErrors
		courseID := idFilter(c, &fe, "course_id")
		if err := fe.Err(); err != nil {
			return nil, err
		}
		return s.Assignments.ListArrangements(c.Request.Context(), request.Scope(c), courseID, after, limit)
	})
}
