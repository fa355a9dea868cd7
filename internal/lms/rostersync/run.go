package rostersync

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/roster"
)

// maxAttempts is how often a run that broke (not a rejected file) is tried.
const maxAttempts = 3

// runJob names runs in the audit trail when no integration is known.
const runJob = "roster sync"

// claim is what a run took on: the delivery and its files.
type claim struct {
	Delivery
	files map[string][]byte
}

// Run applies the tenant's latest delivery if its schedule is due; it
// reports the delivery it ran (nil when there was nothing to do).
func (s *Service) Run(ctx context.Context, tenant uuid.UUID) (*Delivery, error) {
	cl, err := s.claim(ctx, tenant)
	if err != nil || cl == nil {
		return nil, err
	}
	out := cl.Delivery
	sc := access.System(tenant, "roster sync "+cl.Integration)
	rec, ierr := s.roster.Import(ctx, sc, cl.files, false)
	status, detail := outcome(rec, ierr)
	if rej, ok := roster.AsRejected(ierr); ok {
		rec = rej.Import
	}
	if status == Failed {
		slog.ErrorContext(ctx, "rostersync: run failed", "tenant_id", tenant, "delivery", cl.ID, "err", ierr)
	}
	var importID *uuid.UUID
	if rec.ID != uuid.Nil {
		importID = &rec.ID
	}
	mailed, err := s.finish(ctx, sc, cl, status, detail, importID)
	if err != nil {
		return nil, err
	}
	if mailed && s.mail != nil {
		s.mail.QueueDelivery(ctx, tenant)
	}
	if status == Applied && s.Applied != nil {
		s.Applied(tenant)
	}
	out.Status, out.Detail, out.ImportID, out.Files = status, detail, importID, nil
	return &out, nil
}

// outcome turns the importer's answer into a run's status and a plain
// reason for the admins.
func outcome(rec roster.Import, err error) (Status, string) {
	if rej, ok := roster.AsRejected(err); ok {
		return Rejected, fmt.Sprintf("The files have %d problems; nothing was applied.", rej.Import.ErrorCount)
	}
	switch {
	case err != nil:
		return Failed, "The import could not run; it is tried again."
	case rec.Status == roster.Applied:
		return Applied, ""
	case rec.Status == roster.Held:
		return Held, "The import would end more people than the safety limit allows; an admin must confirm it on the import's page."
	}
	return Failed, fmt.Sprintf("The import ended as %q.", rec.Status)
}

// claim takes the tenant's latest waiting delivery if the schedule is
// due, and marks every older waiting one as superseded by it.
func (s *Service) claim(ctx context.Context, tenant uuid.UUID) (*claim, error) {
	sc := access.System(tenant, runJob)
	now := s.now().UTC()
	var out *claim
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		// One claim at a time per tenant.
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('lms-roster-sync:' || ?, 0))`, tenant.String()).Error; err != nil {
			return err
		}
		sch, err := schedule(tx, tenant)
		if err != nil {
			return err
		}
		if sch.EveryHours > 0 || sch.AtMinute != nil {
			// NULL before the first run: a NullTime, as gorm cannot scan
			// NULL into a *time.Time.
			var lastRun sql.NullTime
			if err := tx.Raw(`SELECT max(finished_at) FROM roster_deliveries WHERE status IN ('applied', 'rejected', 'held')`).Row().Scan(&lastRun); err != nil {
				return err
			}
			var last *time.Time
			if lastRun.Valid {
				last = &lastRun.Time
			}
			loc, err := tenantZone(tx)
			if err != nil {
				return err
			}
			if !due(sch, loc, now, last) {
				return nil
			}
		}
		// A run under way (its claim is fresh) finishes first; the next
		// sweep applies whatever came meanwhile.
		var busy bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM roster_deliveries WHERE status = 'applying' AND claimed_at >= ?)`, now.Add(-ClaimFor)).Scan(&busy).Error; err != nil || busy {
			return err
		}
		var d Delivery
		err = tx.Raw(`SELECT d.*, i.name AS integration FROM roster_deliveries d
			JOIN roster_integrations i ON i.tenant_id = d.tenant_id AND i.id = d.integration_id
			WHERE d.status = 'delivered' OR (d.status = 'failed' AND d.attempts < ?)
			   OR (d.status = 'applying' AND d.claimed_at < ?)
			ORDER BY d.delivered_at DESC, d.id DESC LIMIT 1`, maxAttempts, now.Add(-ClaimFor)).Scan(&d).Error
		if err != nil || d.ID == uuid.Nil {
			return err
		}
		if err := tx.Exec(`UPDATE roster_deliveries SET status = 'superseded', superseded_by = ?, files = NULL, finished_at = ?
			WHERE status IN ('delivered', 'failed', 'applying') AND id <> ? AND (delivered_at, id) < (?, ?)`,
			d.ID, now, d.ID, d.DeliveredAt, d.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE roster_deliveries SET status = 'applying', claimed_at = ?, attempts = attempts + 1 WHERE id = ?`, now, d.ID).Error; err != nil {
			return err
		}
		files, err := unpack(d.Files)
		if err != nil {
			return fmt.Errorf("delivery %s: %w", d.ID, err)
		}
		d.Status, d.ClaimedAt, d.Attempts, d.Files = Applying, &now, d.Attempts+1, nil
		out = &claim{Delivery: d, files: files}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rostersync: claim: %w", err)
	}
	return out, nil
}

// finish records a run's outcome on its delivery (unless another worker
// took the claim over meanwhile) and, when it failed or was held, queues
// an email to the tenant's admins. It reports whether it queued one.
func (s *Service) finish(ctx context.Context, sc access.Scope, cl *claim, status Status, detail string, importID *uuid.UUID) (bool, error) {
	mailed := false
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		// A failed run is tried again, so its files stay; a held import
		// keeps its own files until an admin confirms it (roster_imports).
		keep := status == Failed
		res := tx.Exec(`UPDATE roster_deliveries SET status = ?, detail = ?, import_id = ?, finished_at = ?,
			files = CASE WHEN ? THEN files END
			WHERE id = ? AND status = 'applying' AND claimed_at = ?`,
			status, detail, importID, s.now().UTC(), keep, cl.ID, cl.ClaimedAt)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // taken over: the other run records its own outcome
		}
		ev := map[string]string{"integration": cl.Integration, "outcome": string(status)}
		if importID != nil {
			ev["import"] = importID.String()
		}
		if err := identity.Record(tx, sc, "roster sync "+cl.Integration, "roster-sync.run", "roster delivery "+cl.ID.String(), ev); err != nil {
			return err
		}
		if status == Applied || (status == Failed && cl.Attempts < maxAttempts) {
			return nil
		}
		n, err := s.alert(tx, sc.Tenant(), cl, status, detail, importID)
		mailed = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("rostersync: finish run: %w", err)
	}
	return mailed, nil
}
