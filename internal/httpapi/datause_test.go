package httpapi_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// Only while the school's data use agreement is in force can an operator
// have a copy made; the copy in the school's prefix holds keyed pseudonyms
// instead of ids and names, no free text, contact or security data, and
// both the request and the copy are in the school's log.
func TestDataUseAgreementsAndPseudonymisedCopies(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	r := adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "zoe.unique", "display_name": "Zoe Uniquename", "email": "zoe@tenant-a.example", "password": "zoe-password-123"})
	zoe := r.JSON()["id"].(string)
	// Rita's processing is restricted (Art. 18): she is left out of copies.
	r = adminA.Expect(201, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "rita.restricted", "display_name": "Rita Restricted"})
	rita := r.JSON()["id"].(string)
	r = adminA.Expect(204, "POST", "/api/v1/t/tenant-a/people/"+rita+"/restriction", map[string]any{"reason": "contests the accuracy of her record"})
	r = adminA.Do("POST", "/api/v1/t/tenant-a/people/"+rita+"/restriction", map[string]any{"reason": ""})
	require.Equal(t, 400, r.Status, "a restriction needs a reason")
	extracts := "/api/v1/platform/tenants/" + e.A.ID.String() + "/extracts"
	require.Equal(t, 403, op.Do("POST", extracts, nil).Status, "no agreement yet")

	r = adminA.Expect(400, "POST", "/api/v1/t/tenant-a/data-use-agreements", map[string]any{"terms": "", "purpose": "", "starts_on": "2027-01-01", "ends_on": "2026-01-01"})
	for _, f := range []string{"terms", "purpose", "ends_on"} {
		require.Contains(t, r.Text(), `"field":"`+f+`"`)
	}
	r = adminA.Expect(201, "POST", "/api/v1/t/tenant-a/data-use-agreements", map[string]any{"terms": "Pseudonymised copies for testing only; deleted after use.",
		"purpose": "Testing the new gradebook", "starts_on": "2026-01-01", "ends_on": "2027-12-31"})
	require.Equal(t, true, r.JSON()["active"])
	agreement := r.JSON()["id"].(string)

	require.Equal(t, 403, e.StaffLogin(e.Support, apptest.SupportPassword).Do("POST", extracts, nil).Status)
	require.Equal(t, 403, op.Do("POST", "/api/v1/platform/tenants/"+e.B.ID.String()+"/extracts", nil).Status, "B signed nothing")
	r = op.Expect(202, "POST", extracts, nil)
	id := r.JSON()["id"].(string)
	require.Equal(t, "queued", r.JSON()["status"])
	require.NoError(t, e.App.DataUse.RunQueued(ctx))
	list := itemsOf[map[string]any](op.Do("GET", extracts, nil))
	require.Len(t, list, 1)
	require.Equal(t, "done", list[0]["status"], list[0]["error"])
	require.Equal(t, list[0]["tables_total"], list[0]["tables_done"])

	// The people of the copy: pseudonyms, no names, no addresses, no hashes.
	bucket := e.App.Store.Bucket("uk")
	key := "t/" + e.A.ID.String() + "/extracts/" + id + "/people.jsonl"
	obj, err := e.App.Store.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)
	b, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	people := string(b)
	require.Equal(t, 2, strings.Count(people, "\n"), "the admin and Zoe; not restricted Rita: %s", people)
	require.Contains(t, people, `"id":"p_`)
	require.Contains(t, people, `"created_at"`)
	for _, leak := range []string{zoe, "Zoe", "zoe.unique", "zoe@", "Admin of tenant-a", "argon2", e.A.AdminID.String(), e.A.ID.String()} {
		require.NotContains(t, people, leak)
	}

	log := accessLog(t, adminA, "tenant-a")
	require.Contains(t, log, `"action":"data-use.extract-requested"`)
	require.Contains(t, log, `"action":"data-use.extracted"`)
	require.Contains(t, log, `"actor_name":"Olive Operator"`)

	// Withdrawn: no more copies.
	require.Equal(t, 200, adminA.Do("POST", "/api/v1/t/tenant-a/data-use-agreements/"+agreement+"/withdraw", nil).Status)
	require.Equal(t, 403, op.Do("POST", extracts, nil).Status)
	require.Equal(t, 409, adminA.Do("POST", "/api/v1/t/tenant-a/data-use-agreements/"+agreement+"/withdraw", nil).Status)
}

// A copy under an agreement withdrawn before it is made leaves nothing in
// storage, and the school's log does not claim a copy was made.
func TestWithdrawnAgreementLeavesNoCopy(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	// Two agreements in force; the copy is asked under the newer, which is
	// then withdrawn: the older one does not cover the copy.
	for _, purpose := range []string{"older", "newer"} {
		adminA.Expect(201, "POST", "/api/v1/t/tenant-a/data-use-agreements", map[string]any{"terms": "t", "purpose": purpose, "starts_on": "2026-01-01", "ends_on": "2027-12-31"})
	}
	agreements := itemsOf[map[string]any](adminA.Do("GET", "/api/v1/t/tenant-a/data-use-agreements", nil))
	require.Equal(t, "newer", agreements[0]["purpose"])
	agreement := agreements[0]["id"].(string)
	r := op.Expect(202, "POST", "/api/v1/platform/tenants/"+e.A.ID.String()+"/extracts", nil)
	id := r.JSON()["id"].(string)
	require.Equal(t, 200, adminA.Do("POST", "/api/v1/t/tenant-a/data-use-agreements/"+agreement+"/withdraw", nil).Status)
	require.NoError(t, e.App.DataUse.RunQueued(ctx))
	list := itemsOf[map[string]any](op.Do("GET", "/api/v1/platform/tenants/"+e.A.ID.String()+"/extracts", nil))
	require.Equal(t, "failed", list[0]["status"])
	bucket, prefix := e.App.Store.Bucket("uk"), "t/"+e.A.ID.String()+"/extracts/"+id+"/"
	out, err := e.App.Store.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	require.NoError(t, err)
	require.Empty(t, out.Versions)
	require.NotContains(t, accessLog(t, adminA, "tenant-a"), `"action":"data-use.extracted"`)
}
