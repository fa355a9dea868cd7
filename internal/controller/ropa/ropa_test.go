package ropa_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/privacy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The school's record covers every personal-data table of the registry,
// the consent purposes and the school's own retention periods (and not
// another school's), in JSON and CSV.
func TestRecordFromRegistryAndSettings(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	a, b := access.Member(e.A.ID, e.A.AdminID), access.Member(e.B.ID, e.B.AdminID)
	require.NoError(t, e.App.Retention.Set(ctx, a, "activity", 6))
	r, err := e.App.Ropa.For(ctx, a)
	require.NoError(t, err)
	require.Equal(t, "School tenant-a", r.Controller)
	tables := map[string]bool{}
	for _, p := range r.Processing {
		tables[p.Table] = true
	}
	for _, tb := range privacy.Tables() {
		if tb.Owner == privacy.Tenant && tb.Subject != "" {
			require.True(t, tables[tb.Name], "record lacks %s", tb.Name)
		}
	}
	require.NotEmpty(t, r.Consent)
	var months int
	for _, p := range r.Retention {
		if p.Category.Category == "activity" {
			months = p.Effective
		}
	}
	require.Equal(t, 6, months)
	rb, err := e.App.Ropa.For(ctx, b)
	require.NoError(t, err)
	for _, p := range rb.Retention {
		if p.Category.Category == "activity" {
			require.Equal(t, 12, p.Effective, "tenant A's setting is not B's: %+v", rb.Retention)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, r.CSV(&buf))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	sections := map[string]int{}
	for _, rec := range recs[1:] {
		sections[rec[0]]++
	}
	for _, s := range []string{"controller", "data-subjects", "processing", "consent", "retention", "recipients", "transfers", "security", "not-kept"} {
		require.Positive(t, sections[s], s)
	}
}
