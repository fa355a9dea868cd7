// Package policies embeds the casbin model and the per-role permissions.
// Role assignments (who holds which role in which tenant) live in PostgreSQL.
package policies

import _ "embed"

// Model is the casbin model (RBAC with domains).
//
//go:embed model.conf
var Model string

// Roles is the permission table: role, object, action.
//
//go:embed roles.csv
var Roles string
