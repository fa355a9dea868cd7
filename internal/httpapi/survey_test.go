package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// An anonymous survey response cannot be tied to its author from any
// table: no row holding the response names a person or a time, its id
// says nothing of when it was made, participation is a hash keyed outside
// the database (so even the rows' system columns lead to no person), and
// the audit trail and activity record hold nothing of it. A named survey needs a purpose and keeps
// who answered. Each answers once; only owners see results; nobody of
// another course or tenant reaches it.
func TestAnonymousSurveyCannotBeTiedToItsAuthor(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "svy-")
	base := "/api/v1/t/tenant-a"
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	teacher, learner, learner2, outsider := login(fx.Teacher), login(fx.Learner), login(fx.Learner2), login(fx.Outsider)
	closes := time.Now().Add(24 * time.Hour)
	questions := []map[string]any{{"kind": "scale", "prompt": "How clear was the unit?"}, {"kind": "choice", "prompt": "Pace?", "options": []string{"slow", "right", "fast"}},
		{"kind": "text", "prompt": "Anything else?"}}

	r := teacher.Do("POST", base+"/surveys", map[string]any{"course_id": fx.ID, "title": "Named", "anonymous": false, "questions": questions, "closes_at": closes})
	require.Equal(t, http.StatusBadRequest, r.Status, "a named survey states its purpose")
	require.Contains(t, fieldsOf(t, r), "purpose")
	r = teacher.Do("POST", base+"/surveys", map[string]any{"title": "Whole school", "anonymous": true, "questions": questions, "closes_at": closes})
	require.Equal(t, http.StatusForbidden, r.Status, "a teacher sets surveys of their courses only")
	require.Equal(t, http.StatusForbidden, learner.Do("POST", base+"/surveys", map[string]any{"course_id": fx.ID, "title": "x", "anonymous": true, "questions": questions, "closes_at": closes}).Status)
	r = teacher.Expect(http.StatusCreated, "POST", base+"/surveys", map[string]any{"course_id": fx.ID, "title": "Unit feedback", "anonymous": true, "questions": questions, "closes_at": closes})
	anon := r.JSON()["id"].(string)

	secret := "the marking is unfair " + uuid.NewString()[:8]
	r = learner.Expect(http.StatusNoContent, "POST", base+"/surveys/"+anon+"/responses", map[string]any{"answers": map[string]string{"q1": "2", "q2": "fast", "q3": secret}})
	require.Equal(t, http.StatusConflict, learner.Do("POST", base+"/surveys/"+anon+"/responses", map[string]any{"answers": map[string]string{"q1": "5"}}).Status, "once")
	require.Equal(t, http.StatusBadRequest, learner2.Do("POST", base+"/surveys/"+anon+"/responses", map[string]any{"answers": map[string]string{"q1": "9"}}).Status)
	require.Equal(t, http.StatusNoContent, learner2.Do("POST", base+"/surveys/"+anon+"/responses", map[string]any{"answers": map[string]string{"q1": "4", "q2": "right"}}).Status)
	require.Equal(t, http.StatusNotFound, outsider.Do("POST", base+"/surveys/"+anon+"/responses", map[string]any{"answers": map[string]string{"q1": "1"}}).Status)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	require.Equal(t, http.StatusNotFound, adminB.Do("GET", "/api/v1/t/tenant-b/surveys/"+anon, nil).Status)
	require.Equal(t, http.StatusForbidden, learner.Do("GET", base+"/surveys/"+anon+"/results", nil).Status)

	// The owner sees tallies and the answers, with no person or time.
	r = teacher.Expect(http.StatusOK, "GET", base+"/surveys/"+anon+"/results", nil)
	require.Contains(t, r.Text(), secret)
	require.NotContains(t, r.Text(), fx.Learner.ID.String())
	require.NotContains(t, r.Text(), "person_")
	require.NotContains(t, r.Text(), "submitted_at")

	// From the tables, as the database's administrator: the row holding the
	// answer has no person, no time, and a random (v4) id; no other row
	// holds the response's id; the author appears only among participants,
	// which have no time and no response id.
	conn, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var id uuid.UUID
	var person *uuid.UUID
	var at *time.Time
	require.NoError(t, conn.QueryRow(ctx, `SELECT id, person_id, submitted_at FROM survey_responses WHERE answers->>'q3' = $1`, secret).Scan(&id, &person, &at))
	require.Nil(t, person)
	require.Nil(t, at)
	require.Equal(t, uuid.Version(4), id.Version(), "a random id: it says nothing of when it was made")
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for _, tb := range tables {
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tb}.Sanitize()+` t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0`,
			id.String(), secret).Scan(&n))
		if tb == "survey_responses" {
			require.Equal(t, 1, n)
			continue
		}
		require.Zero(t, n, "%s holds the anonymous response", tb)
		var both int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tb}.Sanitize()+` t WHERE strpos(t::text, $1) > 0 AND strpos(t::text, $2) > 0`,
			fx.Learner.ID.String(), anon).Scan(&both))
		require.Zero(t, both, "%s ties the learner to the anonymous survey", tb)
	}
	var cols []string
	rows, err = conn.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_participants'`)
	require.NoError(t, err)
	cols, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"tenant_id", "survey_id", "participant_hash"}, cols, "participation keeps no time and no person, only a hash keyed outside the database")
	// Even read with the rows' system columns (written together, they share
	// a transaction id), the participation row names nobody.
	var hash string
	require.NoError(t, conn.QueryRow(ctx, `SELECT p.participant_hash FROM survey_participants p JOIN survey_responses r ON r.xmin::text = p.xmin::text
		WHERE r.answers->>'q3' = $1`, secret).Scan(&hash))
	require.NotContains(t, hash, fx.Learner.ID.String())
	var found int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM people WHERE strpos(people::text, $1) > 0`, hash).Scan(&found))
	require.Zero(t, found)

	// A named survey keeps who answered, for its stated purpose.
	r = teacher.Expect(http.StatusCreated, "POST", base+"/surveys", map[string]any{"course_id": fx.ID, "title": "Trip", "anonymous": false, "purpose": "Plan the trip's transport",
		"questions": []map[string]any{{"kind": "choice", "prompt": "Coming?", "options": []string{"yes", "no"}}}, "closes_at": closes})
	named := r.JSON()["id"].(string)
	require.Equal(t, http.StatusNoContent, learner.Do("POST", base+"/surveys/"+named+"/responses", map[string]any{"answers": map[string]string{"q1": "yes"}}).Status)
	r = teacher.Do("GET", base+"/surveys/"+named+"/results", nil)
	require.True(t, strings.Contains(r.Text(), fx.Learner.ID.String()), r.Text())
}
