package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// The contract watch runs hourly on one worker (a River periodic job): it
// tells a school's admins ahead of its contract's end, has the school's
// full export made when the contract ends and tended (restarted if its
// worker died, retired when its download expires), and starts the
// deletion when the return window closes, or says what keeps it (due.go).

// NoticeDays are how many days before the contract's end its admins are
// told (in the app and on the school's webhook).
var NoticeDays = []int{60, 14}

// Handback is the school's full export (internal/controller/handback):
// the watch starts it at contract end and has it tended every round.
type Handback interface {
	AtContractEnd(ctx context.Context, tenant uuid.UUID) error
	Tend(ctx context.Context, tenant uuid.UUID) error
	// Busy reports a full export queued or being made: the deletion waits.
	Busy(ctx context.Context, tenant uuid.UUID) (bool, error)
}

// Watch does one round for every tenant whose data is not deleted.
func (s *Service) Watch(ctx context.Context) error {
	// Contracts past their end date are ended: their dates no longer
	// change (by an operator or a manifest).
	if err := s.db.Gorm.WithContext(ctx).Exec(`UPDATE contracts SET status = ? WHERE status IN (?, ?)
		AND ends_on IS NOT NULL AND ends_on <= ?`, tenant.ContractEnded, tenant.ContractActive, tenant.ContractEnding, s.now().UTC().Format(time.DateOnly)).Error; err != nil {
		return err
	}
	var ts []tenant.Contract
	if err := s.db.Gorm.WithContext(ctx).Where("status <> ?", tenant.ContractDeleted).Order("tenant_id").Find(&ts).Error; err != nil {
		return err
	}
	var failed []error
	for _, t := range ts {
		if err := s.watchOne(ctx, t); err != nil {
			failed = append(failed, fmt.Errorf("tenant %s: %w", t.TenantID, err))
		}
	}
	return errors.Join(failed...)
}

func (s *Service) watchOne(ctx context.Context, t tenant.Contract) error {
	if err := s.notify(ctx, t); err != nil {
		return err
	}
	if s.Handback != nil {
		if t.Ended(s.now()) {
			if err := s.Handback.AtContractEnd(ctx, t.TenantID); err != nil {
				return err
			}
		}
		if err := s.Handback.Tend(ctx, t.TenantID); err != nil {
			return err
		}
	}
	// Once the return window has closed the deletion starts by itself,
	// unless a legal hold or order keeps it (due.go).
	return s.deleteWhenDue(ctx, t)
}

// notify sends the most urgent notice due and not yet sent for the
// contract's end date; the notice row and the alert are one transaction,
// so two watchers never send it twice.
func (s *Service) notify(ctx context.Context, t tenant.Contract) error {
	if t.EndsOn == nil || t.Ended(s.now()) {
		return nil
	}
	today := s.now().UTC().Truncate(24 * time.Hour)
	left := int(t.EndsOn.UTC().Truncate(24*time.Hour).Sub(today).Hours() / 24)
	due := -1
	for _, d := range NoticeDays {
		if left <= d && (due == -1 || d < due) {
			due = d
		}
	}
	if due == -1 {
		return nil
	}
	return access.Transact(ctx, s.db, access.System(t.TenantID, "contract_watch"), func(tx *gorm.DB) error {
		var fresh int64
		for _, d := range NoticeDays {
			if d < due {
				continue
			}
			res := tx.Exec(`INSERT INTO contract_notices (tenant_id, ends_on, days_before) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, t.TenantID, t.EndsOn.Time, d)
			if res.Error != nil {
				return res.Error
			}
			if d == due {
				fresh = res.RowsAffected
			}
		}
		if fresh == 0 {
			return nil
		}
		end := localtime.CalendarDate(t.EndsOn.Time)
		_, err := alert.Raise(tx, t.TenantID, alert.Alert{Kind: "contract-ending", Audience: identity.RoleAdmin,
			Title: fmt.Sprintf("Your contract ends on %s (in %d days)", end, left),
			Body: fmt.Sprintf("On %s the platform becomes read-only for your administrators and closed to everyone else. "+
				"A full export of your school's data is made that day; you can also make one now. After the return window, "+
				"your data is deleted and you receive a signed deletion certificate. The contract page shows the timeline.", end),
			Link: "/admin/contract"})
		return err
	})
}

// WatchArgs is the hourly contract watch.
type WatchArgs struct{}

// Kind names the job.
func (WatchArgs) Kind() string { return "contract_watch" }

// WatchWorker works WatchArgs.
type WatchWorker struct {
	river.WorkerDefaults[WatchArgs]
	Service *Service
}

// Work watches every contract.
func (w *WatchWorker) Work(ctx context.Context, _ *river.Job[WatchArgs]) error {
	return w.Service.Watch(ctx)
}
