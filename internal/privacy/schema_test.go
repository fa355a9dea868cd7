package privacy_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/privacy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// liveColumns reads table → columns of the migrated schema.
func liveColumns(t *testing.T, db *dbtest.DB) map[string][]string {
	rows, err := db.App.Pool.Query(context.Background(), `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
		ORDER BY 1, c.ordinal_position`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var tbl, col string
		require.NoError(t, rows.Scan(&tbl, &col))
		if !privacy.InfrastructureTable(tbl) {
			out[tbl] = append(out[tbl], col)
		}
	}
	require.NoError(t, rows.Err())
	return out
}

// Invariant 3: the registry declares every column of every table, and
// nothing that does not exist.
func TestRegistryMatchesSchema(t *testing.T) {
	t.Parallel()
	live := liveColumns(t, dbtest.New(t))
	require.NotEmpty(t, live)
	var problems []string
	declared := map[string]map[string]privacy.Column{}
	for _, tb := range privacy.Tables() {
		declared[tb.Name] = map[string]privacy.Column{}
		for _, c := range tb.Columns {
			if _, dup := declared[tb.Name][c.Name]; dup {
				problems = append(problems, fmt.Sprintf("%s.%s declared twice", tb.Name, c.Name))
			}
			declared[tb.Name][c.Name] = c
			if c.Category == "" || c.Purpose == "" || c.Basis == "" || c.Retention == "" || c.Export == "" || c.Erasure == "" {
				problems = append(problems, fmt.Sprintf("%s.%s: declaration incomplete", tb.Name, c.Name))
			}
		}
		if _, ok := live[tb.Name]; !ok {
			problems = append(problems, fmt.Sprintf("registry declares table %s, which does not exist", tb.Name))
		}
		if tb.Subject != "" {
			if _, ok := declared[tb.Name][tb.Subject]; !ok {
				problems = append(problems, fmt.Sprintf("%s: subject column %s is not declared", tb.Name, tb.Subject))
			}
		}
	}
	for tbl, cols := range live {
		d, ok := declared[tbl]
		if !ok {
			problems = append(problems, fmt.Sprintf("table %s is not in the privacy registry", tbl))
			continue
		}
		seen := map[string]bool{}
		for _, c := range cols {
			seen[c] = true
			if _, ok := d[c]; !ok {
				problems = append(problems, fmt.Sprintf("column %s.%s is not in the privacy registry", tbl, c))
			}
		}
		for c := range d {
			if !seen[c] {
				problems = append(problems, fmt.Sprintf("registry declares %s.%s, which does not exist", tbl, c))
			}
		}
	}
	sort.Strings(problems)
	require.Empty(t, problems, strings.Join(problems, "\n"))
}

// referenceTables are the processor's tables that tenant tables may point
// at without tenant_id: small platform-wide lists (sub-processors), which
// Citus keeps as reference tables on every node.
func referenceTables() []string { return []string{"sub_processors"} }

