package database

import (
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// CitusPlan is what to run to distribute this database with Citus, every
// tenant's rows of every table on one node: reference tables (copied to
// every node: the platform's tables and the processor's records about
// tenants) first, then each tenant table distributed by tenant_id,
// parents before children, all colocated. Problems are schema facts that
// Citus would refuse (a unique key or a foreign key between tenant tables
// without tenant_id, a reference table pointing at a tenant table); the
// test keeps the list empty, which is what lets a processor move to Citus
// without changing the code.
type CitusPlan struct {
	Statements []string
	Problems   []string
}

// localTable reports the tables that stay on the coordinator: River's
// queue, the migration bookkeeping and the sign-in throttles are not
// tenant data, are never joined with it, and are written too often to copy
// to every node.
func localTable(name string) bool {
	return strings.HasPrefix(name, "river_") || name == "goose_db_version" || name == "rate_limits"
}

// PlanCitus reads the live schema and returns the plan.
func PlanCitus(tx *gorm.DB) (CitusPlan, error) {
	var p CitusPlan
	tenantTables, err := TenantTables(tx)
	if err != nil {
		return p, err
	}
	isTenant := map[string]bool{}
	var distributed []string
	for _, t := range tenantTables {
		if !ProcessorRecords[t] {
			isTenant[t] = true
			distributed = append(distributed, t)
		}
	}
	var all []string
	if err := tx.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`).
		Scan(&all).Error; err != nil {
		return p, fmt.Errorf("citus: tables: %w", err)
	}
	var cons []struct {
		Table, Name, Kind, Parent string
		Cols, ParentCols          string // comma-separated
		NotNull                   bool
	}
	if err := tx.Raw(`SELECT c.conrelid::regclass::text AS "table", c.conname AS name, c.contype::text AS kind,
			COALESCE(c.confrelid::regclass::text, '') AS parent,
			(SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) AS cols,
			COALESCE((SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = c.confrelid AND a.attnum = ANY (c.confkey)), '') AS parent_cols
		FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
		ORDER BY 1, 2`).Scan(&cons).Error; err != nil {
		return p, fmt.Errorf("citus: constraints: %w", err)
	}
	hasPK := map[string]bool{}
	for _, c := range cons {
		cols := strings.Split(c.Cols, ",")
		switch {
		case c.Kind == "p" || c.Kind == "u":
			hasPK[c.Table] = hasPK[c.Table] || c.Kind == "p"
			if isTenant[c.Table] && !slices.Contains(cols, "tenant_id") {
				p.Problems = append(p.Problems, fmt.Sprintf("%s: key %s (%s) does not include tenant_id", c.Table, c.Name, c.Cols))
			}
		case isTenant[c.Table] && isTenant[c.Parent] && c.Table != c.Parent:
			if !slices.Contains(cols, "tenant_id") || !slices.Contains(strings.Split(c.ParentCols, ","), "tenant_id") {
				p.Problems = append(p.Problems, fmt.Sprintf("%s: foreign key %s to %s does not include tenant_id on both sides", c.Table, c.Name, c.Parent))
			}
		case !isTenant[c.Table] && !localTable(c.Table) && isTenant[c.Parent]:
			p.Problems = append(p.Problems, fmt.Sprintf("%s: a reference table's foreign key %s points at tenant table %s", c.Table, c.Name, c.Parent))
		}
	}
	var nullable []string
	if err := tx.Raw(`SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' AND is_nullable = 'YES' ORDER BY 1`).
		Scan(&nullable).Error; err != nil {
		return p, fmt.Errorf("citus: columns: %w", err)
	}
	for _, t := range nullable {
		if isTenant[t] {
			p.Problems = append(p.Problems, t+": tenant_id may be null")
		}
	}

	p.Statements = append(p.Statements, "CREATE EXTENSION IF NOT EXISTS citus;",
		"-- The row-level security policies call app_tenant_id(): it must exist on every node.",
		"SELECT create_distributed_function('app_tenant_id()');")
	for _, t := range all {
		if !isTenant[t] && !localTable(t) {
			p.Statements = append(p.Statements, fmt.Sprintf("SELECT create_reference_table('%s');", t))
		}
	}
	// TenantTables lists children first; Citus wants a referenced table
	// distributed before the tables that point at it.
	first := ""
	for i := len(distributed) - 1; i >= 0; i-- {
		t := distributed[i]
		if !hasPK[t] {
			p.Problems = append(p.Problems, t+": no primary key")
		}
		if first == "" {
			first = t
			p.Statements = append(p.Statements, fmt.Sprintf("SELECT create_distributed_table('%s', 'tenant_id');", t))
			continue
		}
		p.Statements = append(p.Statements, fmt.Sprintf("SELECT create_distributed_table('%s', 'tenant_id', colocate_with => '%s');", t, first))
	}
	return p, nil
}
