package datause

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
)

// A copy lives only while its agreement is in force: when the school
// withdraws the agreement its copies are removed at once (Withdraw), and
// an hourly job removes what is left, and the copies of agreements past
// their end date. Every object version and delete marker under the copy's
// prefix goes; its record stays, marked removed, and the removal is in the
// school's log.

// finished are the statuses of a copy no worker is making: the ones purging
// removes.
var finished = []ExtractStatus{ExtractDone, ExtractFailed}

// Purge removes, in every tenant, the copies whose agreement is no longer
// in force (withdrawn or ended). It goes on past a tenant that fails.
func (s *Service) Purge(ctx context.Context) error {
	var tenants []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Model(&Extract{}).Where("status IN ?", finished).
		Distinct("tenant_id").Order("tenant_id").Pluck("tenant_id", &tenants).Error; err != nil {
		return fmt.Errorf("datause: purge: %w", err)
	}
	var last error
	for _, t := range tenants {
		if err := s.purgeTenant(ctx, t); err != nil {
			slog.WarnContext(ctx, "datause: copies not removed yet", "tenant_id", t, "err", err)
			last = err
		}
	}
	return last
}

// purgeTenant removes tenant's copies made under agreements no longer in
// force; a copy still being made stops itself (run checks before every
// table) and is removed here once it has.
func (s *Service) purgeTenant(ctx context.Context, tenantID uuid.UUID) error {
	var copies []Extract
	if err := s.db.Gorm.WithContext(ctx).Where("tenant_id = ? AND status IN ?", tenantID, finished).Order("id").
		Find(&copies).Error; err != nil {
		return err
	}
	if len(copies) == 0 {
		return nil
	}
	sc := access.System(tenantID, "data-use-purge")
	var as []Agreement
	if err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Find(&as).Error }); err != nil {
		return err
	}
	kept := map[uuid.UUID]Agreement{}
	for _, a := range as {
		kept[a.ID] = a
	}
	var region string
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT region FROM tenants WHERE id = ?`, tenantID).Scan(&region).Error; err != nil {
		return err
	}
	for _, e := range copies {
		a, ok := kept[e.AgreementID]
		why := ""
		switch {
		case !ok:
			why = "the agreement is no longer on record"
		case a.WithdrawnAt != nil:
			why = "the agreement was withdrawn"
		case !a.inForce(s.now()):
			why = "the agreement ended on " + a.EndsOn.String()
		}
		if why == "" {
			continue
		}
		if err := s.removeCopy(ctx, sc, region, e, why); err != nil {
			return err
		}
	}
	return nil
}

// removeCopy deletes every version under the copy's prefix, then marks it
// removed and writes the removal to the school's log, once.
func (s *Service) removeCopy(ctx context.Context, sc access.Scope, region string, e Extract, why string) error {
	prefix := fmt.Sprintf("t/%s/extracts/%s/", e.TenantID, e.ID)
	n, err := s.store.DeletePrefix(ctx, region, prefix)
	if err != nil {
		return fmt.Errorf("datause: remove copy %s: %w", e.ID, err)
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE data_extracts SET status = ?, removed_at = now() WHERE tenant_id = ? AND id = ? AND status IN ?`,
			ExtractRemoved, e.TenantID, e.ID, finished)
		if res.Error != nil || res.RowsAffected == 0 || e.Status != ExtractDone {
			return res.Error // a failed copy was never handed over: nothing to tell
		}
		_, err := audit.Append(tx, e.TenantID, audit.Event{ActorKind: "system", ActorName: "data use agreement", Basis: string(sc.Basis()),
			Action: "data-use.copy-removed", Target: "pseudonymised copy " + e.ID.String(),
			Detail: map[string]string{"agreement": e.AgreementID.String(), "why": why, "object_versions": fmt.Sprint(n)}})
		return err
	})
}

// PurgeArgs is the hourly job that removes copies whose agreement was
// withdrawn or reached its end date.
type PurgeArgs struct{}

// Kind names the job.
func (PurgeArgs) Kind() string { return "data_use_purge" }

// PurgeWorker works PurgeArgs.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Service *Service
}

// Work removes every copy no longer covered by its agreement.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	return w.Service.Purge(ctx)
}
