package tenant_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// A manifest sets a school's roster codes (DfE number, URN, export org
// id) and changes them when they change; a manifest that leaves one out
// leaves the recorded one alone (an admin may have set it on the roster
// page). Two tenants may hold the same code; two schools of one tenant
// may not, and the error names the manifest's field.
func TestManifestSetsSchoolRosterCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	svc := tenant.NewService(db.App, nil, true)
	ms, files, err := tenant.LoadDir(filepath.Join("..", "..", "..", "tenants"))
	require.NoError(t, err)
	bySlug := map[string]tenant.Manifest{}
	for _, f := range files {
		bySlug[ms[f].Slug] = ms[f]
	}
	codes := func(tenantID uuid.UUID, slug string) (out struct{ DfeNumber, URN, ExternalID *string }) {
		require.NoError(t, access.Transact(ctx, db.App, access.System(tenantID, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT dfe_number, urn, external_id FROM schools WHERE slug = ?`, slug).Scan(&out).Error
		}))
		return out
	}

	oak := bySlug["oakfield-primary"]
	a, err := svc.Apply(ctx, oak, uuid.Nil)
	require.NoError(t, err)
	got := codes(a.TenantID, "oakfield")
	require.Equal(t, "330-2041", *got.DfeNumber, "the shipped manifest's DfE number")
	require.Equal(t, "103412", *got.URN)
	require.Nil(t, got.ExternalID, "left out: not set")
	nlt := bySlug["northern-lights-trust"]
	b, err := svc.Apply(ctx, nlt, uuid.Nil)
	require.NoError(t, err)
	require.Equal(t, "8c6f1e52-3b7a-4d0e-9a41-5f2d7c9b1a03", *codes(b.TenantID, "aurora-primary").ExternalID)

	// Another tenant may hold the same DfE number (codes are per tenant).
	nlt.Schools[0].DfENumber = "330-2041"
	_, err = svc.Apply(ctx, nlt, uuid.Nil)
	require.NoError(t, err)
	require.Equal(t, "330-2041", *codes(b.TenantID, "aurora-primary").DfeNumber)

	// A change is applied and reported; a code left out stays.
	oak.Schools[0].URN, oak.Schools[0].DfENumber, oak.Schools[0].ExternalID = "103413", "", "org-oakfield"
	res, err := svc.Apply(ctx, oak, uuid.Nil)
	require.NoError(t, err)
	require.Contains(t, res.Changes, "updated school oakfield roster codes")
	got = codes(a.TenantID, "oakfield")
	require.Equal(t, [3]string{"330-2041", "103413", "org-oakfield"}, [3]string{*got.DfeNumber, *got.URN, *got.ExternalID})
	res, err = svc.Apply(ctx, oak, uuid.Nil)
	require.NoError(t, err)
	require.Empty(t, res.Changes, "the same codes again change nothing")

	// Two schools of one tenant cannot share a code: within the manifest,
	// or against a school already there (written 3302041 this time).
	nlt.Schools[1].DfENumber = "3302041"
	_, err = svc.Apply(ctx, nlt, uuid.Nil)
	require.ErrorContains(t, err, "schools[1].dfe_number")
	nlt.Schools = nlt.Schools[1:]
	_, err = svc.Apply(ctx, nlt, uuid.Nil)
	require.ErrorContains(t, err, "schools[0].dfe_number")
	require.ErrorContains(t, err, "aurora-primary")
	require.Nil(t, codes(b.TenantID, "borealis-secondary").DfeNumber, "nothing half-applied")

	// Malformed codes are refused by field.
	bad := bySlug["oakfield-primary"]
	bad.Schools = []tenant.SchoolSpec{{Slug: "oakfield", Name: "Oakfield Primary School", DfENumber: "33-20", URN: "12"}}
	err = bad.Validate()
	require.ErrorContains(t, err, "schools[0].dfe_number")
	require.ErrorContains(t, err, "schools[0].urn")
}
