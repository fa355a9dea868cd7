package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// engagementRoutes are the learner's activity heartbeat, the teachers'
// engagement summaries and the schools' thresholds for flagging them.
//
// The heartbeat is authorized as reading the course (every role may), not
// as "activity write" (learners only): staff on the course may send it too
// and are simply not recorded, and a member of another tenant gets the
// 404 every tenant route owes them instead of a 403 from their role.
func (s *Server) engagementRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/statistics",
			Summary: "Courses' aggregate statistics; groups under the threshold (default 5) are suppressed",
			Area:    request.AreaTenant, Object: "statistics", Action: "read", Reply: request.Page[engagement.CourseStats]{},
			API: s.statistics},
		{Method: "POST", Path: tp + "/courses/:course/activity",
			Summary: "Heartbeat from a learner's client: access or view, optional item_id, seconds spent (0-3600); staff are not recorded",
			Area:    request.AreaTenant, Object: "course", Action: "read", Status: http.StatusNoContent,
			Request: engagement.Beat{},
			API:     request.ByIDFromBody("course", s.Engagement.Heartbeat)},
		{Method: "GET", Path: tp + "/courses/:course/engagement",
			Summary: "Engagement of a course's learners, flagged under the school's thresholds (teachers); filters flagged, group_id, q",
			Area:    request.AreaTenant, Object: "engagement", Action: "read",
			Reply: request.Page[engagement.Summary]{}, Query: EngagementQuery{}, API: s.courseEngagement},
		{Method: "GET", Path: tp + "/courses/:course/engagement/:person",
			Summary: "One learner's engagement with every published item and those not opened (teachers)",
			Area:    request.AreaTenant, Object: "engagement", Action: "read", Reply: engagement.Detail{},
			API: request.ByIDs("course", "person", s.Engagement.Learner)},
		{Method: "GET", Path: tp + "/schools/:school/engagement-settings",
			Summary: "A school's engagement thresholds", Area: request.AreaTenant, Object: "engagement",
			Action: "read", Reply: engagement.Settings{}, API: request.ByID("school", s.Engagement.Settings)},
		{Method: "PUT", Path: tp + "/schools/:school/engagement-settings",
			Summary: "Set a school's engagement thresholds (its admins)", Area: request.AreaTenant,
			Object: "school-settings", Action: "write", Request: engagement.SettingsInput{},
			Reply: engagement.Settings{}, API: request.ByIDFromBody("school", s.Engagement.SetSettings)},
	}
}

func (s *Server) courseEngagement(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "course")
	if err != nil {
		return nil, err
	}
	var f engagement.Filter
	err = pagedFilters(c, func(fe *errs.FieldErrors) {
		f = engagement.Filter{Flagged: boolFilter(c, fe, "flagged"), GroupID: idFilter(c, fe, "group_id"), Query: textFilter(c, fe, "q")}
	})
	if err != nil {
		return nil, err
	}
	return request.Listed(c, func(v engagement.Summary) uuid.UUID { return v.PersonID }, func(after uuid.UUID, limit int) ([]engagement.Summary, error) {
		return s.Engagement.Course(c.Request.Context(), request.Scope(c), id, f, after, limit)
	})
}

func (s *Server) statistics(c *gin.Context) (any, error) {
	return request.ListedAt(c, engagement.CourseStats.At, func(p database.Page) ([]engagement.CourseStats, error) {
		return s.Engagement.StatisticsPage(c.Request.Context(), request.Scope(c), s.Config.StatsMinGroup, p)
	})
}
