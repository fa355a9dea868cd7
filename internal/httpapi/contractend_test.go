package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
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

// From the day a school's contract ends: its learners and teachers are
// turned away, its admins may read and take a full export but change
// nothing, and another school goes on as before. The export holds every
// table and file of the school and nothing of the other.
func TestContractEndReadOnlyAndFullExport(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "end-")
	fxB := lmstest.NewCourse(t, e.DB.App, e.B.ID, "endb-")
	super, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer super.Close(ctx)
	base := "/api/v1/t/tenant-a"
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)
	learnerB := e.Login(e.B.Slug, fxB.Learner.Username, lmstest.Password)
	up := learner.Upload(base+"/files", "essay.pdf", bytes.NewReader(pdfBytes))
	require.Equal(t, http.StatusCreated, up.Status, up.Text())
	fileID := up.JSON()["id"].(string)

	// Before the end, an admin may ask for a full export; a learner may not.
	require.Equal(t, http.StatusForbidden, learner.Do("POST", base+"/full-exports", nil).Status)
	require.Equal(t, http.StatusForbidden, learner.Do("GET", base+"/full-exports", nil).Status)

	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	today := time.Now().UTC().Format(time.DateOnly)
	_, err = super.Exec(ctx, `UPDATE contracts SET starts_on = current_date - 100 WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	r := op.Expect(http.StatusOK, "PATCH", "/api/v1/platform/tenants/"+e.A.ID.String()+"/contract", map[string]any{"ends_on": today})

	// Learners are turned away, with a reason.
	r = learner.Expect(http.StatusForbidden, "GET", base+"/courses", nil)
	require.Contains(t, r.Text(), "contract-ended")
	// Admins read, but change nothing.
	require.Equal(t, http.StatusOK, admin.Do("GET", base+"/people", nil).Status)
	r = admin.Expect(http.StatusConflict, "PATCH", base+"/people/"+fx.Teacher.ID.String(), map[string]any{"display_name": "Changed"})
	require.Contains(t, r.Text(), "read-only")
	// Their own account routes too, and they cannot sign in again; an
	// admin can (probe findings).
	require.Equal(t, http.StatusForbidden, learner.Do("GET", "/api/v1/me", nil).Status)
	require.Equal(t, http.StatusForbidden, learner.Do("POST", "/api/v1/me/tokens", map[string]any{"name": "x"}).Status)
	r = e.Anonymous().Expect(http.StatusForbidden, "POST", "/api/v1/auth/login", map[string]any{"tenant": "tenant-a", "username": fx.Learner.Username, "password": lmstest.Password})
	require.Contains(t, r.Text(), "contract")
	r = e.Anonymous().Expect(http.StatusOK, "POST", "/api/v1/auth/login", map[string]any{"tenant": "tenant-a", "username": e.A.AdminUser, "password": apptest.AdminPassword})
	// The end date stays when the tenant's manifest is applied again
	// without one, and an ended contract's dates no longer change.
	require.Equal(t, http.StatusConflict, op.Do("PATCH", "/api/v1/platform/tenants/"+e.A.ID.String()+"/contract", map[string]any{"ends_on": nil}).Status)
	// Another school is untouched.
	require.Equal(t, http.StatusOK, learnerB.Do("GET", "/api/v1/t/tenant-b/courses", nil).Status)

	// The full export is the one write left open to admins.
	r = admin.Expect(http.StatusAccepted, "POST", base+"/full-exports", nil)
	id := r.JSON()["id"].(string)
	require.Equal(t, http.StatusConflict, admin.Do("POST", base+"/full-exports", nil).Status, "one at a time")
	require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, uuid.MustParse(id)))
	r = admin.Expect(http.StatusOK, "GET", base+"/full-exports", nil)
	list := itemsOf[map[string]any](r)
	require.Equal(t, "done", list[0]["status"])
	require.Equal(t, list[0]["tables_total"], list[0]["tables_done"])
	// Until the return window (30 days by default) closes.
	exp, err := time.Parse(time.RFC3339, list[0]["expires_at"].(string))
	require.NoError(t, err)
	require.Equal(t, time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly), exp.UTC().Format(time.DateOnly))

	// Tenant B's admin cannot see or download it.
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	require.Equal(t, http.StatusNotFound, adminB.Do("GET", "/api/v1/t/tenant-b/full-exports/"+id+"/download", nil).Status)
	require.Equal(t, http.StatusNotFound, adminB.Do("GET", base+"/full-exports/"+id+"/download", nil).Status)

	r = admin.Expect(http.StatusOK, "GET", base+"/full-exports/"+id+"/download", nil)
	res, err := http.Get(r.JSON()["url"].(string))
	require.NoError(t, err)
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(b)
	}
	for _, name := range []string{"README.txt", "schema.json", "data/people.jsonl", "data/people.csv", "data/courses.csv", "data/enrolments.jsonl", "data/audit_events.csv"} {
		require.Contains(t, got, name)
	}
	// Every person of A, as JSON lines and CSV; no secret, nothing of B.
	var people int
	for _, line := range strings.Split(strings.TrimSpace(got["data/people.jsonl"]), "\n") {
		var row map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &row), line)
		require.NotContains(t, row, "password_hash")
		require.NotContains(t, row, "tenant_id")
		people++
	}
	var want int
	require.NoError(t, super.QueryRow(ctx, `SELECT count(*) FROM people WHERE tenant_id = $1`, e.A.ID).Scan(&want))
	require.Equal(t, want, people)
	require.Equal(t, want+1, len(strings.Split(strings.TrimSpace(got["data/people.csv"]), "\n")), "a header and a line per person")
	require.Contains(t, got["data/people.jsonl"], fx.Learner.Username)
	for name, body := range got {
		require.NotContains(t, body, fxB.Learner.Username, name)
		require.NotContains(t, body, e.B.ID.String(), name)
	}
	require.NotContains(t, got["data/member_credentials.jsonl"], "token_hash", "no secrets (probe finding)")
	require.NotContains(t, got["data/member_credentials.csv"], "token_hash")
	var fileFound bool
	for name, body := range got {
		if strings.HasPrefix(name, "files/"+fileID) {
			fileFound = true
			require.Equal(t, string(pdfBytes), body)
		}
	}
	require.True(t, fileFound, "the learner's file is in the export")
	var schema []struct {
		Name    string `json:"name"`
		Columns []struct {
			Name    string `json:"name"`
			Purpose string `json:"purpose"`
		} `json:"columns"`
	}
	require.NoError(t, json.Unmarshal([]byte(got["schema.json"]), &schema))
	require.NotEmpty(t, schema)
	for _, tb := range schema {
		for _, c := range tb.Columns {
			require.NotEmpty(t, c.Purpose, "%s.%s is documented", tb.Name, c.Name)
		}
	}
}