// Invariant 1: every tenant table leads its primary key, foreign keys and
// unique indexes with tenant_id NOT NULL and has row-level security enabled
// and forced with a policy on app_tenant_id(). Any table with a tenant_id
// column must be declared a tenant table unless the registry says it is the
// processor's own record.
func TestTenantTablesAreIsolated(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	live := liveColumns(t, db)
	var problems []string
	for _, tb := range privacy.Tables() {
		if tb.Owner != privacy.Tenant {
			continue
		}
		var rls, forced bool
		var notNull bool
		require.NoError(t, db.App.Pool.QueryRow(ctx, `
			SELECT c.relrowsecurity, c.relforcerowsecurity, a.attnotnull
			FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
			WHERE c.oid = $1::regclass`, tb.Name).Scan(&rls, &forced, &notNull), tb.Name)
		if !rls || !forced {
			problems = append(problems, tb.Name+": row-level security must be enabled and forced")
		}
		if !notNull {
			problems = append(problems, tb.Name+": tenant_id must be NOT NULL")
		}
		var policies []string
		rows, err := db.App.Pool.Query(ctx, `SELECT coalesce(qual, '') || ' / ' || coalesce(with_check, '') FROM pg_policies WHERE schemaname = 'public' AND tablename = $1`, tb.Name)
		require.NoError(t, err)
		for rows.Next() {
			var p string
			require.NoError(t, rows.Scan(&p))
			policies = append(policies, p)
		}
		rows.Close()
		if len(policies) != 1 || strings.Count(policies[0], "app_tenant_id()") != 2 {
			problems = append(problems, fmt.Sprintf("%s: want exactly one policy checking app_tenant_id() in USING and WITH CHECK, have %q", tb.Name, policies))
		}
		// Primary key, unique constraints/indexes and foreign keys: first column tenant_id.
		rows, err = db.App.Pool.Query(ctx, `
			SELECT 'index ' || i.indexrelid::regclass::text, a.attname
			FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
			WHERE i.indrelid = $1::regclass AND (i.indisunique OR i.indisprimary)
			UNION ALL
			SELECT 'index ' || i.indexrelid::regclass::text, '(expression)'
			FROM pg_index i WHERE i.indrelid = $1::regclass AND (i.indisunique OR i.indisprimary) AND i.indkey[0] = 0
			UNION ALL
			SELECT 'foreign key ' || con.conname, a.attname
			FROM pg_constraint con JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
			WHERE con.conrelid = $1::regclass AND con.contype = 'f' AND NOT (con.confrelid::regclass::text = ANY ($2))`, tb.Name, referenceTables())
		require.NoError(t, err)
		for rows.Next() {
			var what, first string
			require.NoError(t, rows.Scan(&what, &first))
			if first != "tenant_id" {
				problems = append(problems, fmt.Sprintf("%s: %s must lead with tenant_id, leads with %s", tb.Name, what, first))
			}
		}
		rows.Close()
	}
	for tbl, cols := range live {
		decl, _ := privacy.Lookup(tbl)
		for _, c := range cols {
			if c == "tenant_id" && decl.Owner != privacy.Tenant && decl.Owner != privacy.Processor {
				problems = append(problems, tbl+": has tenant_id but is not declared a tenant table")
			}
		}
	}
	sort.Strings(problems)
	require.Empty(t, problems, strings.Join(problems, "\n"))
}

// Every foreign key to people or files is declared as naming a person or
// a file, so exports and erasure follow it; every Via names a table whose
// own Subject is a person.
func TestReferencesAreDeclared(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	rows, err := db.App.Pool.Query(context.Background(), `
		SELECT con.conrelid::regclass::text, con.confrelid::regclass::text, a.attname
		FROM pg_constraint con
		JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[array_length(con.conkey, 1)]
		WHERE con.contype = 'f' AND con.confrelid::regclass::text IN ('people', 'files')
		  AND con.connamespace = 'public'::regnamespace`)
	require.NoError(t, err)
	var problems []string
	n := 0
	for rows.Next() {
		var tbl, target, column string
		require.NoError(t, rows.Scan(&tbl, &target, &column))
		n++
		want := privacy.RefPerson
		if target == "files" {
			want = privacy.RefFile
		}
		tb, _ := privacy.Lookup(tbl)
		if c, _ := tb.Column(column); c.Refers != want {
			problems = append(problems, fmt.Sprintf("%s.%s refers to %s: declare it .%s()", tbl, column, target, want))
		}
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.Greater(t, n, 20, "the query must see the foreign keys")
	for _, tb := range privacy.Tables() {
		if tb.Via == "" {
			continue
		}
		parent, ok := privacy.Lookup(tb.Via)
		if !ok || parent.Subject == "" {
			problems = append(problems, fmt.Sprintf("%s: via %s, which has no subject", tb.Name, tb.Via))
			continue
		}
		if c, _ := parent.Column(parent.Subject); c.Refers != privacy.RefPerson {
			problems = append(problems, fmt.Sprintf("%s: via %s, whose subject is not a person", tb.Name, tb.Via))
		}
	}
	sort.Strings(problems)
	require.Empty(t, problems, strings.Join(problems, "\n"))
}
