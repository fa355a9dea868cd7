package httpapi_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// The assignment area's objects in tenant A, on a course of its own: an
// assignment, a learner's submission with a file, a mark, extra time on
// the assignment for that learner, and an arrangement for A's pupil.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 20, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		ctx := context.Background()
		c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "iso-assignment-")
		if ids["course"] == "" {
			ids["course"] = c.ID.String()
		}
		svc := e.App.Assignments
		teacher, learner := c.Teacher.Scope(e.A.ID), c.Learner.Scope(e.A.ID)
		a, err := svc.Create(ctx, teacher, c.ID, assignment.NewAssignment{SectionID: c.Section, Title: "Secret essay", DueAt: time.Now().Add(time.Hour), MaxScore: 10})
		require.NoError(t, err)
		f, err := e.App.Files.Upload(ctx, learner, "essay.pdf", bytes.NewReader(pdfBytes))
		require.NoError(t, err)
		sub, err := svc.Submit(ctx, learner, a.ID, assignment.SubmissionInput{Body: "Secret work", FileIDs: []uuid.UUID{f.ID}})
		require.NoError(t, err)
		_, err = svc.SetMark(ctx, teacher, sub.ID, assignment.MarkInput{Score: ptr(7.0), Feedback: "Secret feedback", Released: ptr(true)})
		require.NoError(t, err)
		ids["assignment"], ids["submission"], ids["file"] = a.ID.String(), sub.ID.String(), f.ID.String()
		if ids["person"] == "" {
			ids["person"] = c.Learner.ID.String()
		}
		_, err = svc.SetExtraTime(ctx, teacher, a.ID, c.Learner.ID, assignment.ArrangementInput{ExtraTimePercent: ptr(50)})
		require.NoError(t, err)
		adminA.Expect(200, "PUT", "/api/v1/t/tenant-a/people/"+ids["id"]+"/arrangement", map[string]any{"extra_time_percent": 25})

		bodies["POST /api/v1/t/:tenant/courses/:course/assignments"] = map[string]any{"section_id": c.Section, "title": "Hacked", "due_at": time.Now().Add(time.Hour), "max_score": 10}
		bodies["PATCH /api/v1/t/:tenant/assignments/:assignment"] = map[string]any{"title": "Hacked"}
		bodies["PUT /api/v1/t/:tenant/assignments/:assignment/submission"] = map[string]any{"body": "Hacked"}
		bodies["PUT /api/v1/t/:tenant/submissions/:submission/mark"] = map[string]any{"score": 0, "feedback": "Hacked", "released": true}
		bodies["PUT /api/v1/t/:tenant/people/:id/arrangement"] = map[string]any{"extra_time_percent": 300}
		bodies["POST /api/v1/t/:tenant/assignments/:assignment/release-chosen"] = map[string]any{"submission_ids": []string{sub.ID.String()}}
		bodies["PUT /api/v1/t/:tenant/assignments/:assignment/extra-time/:person"] = map[string]any{"extra_time_percent": 300}
	}})
}
