package httpapi_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// The course area's objects in tenant A: a course with a section, a page
// and a file item, a teaching group, and A's pupil enrolled.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 10, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		base := "/api/v1/t/tenant-a"
		r := adminA.Expect(201, "POST", base+"/courses", map[string]any{"school_id": firstSchool(t, adminA, "tenant-a"), "title": "Secret course", "status": "published"})
		ids["course"] = r.JSON()["id"].(string)
		r = adminA.Expect(201, "POST", base+"/courses/"+ids["course"]+"/sections", map[string]any{"title": "Week 1"})
		ids["section"] = r.JSON()["id"].(string)
		r = adminA.Upload(base+"/files", "notes.pdf", bytes.NewReader(pdfBytes))
		require.Equal(t, 201, r.Status, r.Text())
		r = adminA.Expect(201, "POST", base+"/courses/"+ids["course"]+"/items", map[string]any{"section_id": ids["section"], "kind": "file", "title": "Notes", "file_id": r.JSON()["id"]})
		ids["item"] = r.JSON()["id"].(string)
		r = adminA.Expect(201, "POST", base+"/courses/"+ids["course"]+"/groups", map[string]any{"name": "Set 1"})
		ids["group"] = r.JSON()["id"].(string)
		ids["person"] = ids["id"]
		r = adminA.Expect(200, "PUT", base+"/courses/"+ids["course"]+"/enrolments/"+ids["person"], map[string]any{"role": "learner"})

		bodies["POST /api/v1/t/:tenant/courses"] = map[string]any{"school_id": ids["course"], "title": "Intruder course"}
		bodies["PATCH /api/v1/t/:tenant/courses/:course"] = map[string]any{"title": "Hacked"}
		bodies["POST /api/v1/t/:tenant/courses/:course/sections"] = map[string]any{"title": "Hacked"}
		bodies["PATCH /api/v1/t/:tenant/sections/:section"] = map[string]any{"title": "Hacked"}
		bodies["POST /api/v1/t/:tenant/courses/:course/items"] = map[string]any{"section_id": ids["section"], "kind": "page", "title": "Hacked", "body_html": "<p>x</p>"}
		bodies["PATCH /api/v1/t/:tenant/items/:item"] = map[string]any{"title": "Hacked"}
		bodies["PUT /api/v1/t/:tenant/courses/:course/enrolments/:person"] = map[string]any{"role": "teacher"}
		bodies["POST /api/v1/t/:tenant/courses/:course/groups"] = map[string]any{"name": "Hacked"}
	}})
}
