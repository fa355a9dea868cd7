package support

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/csvsafe"
)

// AccessLog pages through the scoped tenant's audit log, newest first;
// before is the seq to continue below (0: from the newest).
func (s *Service) AccessLog(ctx context.Context, sc access.Scope, before int64, limit int) ([]audit.Record, error) {
	var out []audit.Record
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var err error
		out, err = audit.List(tx, before, limit)
		return err
	})
	return out, err
}

// ExportAccessLog writes the tenant's whole log as CSV, oldest first, with
// each record's hash so the school can keep and check its own copy.
func (s *Service) ExportAccessLog(ctx context.Context, sc access.Scope, w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"seq", "at", "actor_kind", "actor_name", "basis", "action", "target", "ticket", "approver_name", "grant_id", "hash"})
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rows, err := tx.Model(&audit.Record{}).Order("seq").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r audit.Record
			if err := tx.ScanRows(rows, &r); err != nil {
				return err
			}
			grant := ""
			if r.GrantID != nil {
				grant = r.GrantID.String()
			}
			if err := cw.Write([]string{strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339), r.ActorKind, csvsafe.Cell(r.ActorName), r.Basis, r.Action,
				csvsafe.Cell(r.Target), csvsafe.Cell(r.Ticket), csvsafe.Cell(r.ApproverName), grant, fmt.Sprintf("%x", r.Hash)}); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	cw.Flush()
	if err != nil {
		return fmt.Errorf("support: export access log: %w", err)
	}
	return cw.Error()
}
