package database

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Found is the end of every "load one row" query: res is the query already
// run (Find, Scan or Exec). Its own error comes back wrapped in what was
// looked for; a query that touched no row is errs.ErrNotFound with the
// sentence a person reads (format and args, as for errs.New). One way to say "no such row" keeps
// the status (404) and the wording the same for every store.
func Found(res *gorm.DB, format string, args ...any) error {
	if res.Error != nil {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.New(errs.ErrNotFound, format, args...)
	}
	return nil
}
