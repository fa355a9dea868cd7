package httpapi_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/lms/media"
	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/lms/survey"
	"github.com/schoolcloud/lms/internal/lms/tutor"
)

// The objects of quizzes, surveys, peer assessment, tutoring and
// recordings in tenant A: a question and a quiz with a learner's attempt,
// a survey, a peer assessment, a tutor of A's pupil and a learner's
// disclosure, and a recording.
func init() {
	areaFixtures = append(areaFixtures, areaFixture{order: 40, make: func(t *testing.T, e *apptest.Env, adminA *apptest.Client, ids map[string]string, bodies map[string]any) {
		ctx := context.Background()
		c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "iso-l2-")
		teacher, learner := c.Teacher.Scope(e.A.ID), c.Learner.Scope(e.A.ID)
		v := 1.0
		q, err := e.App.Quizzes.AddQuestion(ctx, teacher, c.ID, quiz.NewQuestion{Kind: "numeric", Prompt: "Secret?", Points: 1, Answer: quiz.Answer{Value: &v}})
		require.NoError(t, err)
		qz, err := e.App.Quizzes.Create(ctx, teacher, c.ID, quiz.NewQuiz{Title: "Secret quiz", OpensAt: time.Now().Add(-time.Minute), ClosesAt: time.Now().Add(time.Hour),
			TimeLimitMinutes: 10, QuestionIDs: []uuid.UUID{q.ID}, Published: true})
		require.NoError(t, err)
		sh, err := e.App.Quizzes.Start(ctx, learner, qz.ID)
		require.NoError(t, err)
		sv, err := e.App.Surveys.Create(ctx, teacher, survey.NewSurvey{CourseID: &c.ID, Title: "Secret survey", Anonymous: true, ClosesAt: time.Now().Add(time.Hour),
			Questions: []survey.Question{{Kind: "text", Prompt: "Secret?"}}})
		require.NoError(t, err)
		a, err := e.App.Assignments.Create(ctx, teacher, c.ID, assignment.NewAssignment{SectionID: c.Section, Title: "Group work", DueAt: time.Now().Add(time.Hour), MaxScore: 10})
		require.NoError(t, err)
		pa, err := e.App.Peers.Set(ctx, teacher, a.ID, peer.NewAssessment{Criteria: []string{"Effort"}, ClosesAt: time.Now().Add(time.Hour)})
		require.NoError(t, err)
		r := adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "iso-tutor", "display_name": "Iso Tutor", "role": "tutor"})
		tutorID := r.JSON()["id"].(string)
		require.NoError(t, e.App.Tutors.Assign(ctx, access.Member(e.A.ID, e.A.AdminID), c.Learner.ID, uuid.MustParse(tutorID)))
		_, err = e.App.Consents.Set(ctx, learner, c.Learner.ID, consent.Change{Purpose: "special-category", Given: true})
		require.NoError(t, err)
		d, err := e.App.Tutors.Disclose(ctx, learner, tutor.NewDisclosure{Category: "health", Details: "Secret", Consent: true})
		require.NoError(t, err)
		f, err := e.App.Files.Upload(ctx, teacher, "lesson.mp4", bytes.NewReader(mp4Bytes))
		require.NoError(t, err)
		rec, err := e.App.Media.AddRecording(ctx, teacher, c.ID, media.NewRecording{Title: "Secret lesson", Kind: "lesson", FileID: f.ID, RecordedOn: time.Now().Format(time.DateOnly)})
		require.NoError(t, err)
		ids["question"], ids["quiz"], ids["attempt"], ids["survey"] = q.ID.String(), qz.ID.String(), sh.Attempt.ID.String(), sv.ID.String()
		if ids["assignment"] == "" {
			ids["assignment"] = a.ID.String()
		}
		ids["peer"], ids["tutor"], ids["disclosure"], ids["recording"] = pa.ID.String(), tutorID, d.ID.String(), rec.ID.String()

		today := time.Now().Format(time.DateOnly)
		for k, b := range map[string]any{
			"POST /api/v1/t/:tenant/courses/:course/questions":               map[string]any{"kind": "essay", "prompt": "Hacked", "points": 1},
			"POST /api/v1/t/:tenant/courses/:course/quizzes":                 map[string]any{"title": "Hacked", "opens_at": time.Now(), "closes_at": time.Now().Add(time.Hour), "time_limit_minutes": 5, "question_ids": []string{ids["question"]}},
			"PUT /api/v1/t/:tenant/attempts/:attempt/answers/:question":      map[string]any{"value": 1},
			"PUT /api/v1/t/:tenant/attempts/:attempt/answers/:question/mark": map[string]any{"score": 0},
			"POST /api/v1/t/:tenant/surveys":                                 map[string]any{"course_id": ids["course"], "title": "Hacked", "anonymous": true, "closes_at": time.Now().Add(time.Hour), "questions": []map[string]any{{"kind": "text", "prompt": "x"}}},
			"POST /api/v1/t/:tenant/surveys/:survey/responses":               map[string]any{"answers": map[string]string{"q1": "Hacked"}},
			"POST /api/v1/t/:tenant/assignments/:assignment/peer-assessment": map[string]any{"criteria": []string{"Hacked"}, "closes_at": time.Now().Add(time.Hour)},
			"PUT /api/v1/t/:tenant/peer-assessments/:peer/ratings/:person":   map[string]any{"scores": map[string]int{"c1": 1}},
			"POST /api/v1/t/:tenant/tutees/:person/meetings":                 map[string]any{"met_on": today, "notes": "Hacked"},
			"POST /api/v1/t/:tenant/my/disclosures":                          map[string]any{"category": "health", "details": "x", "consent": true},
			"PUT /api/v1/t/:tenant/my/photo":                                 map[string]any{"file_id": uuid.NewString()},
			"PUT /api/v1/t/:tenant/people/:id/photo":                         map[string]any{"file_id": uuid.NewString()},
			"POST /api/v1/t/:tenant/courses/:course/recordings":              map[string]any{"title": "Hacked", "kind": "lesson", "file_id": uuid.NewString(), "recorded_on": today},
			"POST /api/v1/t/:tenant/communications":                          map[string]any{"course_id": ids["course"], "subject": "Hacked", "body": "Hacked"},
		} {
			bodies[k] = b
		}
	}})
}
