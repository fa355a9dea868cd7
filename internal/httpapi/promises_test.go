package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
)

// A legal hold placed before the contract ended can be released by the
// school's admins afterwards (the one change the read-only period allows
// besides taking the data back), and the operator's outlook shows it
// keeping the deletion until then; the watch then starts the deletion.
// Another school can neither see nor release it.
func TestHoldReleasedAfterContractEnd(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	base := "/api/v1/t/tenant-a"
	r := admin.Expect(http.StatusCreated, "POST", base+"/people", map[string]any{"username": "claimant", "display_name": "Claimant"})
	person := r.JSON()["id"].(string)
	r = admin.Expect(http.StatusCreated, "POST", base+"/retention/holds", map[string]any{"person_id": person, "reason": "a claim"})
	hold := r.JSON()["id"].(string)

	super, err := pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	defer super.Close(ctx)
	_, err = super.Exec(ctx, `UPDATE contracts SET starts_on = current_date - 400, ends_on = current_date - 31,
		updated_at = now() - interval '31 days' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	e.App.Tenants.Forget(e.A.ID)
	require.NoError(t, e.App.Lifecycle.Watch(ctx))

	outlook := "/api/v1/platform/tenants/" + e.A.ID.String() + "/deletion/outlook"
	r = op.Expect(http.StatusOK, "GET", outlook, nil)
	require.Equal(t, true, r.JSON()["due"])
	require.Len(t, r.JSON()["blocks"], 1)
	require.NotContains(t, r.Text(), "claim", "operators see that a hold keeps it, not why or whom")
	require.NotContains(t, r.Text(), person)
	require.Equal(t, http.StatusNotFound, op.Do("GET", "/api/v1/platform/tenants/"+uuid.NewString()+"/deletion/outlook", nil).Status)

	// Read-only: no new hold; but the admins may release theirs.
	r = admin.Expect(http.StatusConflict, "POST", base+"/retention/holds", map[string]any{"person_id": person, "reason": "another"})
	require.Equal(t, http.StatusNotFound, adminB.Do("DELETE", "/api/v1/t/tenant-b/retention/holds/"+hold, nil).Status)
	require.Equal(t, http.StatusNotFound, adminB.Do("DELETE", base+"/retention/holds/"+hold, nil).Status)
	r = admin.Expect(http.StatusNoContent, "DELETE", base+"/retention/holds/"+hold, nil)

	// The deletion waits for the contract-end export the watch queued (a
	// worker makes it); then it starts.
	xs, err := e.App.Handback.Exports(ctx, access.Member(e.A.ID, e.A.AdminID))
	require.NoError(t, err)
	for _, x := range xs {
		require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, x.ID))
	}
	require.NoError(t, e.App.Lifecycle.Watch(ctx))
	r = op.Do("GET", outlook, nil)
	require.Equal(t, true, r.JSON()["started"], r.Text())
	r = op.Expect(http.StatusOK, "GET", "/api/v1/platform/tenants/"+e.A.ID.String()+"/deletion", nil)
	require.Equal(t, http.StatusNotFound, op.Do("GET", "/api/v1/platform/tenants/"+e.B.ID.String()+"/deletion", nil).Status)
}

// Operators link a support staff member to the sub-processor they work
// for, through the API: from then on every school that did not authorise
// it refuses them, and after unlinking they are the processor's own again.
// Support staff cannot link anyone; an operator cannot be linked.
func TestOperatorsLinkSubProcessorStaff(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := op.Expect(http.StatusCreated, "POST", "/api/v1/platform/sub-processors", map[string]any{"name": "Forensics Ltd", "purpose": "Security investigations", "country": "ie"})
	sp := r.JSON()["id"].(string)
	ivy, _, err := e.App.Identity.EnsureStaff(ctx, "ivy@forensics.example", "Ivy Investigator", "support", "ivy-password-123")
	require.NoError(t, err)
	ivyC := e.StaffLogin("ivy@forensics.example", "ivy-password-123")
	body := map[string]any{"ticket": "SEC-1", "reason_code": "security", "justification": "Investigate a report", "areas": []string{"people"}}
	ask := func(tn apptest.Seeded) int {
		return ivyC.Do("POST", "/api/v1/platform/tenants/"+tn.ID.String()+"/support-requests", body).Status
	}
	require.Equal(t, http.StatusCreated, ask(e.B), "not linked yet: the processor's own staff")

	link := "/api/v1/platform/staff/" + ivy.ID.String() + "/sub-processor"
	require.Equal(t, http.StatusForbidden, e.StaffLogin(e.Support, apptest.SupportPassword).Do("PUT", link, map[string]any{"sub_processor_id": sp}).Status)
	require.Equal(t, http.StatusForbidden, ivyC.Do("DELETE", link, nil).Status, "not even themselves")
	r = op.Expect(http.StatusBadRequest, "PUT", link, map[string]any{"sub_processor_id": "0192f3e4-0000-7000-8000-000000000000"})
	require.Contains(t, r.Text(), `"field":"sub_processor_id"`)
	var opID string
	r = op.Expect(http.StatusOK, "GET", "/api/v1/platform/staff", nil)
	staff := itemsOf[map[string]any](r)
	for _, s := range staff {
		if s["email"] == e.Operator {
			opID = s["id"].(string)
		}
	}
	require.NotEmpty(t, opID)
	r = op.Do("PUT", "/api/v1/platform/staff/"+opID+"/sub-processor", map[string]any{"sub_processor_id": sp})
	require.Equal(t, http.StatusBadRequest, r.Status, "an operator is the processor's own: %s", r.Text())
	require.Equal(t, http.StatusNotFound, op.Do("PUT", "/api/v1/platform/staff/"+e.A.ID.String()+"/sub-processor", map[string]any{"sub_processor_id": sp}).Status)

	r = op.Expect(http.StatusOK, "PUT", link, map[string]any{"sub_processor_id": sp})
	require.Equal(t, "Forensics Ltd", r.JSON()["sub_processor_name"])
	require.Contains(t, op.Do("GET", "/api/v1/platform/staff", nil).Text(), `"sub_processor_name":"Forensics Ltd"`)
	require.Equal(t, http.StatusForbidden, ask(e.A), "A has not authorised Forensics Ltd")
	require.Equal(t, http.StatusForbidden, ask(e.B), "nor has B")
	require.Equal(t, http.StatusNoContent, adminA.Do("POST", "/api/v1/t/tenant-a/sub-processors/"+sp+"/decision", map[string]any{"decision": "authorised"}).Status)
	require.Equal(t, http.StatusCreated, ask(e.A), "A authorised it")
	require.Equal(t, http.StatusForbidden, ask(e.B), "B still has not")

	r = op.Expect(http.StatusOK, "DELETE", link, nil)
	require.Nil(t, r.JSON()["sub_processor_id"])
	require.Equal(t, http.StatusCreated, ask(e.B), "unlinked: the processor's own staff again")
}

// The register accepts only the UK and the EEA unless the deployment names
// adequacy countries in LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES; a country
// without UK adequacy regulations there stops start-up, by name.
func TestRegisterKeepsTransfersInTheUKAndEEA(t *testing.T) {
	t.Parallel()
	add := func(e *apptest.Env, name, country string) *apptest.Response {
		return e.StaffLogin(e.Operator, apptest.OperatorPassword).Do("POST", "/api/v1/platform/sub-processors",
			map[string]any{"name": name, "purpose": "Hosting backups", "country": country})
	}
	e := apptest.New(t)
	for _, c := range []string{"jp", "ch", "us"} {
		r := add(e, "Far "+c, c)
		require.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", c, r.Text())
		require.Contains(t, r.Text(), `"field":"country"`)
	}
	require.Equal(t, http.StatusCreated, add(e, "Near", "de").Status)
	r := add(e, "Home", "GB")
	require.Equal(t, http.StatusCreated, r.Status, "GB is ISO's code for the UK")
	require.Equal(t, "uk", r.JSON()["country"])

	jp := apptest.New(t, func(c *config.Config) { c.SubProcessorAdequacy = []string{"jp"} })
	require.Equal(t, http.StatusCreated, add(jp, "Tokyo", "jp").Status, "named by the deployment")
	require.Equal(t, http.StatusBadRequest, add(jp, "Zurich", "ch").Status, "not named")

	cfg, err := config.Load()
	require.NoError(t, err)
	cfg.SubProcessorAdequacy = []string{"us"}
	_, err = app.Build(cfg, dbtest.New(t).App, objtest.New(t))
	require.ErrorContains(t, err, "LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES")
}
