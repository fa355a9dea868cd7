package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// blocked records what keeps the deletion from starting; operators are
// warned in the log when that changes (monitoring reads deletion_blocks).
// The school's admins are alerted when what they may know of changes: a
// legal order whose notice is deferred is neither told nor lets an alert
// appear when it is recorded.
func (s *Service) blocked(ctx context.Context, c tenant.Contract, o Outlook) error {
	var all, told []string
	var holds int
	var toldBlocks []Block
	for _, b := range o.Blocks {
		all = append(all, b.Kind)
		if b.Kind == BlockHold {
			holds++
		}
		if !b.Deferred {
			told = append(told, b.Kind)
			toldBlocks = append(toldBlocks, b)
		}
	}
	reasons, toldReasons := kindList(all), kindList(told)
	fresh := false
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		// Inserted, or its reasons changed; the row lock makes a second
		// watcher find them changed already.
		res := tx.Exec(`INSERT INTO deletion_blocks (tenant_id, due_on, reasons) VALUES (?, ?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET reasons = EXCLUDED.reasons, due_on = EXCLUDED.due_on, since = now(), checked_at = now()
			WHERE deletion_blocks.reasons <> EXCLUDED.reasons`, c.TenantID, o.DueOn.Format(time.DateOnly), reasons)
		if res.Error != nil {
			return res.Error
		}
		if fresh = res.RowsAffected == 1; !fresh {
			if err := tx.Exec(`UPDATE deletion_blocks SET checked_at = now() WHERE tenant_id = ?`, c.TenantID).Error; err != nil {
				return err
			}
		}
		res = tx.Exec(`UPDATE deletion_blocks SET told = ? WHERE tenant_id = ? AND told <> ?`, toldReasons, c.TenantID, toldReasons)
		if res.Error != nil || res.RowsAffected == 0 || toldReasons == "" {
			return res.Error
		}
		if err := access.Enter(tx, access.System(c.TenantID, "contract_watch")); err != nil {
			return err
		}
		_, err := alert.Raise(tx, c.TenantID, blockedAlert(o.DueOn, toldBlocks, holds))
		return err
	})
	if err == nil && fresh {
		slog.WarnContext(ctx, "lifecycle: contract-end deletion is due but blocked", "tenant_id", c.TenantID,
			"due_on", o.DueOn.Format(time.DateOnly), "reasons", reasons)
	}
	return err
}

// kindList is kinds, distinct and sorted, comma-separated.
func kindList(kinds []string) string {
	seen := map[string]bool{}
	var out []string
	for _, k := range kinds {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// blockedAlert tells the school's admins why their data was not deleted
// on the day it was due: their holds and the orders they were told of.
func blockedAlert(due *time.Time, told []Block, holds int) alert.Alert {
	day := localtime.CalendarDate(*due)
	var why []string
	if holds == 1 {
		why = append(why, "a legal hold your school placed")
	} else if holds > 1 {
		why = append(why, fmt.Sprintf("%d legal holds your school placed", holds))
	}
	for _, b := range told {
		if b.Kind == BlockOrder {
			why = append(why, "a legal order in force until "+localtime.CalendarDate(*b.Until))
		}
	}
	body := fmt.Sprintf("Your school's return window closed on %s and its data would have been deleted then. It is kept because of %s. ",
		day, strings.Join(why, " and "))
	link := "/admin/contract"
	if holds > 0 {
		body += "Release the holds you no longer need on the Retention page: the deletion then starts within the hour, and you receive a signed certificate."
		link = "/admin/retention"
	} else {
		body += "The deletion starts within the hour after the order ends, and you receive a signed certificate."
	}
	return alert.Alert{Kind: "deletion-blocked", Audience: identity.RoleAdmin, Title: "Your school's data was due to be deleted on " + day + " and is kept", Body: body, Link: link}
}
