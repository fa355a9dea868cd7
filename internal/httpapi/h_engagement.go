package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// engagementRoutes are the learner's activity heartbeat, the teachers'
// engagement summaries and the schools' thresholds for flagging them.
//
// The heartbeat is authorized as reading the course (every role may), not
// as "activity write" (learners only): staff on the course may send it too
// and are simply not recorded, and a member of another tenant gets the
// 404 every tenant route owes them instead of a 403 from their role.
func (s *Server) engagementRoutes() []Route {
	return []Route{
		{Method: "GET", Path: tp + "/statistics", Summary: "Courses' aggregate statistics; groups under the threshold (default 5) are suppressed", Area: AreaTenant, Object: "statistics", Action: "read", Reply: []engagement.CourseStats{}, Handler: s.statistics},
		{Method: "POST", Path: tp + "/courses/:course/activity", Summary: "Heartbeat from a learner's client: access or view, optional item_id, seconds spent (0-3600); staff are not recorded", Area: AreaTenant, Object: "course", Action: "read", Status: http.StatusNoContent, Request: engagement.Beat{}, Handler: s.heartbeat},
		{Method: "GET", Path: tp + "/courses/:course/engagement", Summary: "Engagement of a course's learners, flagged under the school's thresholds (teachers); filters flagged, group_id, q", Area: AreaTenant, Object: "engagement", Action: "read", Reply: Page[engagement.Summary]{}, Handler: s.courseEngagement},
		{Method: "GET", Path: tp + "/courses/:course/engagement/:person", Summary: "One learner's engagement with every published item and those not opened (teachers)", Area: AreaTenant, Object: "engagement", Action: "read", Reply: engagement.Detail{}, Handler: s.learnerEngagement},
		{Method: "GET", Path: tp + "/schools/:school/engagement-settings", Summary: "A school's engagement thresholds", Area: AreaTenant, Object: "engagement", Action: "read", Reply: engagement.Settings{}, Handler: s.engagementSettings},
		{Method: "PUT", Path: tp + "/schools/:school/engagement-settings", Summary: "Set a school's engagement thresholds (its admins)", Area: AreaTenant, Object: "school-settings", Action: "write", Request: engagement.SettingsInput{}, Reply: engagement.Settings{}, Handler: s.setEngagementSettings},
	}
}

func (s *Server) heartbeat(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in engagement.Beat
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	_, err = s.Engagement.Heartbeat(c.Request.Context(), scope(c), id, in)
	noContent(c, err)
}

func (s *Server) courseEngagement(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var f engagement.Filter
	after, limit, err := pagedFilters(c, func(fe *errs.FieldErrors) {
		f = engagement.Filter{Flagged: boolFilter(c, fe, "flagged"), GroupID: idFilter(c, fe, "group_id"), Query: textFilter(c, fe, "q")}
	})
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Engagement.Course(c.Request.Context(), scope(c), id, f, after, limit)
	reply(c, http.StatusOK, page(out, limit, func(v engagement.Summary) uuid.UUID { return v.PersonID }), err)
}

func (s *Server) learnerEngagement(c *gin.Context) {
	courseID, person, ok := twoIDs(c, "course", "person")
	if !ok {
		return
	}
	out, err := s.Engagement.Learner(c.Request.Context(), scope(c), courseID, person)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) engagementSettings(c *gin.Context) {
	id, err := pathID(c, "school")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Engagement.Settings(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) setEngagementSettings(c *gin.Context) {
	id, err := pathID(c, "school")
	if err != nil {
		fail(c, err)
		return
	}
	var in engagement.SettingsInput
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Engagement.SetSettings(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) statistics(c *gin.Context) {
	out, err := s.Engagement.Statistics(c.Request.Context(), scope(c), s.Config.StatsMinGroup)
	reply(c, http.StatusOK, out, err)
}
