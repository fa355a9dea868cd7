package httpapi_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// Copy and rollover in tenant A: a rollover of a course of A's school by
// A's admin. Tenant B's callers name it, the course and the school, and
// must find nothing or be refused.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 25, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "iso-copy-")
		if ids["course"] == "" {
			ids["course"] = c.ID.String()
		}
		r, err := e.App.Courses.StartRollover(context.Background(), access.Member(e.A.ID, e.A.AdminID),
			course.NewRollover{SchoolID: c.School, CourseIDs: []uuid.UUID{c.ID}, Suffix: "2027/28"})
		require.NoError(t, err)
		ids["rollover"] = r.ID.String()
		bodies["POST /api/v1/t/:tenant/courses/:course/copy"] = map[string]any{"title": "Hacked"}
		bodies["POST /api/v1/t/:tenant/rollovers"] = map[string]any{"school_id": c.School, "course_ids": []string{ids["course"]}, "suffix": "Hacked"}
		bodies["POST /t/:tenant/courses/:course/copy"] = url.Values{"title": {"Hacked"}}
		bodies["POST /t/:tenant/rollovers"] = url.Values{"school_id": {c.School.String()}, "course_ids": {ids["course"]}, "suffix": {"Hacked"}}
	}})
}
