package access

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// Read runs one read statement inside scope s in a single round trip: the
// scope settings and the query travel in one pipeline, which PostgreSQL runs
// as one implicit transaction, so set_config(..., true) covers the query and
// ends with it. Use it on hot read paths (authentication); Transact is the
// general way in.
func Read(ctx context.Context, db *database.DB, s Scope, sql string, args []any, scan func(pgx.Rows) error) error {
	if !s.valid() {
		return ErrNoScope
	}
	b := &pgx.Batch{}
	if s.readOnly {
		b.Queue("SET TRANSACTION READ ONLY")
	}
	b.Queue(setScopeSQL, s.args()...)
	b.Queue(sql, args...).Query(scan)
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("access: read: %w", err)
	}
	return nil
}
