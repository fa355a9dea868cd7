package database_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Invariant (scale-out): the schema can be distributed by Citus as it is:
// every unique key and every foreign key between tenant tables includes
// tenant_id, no reference table points at a tenant table, and the plan
// distributes every tenant table, parents first.
func TestSchemaCanBeDistributedByTenant(t *testing.T) {
	db := dbtest.New(t)
	owner, err := database.Open(context.Background(), db.OwnerURL, 2)
	require.NoError(t, err)
	defer owner.Close()
	p, err := database.PlanCitus(owner.Gorm)
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	plan := strings.Join(p.Statements, "\n")
	tables, err := database.TenantTables(owner.Gorm)
	require.NoError(t, err)
	require.Greater(t, len(tables), 30)
	for _, tb := range tables {
		if database.ProcessorRecords[tb] {
			require.Contains(t, plan, "create_reference_table('"+tb+"')", tb)
			continue
		}
		require.Contains(t, plan, "create_distributed_table('"+tb+"', 'tenant_id'", tb)
	}
	require.Contains(t, plan, "create_reference_table('tenants')")
	require.NotContains(t, plan, "rate_limits")
	require.NotContains(t, plan, "river_job")
	// A referenced table comes before the tables pointing at it.
	require.Less(t, strings.Index(plan, "'people', 'tenant_id'"), strings.Index(plan, "'enrolments', 'tenant_id'"))
}
