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

// Consents lists the purposes that need a person's consent, with the
// wording shown and its version (YAML; see internal/controller/consent).
//
//go:embed consents.yaml
var Consents []byte

// Retention is the default retention period of each data category, which
// a school may override (YAML; see internal/controller/retention).
//
//go:embed retention.yaml
var Retention []byte
