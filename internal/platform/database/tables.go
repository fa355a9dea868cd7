package database

import (
	"fmt"
	"sort"

	"gorm.io/gorm"
)

// ProcessorRecords are the tables with a tenant_id that hold the
// processor's own records about a tenant, not the school's data: the
// tenant (reduced) and its contract, the deletion and its certificate, the
// backup catalogue and key. They outlive the tenant's data (a deletion
// keeps them), and with Citus they are reference tables, not distributed.
var ProcessorRecords = map[string]bool{"tenants": true, "contracts": true, "deletions": true, "deletion_objects": true, "deletion_certificates": true,
	"backups": true, "backup_keys": true, "backup_erasures": true, "restores": true}

// TenantTables is every table with a tenant_id column, ordered so a table
// comes before the tables its foreign keys point at (children first): a
// deletion in this order never cascades uncounted or fails on a reference,
// and an insert in the reverse order never misses its parent.
func TenantTables(tx *gorm.DB) ([]string, error) {
	var tables []string
	if err := tx.Raw(`SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name`).Scan(&tables).Error; err != nil {
		return nil, fmt.Errorf("tenant tables: %w", err)
	}
	var edges []struct{ Child, Parent string }
	if err := tx.Raw(`SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint
		WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND conrelid <> confrelid`).Scan(&edges).Error; err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	in := map[string]bool{}
	for _, t := range tables {
		in[t] = true
	}
	// parents[t] are the tables t points at; t must be emptied before them.
	children := map[string][]string{}
	for _, e := range edges {
		if in[e.Child] && in[e.Parent] {
			children[e.Parent] = append(children[e.Parent], e.Child)
		}
	}
	var order []string
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	var visit func(t string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		kids := children[t]
		sort.Strings(kids)
		for _, c := range kids {
			if err := visit(c); err != nil {
				return err
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	names := make([]string, 0, len(in))
	for t := range in {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return order, nil
}
