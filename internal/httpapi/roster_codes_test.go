package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/roster"
)

// An admin records a school's DfE number and URN for roster files; a bad
// one is a field error; another tenant's school is not found.
func TestRosterSchoolCodes(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	a := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	schools := itemsOf[roster.School](a.Expect(200, "GET", "/api/v1/t/tenant-a/roster/schools", nil))
	require.Len(t, schools, 1)
	require.Nil(t, schools[0].URN)
	id := schools[0].ID.String()

	r := a.Expect(400, "PUT", "/api/v1/t/tenant-a/schools/"+id+"/roster-codes", map[string]any{"urn": "12", "dfe_number": "x"})
	require.Contains(t, r.Text(), "urn")
	require.Contains(t, r.Text(), "dfe_number")
	var got roster.School
	a.Expect(200, "PUT", "/api/v1/t/tenant-a/schools/"+id+"/roster-codes", map[string]any{"urn": "123456", "dfe_number": "3302000"}).Decode(&got)
	require.Equal(t, "123456", *got.URN)
	require.Equal(t, "3302000", *got.DfeNumber)

	b := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	b.Expect(404, "PUT", "/api/v1/t/tenant-b/schools/"+id+"/roster-codes", map[string]any{"urn": "654321"})
	bs := itemsOf[roster.School](b.Expect(200, "GET", "/api/v1/t/tenant-b/roster/schools", nil))
	require.Len(t, bs, 1)
	require.Nil(t, bs[0].URN, "tenant B's school is its own")
}
