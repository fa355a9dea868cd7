package httpapi_test

import (
	"net/url"
	"testing"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// The discussion and engagement areas' objects in tenant A: a forum on the
// course with a thread, a reply and a report of it, a learner's heartbeat,
// and the school whose engagement thresholds the settings routes name.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 30, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		base := "/api/v1/t/tenant-a"
		if ids["course"] == "" {
			fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "iso-discussion-")
			ids["course"] = fx.ID.String()
			if ids["person"] == "" {
				ids["person"] = fx.Learner.ID.String()
			}
		}
		if ids["person"] == "" {
			ids["person"] = ids["id"]
		}
		if ids["school"] == "" {
			ids["school"] = firstSchool(t, adminA, "tenant-a")
		}
		r := adminA.Expect(201, "POST", base+"/courses/"+ids["course"]+"/forums", map[string]any{"title": "Questions"})
		ids["forum"] = r.JSON()["id"].(string)
		r = adminA.Expect(201, "POST", base+"/forums/"+ids["forum"]+"/threads", map[string]any{"title": "Homework", "body": "When is it due?"})
		ids["thread"] = r.JSON()["id"].(string)
		r = adminA.Expect(201, "POST", base+"/threads/"+ids["thread"]+"/posts", map[string]any{"body": "Friday."})
		ids["post"] = r.JSON()["id"].(string)
		r = adminA.Expect(200, "PUT", base+"/schools/"+ids["school"]+"/engagement-settings", map[string]any{"inactive_days": 7, "min_items_opened_percent": 40})
		r = adminA.Expect(201, "POST", base+"/posts/"+ids["post"]+"/reports", map[string]any{"reason": "Off topic"})
		ids["report"] = r.JSON()["id"].(string)

		bodies["POST /api/v1/t/:tenant/courses/:course/forums"] = map[string]any{"title": "Hacked"}
		bodies["PATCH /api/v1/t/:tenant/forums/:forum"] = map[string]any{"title": "Hacked"}
		bodies["POST /api/v1/t/:tenant/forums/:forum/threads"] = map[string]any{"title": "Hacked", "body": "Hacked"}
		bodies["PATCH /api/v1/t/:tenant/threads/:thread"] = map[string]any{"title": "Hacked", "locked": true}
		bodies["POST /api/v1/t/:tenant/threads/:thread/posts"] = map[string]any{"body": "Hacked"}
		bodies["PATCH /api/v1/t/:tenant/posts/:post"] = map[string]any{"hidden": true, "hidden_reason": "Hacked"}
		bodies["POST /api/v1/t/:tenant/posts/:post/reports"] = map[string]any{"reason": "Hacked"}
		bodies["POST /api/v1/t/:tenant/reports/:report/close"] = map[string]any{"outcome": "hidden", "hidden_reason": "Hacked"}
		bodies["POST /api/v1/t/:tenant/courses/:course/enrolments"] = map[string]any{"people": []string{ids["person"]}}
		bodies["PUT /api/v1/t/:tenant/schools/:school/teachers-enrol"] = map[string]any{"teachers_enrol": false}
		bodies["POST /t/:tenant/posts/:post/report"] = url.Values{"reason": {"Hacked"}}
		bodies["POST /t/:tenant/reports/:report/close"] = url.Values{"outcome": {"hidden"}, "hidden_reason": {"Hacked"}, "forum": {ids["forum"]}}
		bodies["POST /t/:tenant/courses/:course/forums"] = url.Values{"title": {"Hacked"}}
		bodies["POST /t/:tenant/posts/:post/edit"] = url.Values{"body": {"Hacked"}}
		bodies["POST /t/:tenant/posts/:post/hidden"] = url.Values{"hidden": {"yes"}, "hidden_reason": {"Hacked"}}
		bodies["POST /t/:tenant/threads/:thread/moderate"] = url.Values{"action": {"lock"}}
		bodies["POST /t/:tenant/courses/:course/people/from"] = url.Values{"kind": {"class"}, "source": {ids["course"]}}
		bodies["POST /t/:tenant/courses/:course/people"] = url.Values{"person": {ids["person"]}}
		bodies["POST /api/v1/t/:tenant/courses/:course/activity"] = map[string]any{"kind": "access", "seconds": 60}
		bodies["PUT /api/v1/t/:tenant/schools/:school/engagement-settings"] = map[string]any{"inactive_days": 1, "min_items_opened_percent": 100}
	}})
}
