package access

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// CopyOut streams the output of query, a COPY (SELECT …) TO STDOUT, to w
// inside tx, which must be a transaction opened by Transact: the scope's
// tenant and row-level security apply to it like to any other statement.
// It is how bulk exports read at the speed of COPY. query takes no
// parameters (COPY cannot): callers build it from the registry's names
// and uuids only. It returns the number of rows copied.
func CopyOut(ctx context.Context, tx *gorm.DB, w io.Writer, query string) (int64, error) {
	pinned, ok := tx.Statement.ConnPool.(inTx)
	if !ok {
		return 0, errors.New("access: CopyOut needs a transaction opened by Transact")
	}
	var n int64
	err := pinned.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("access: CopyOut: unexpected driver connection %T", driverConn)
		}
		tag, err := c.Conn().PgConn().CopyTo(ctx, w, query)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return n, fmt.Errorf("access: copy out: %w", err)
	}
	return n, nil
}
