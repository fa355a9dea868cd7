// Package migrations embeds the numbered plain-SQL migrations applied by
// `lms migrate`. Each file has a goose Up and Down section and runs in its
// own transaction as the owner role.
package migrations

import "embed"

// FS holds every *.sql file in this folder.
//
//go:embed *.sql
var FS embed.FS
