package retention

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Line is one category's finding in a run: how much had expired, how much
// of that a legal hold kept, and (when enforcing) how much went.
type Line struct {
	Category string    `json:"category"`
	Title    string    `json:"title"`
	Months   int       `json:"months"`
	Cutoff   time.Time `json:"cutoff"`
	Expired  int64     `json:"expired"`
	Held     int64     `json:"held"`
	Removed  int64     `json:"removed"`
}

// Run is one dry or enforcing run.
type Run struct {
	ID        uuid.UUID `json:"id"`
	DryRun    bool      `json:"dry_run"`
	Report    []Line    `json:"report"`
	Rows      int64     `json:"rows"`
	CreatedAt time.Time `json:"created_at"`
}

// batch is how many rows one DELETE removes, so a large expiry never holds
// a long lock.
const batch = 5000

// DryRun reports what enforcement would remove today, and records it: the
// school sees this before switching enforcement on.
func (s *Service) DryRun(ctx context.Context, sc access.Scope) (Run, error) {
	r := Run{ID: uuid.Must(uuid.NewV7()), DryRun: true, CreatedAt: s.now().UTC()}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		lines, err := s.findings(tx)
		if err != nil {
			return err
		}
		r.Report = lines
		for _, l := range lines {
			r.Rows += l.Expired - l.Held
		}
		return record(tx, sc, r)
	})
	return r, err
}

func record(tx *gorm.DB, sc access.Scope, r Run) error {
	rep, _ := json.Marshal(r.Report)
	var by *uuid.UUID
	if id := sc.Actor().ID; id != uuid.Nil {
		by = &id
	}
	return tx.Exec(`INSERT INTO retention_runs (tenant_id, id, dry_run, started_by, report, rows) VALUES (?, ?, ?, ?, ?, ?)`,
		sc.Tenant(), r.ID, r.DryRun, by, string(rep), r.Rows).Error
}

// findings counts, per category, what has expired and what is held.
func (s *Service) findings(tx *gorm.DB) ([]Line, error) {
	sts, err := settings(tx)
	if err != nil {
		return nil, err
	}
	var out []Line
	for _, st := range sts {
		l := Line{Category: st.Category.Category, Title: st.Title, Months: st.Effective, Cutoff: s.now().UTC().AddDate(0, -st.Effective, 0)}
		if l.Category == leavers {
			err = tx.Raw(`SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM retention_holds h WHERE h.released_at IS NULL AND h.person_id = p.id))
				FROM people p WHERE p.left_on < ?`, l.Cutoff).Row().Scan(&l.Expired, &l.Held)
		} else {
			r := rules[l.Category]
			err = tx.Raw(fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE NOT %s) FROM %s t WHERE t.%s < ?`, r.notHeld(), r.table, r.age), l.Cutoff).
				Row().Scan(&l.Expired, &l.Held)
		}
		if err != nil {
			return nil, fmt.Errorf("retention: %s: %w", l.Category, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// Enable switches enforcement on; it needs a dry run first.
func (s *Service) Enable(ctx context.Context, sc access.Scope) error {
	if !sc.TenantWide() {
		return errs.New(errs.ErrForbidden, "retention is enforced for the whole tenant")
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var dry int64
		if err := tx.Raw(`SELECT count(*) FROM retention_runs WHERE dry_run`).Scan(&dry).Error; err != nil {
			return err
		}
		if dry == 0 {
			return errs.New(errs.ErrConflict, "run a dry run and read its report before switching enforcement on")
		}
		return tx.Exec(`INSERT INTO retention_enforcement (tenant_id, enabled_by) VALUES (?, ?) ON CONFLICT (tenant_id) DO NOTHING`, sc.Tenant(), sc.Actor().ID).Error
	})
}

// Status is whether enforcement is on, and the recent runs.
type Status struct {
	EnabledAt *time.Time `json:"enabled_at"`
	Runs      []Run      `json:"runs"`
}

// Status reports enforcement and the last runs.
func (s *Service) Status(ctx context.Context, sc access.Scope) (st Status, err error) {
	st.Runs = []Run{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var at []time.Time
		if err := tx.Raw(`SELECT enabled_at FROM retention_enforcement`).Scan(&at).Error; err != nil {
			return err
		}
		if len(at) > 0 {
			st.EnabledAt = &at[0]
		}
		var rows []struct {
			ID        uuid.UUID
			DryRun    bool
			Report    []byte
			Rows      int64
			CreatedAt time.Time
		}
		if err := tx.Raw(`SELECT id, dry_run, report, rows, created_at FROM retention_runs ORDER BY created_at DESC LIMIT 10`).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			run := Run{ID: r.ID, DryRun: r.DryRun, Rows: r.Rows, CreatedAt: r.CreatedAt}
			_ = json.Unmarshal(r.Report, &run.Report)
			st.Runs = append(st.Runs, run)
		}
		return nil
	})
	return st, err
}

// Enforce removes what has expired in tenant, if the school switched
// enforcement on: batched deletes per category, and leavers erased by the
// registry's rules. Held rows and people stay.
func (s *Service) Enforce(ctx context.Context, tenant uuid.UUID) (Run, error) {
	sc := access.System(tenant, "retention")
	r := Run{ID: uuid.Must(uuid.NewV7()), CreatedAt: s.now().UTC()}
	var on bool
	var leaving []uuid.UUID
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM retention_enforcement`).Scan(&n).Error; err != nil || n == 0 {
			return err
		}
		on = true
		lines, err := s.findings(tx)
		r.Report = lines
		return err
	})
	if err != nil || !on {
		return r, err
	}
	for i, l := range r.Report {
		if l.Category == leavers {
			if err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
				return tx.Raw(`SELECT p.id FROM people p WHERE p.left_on < ? AND NOT EXISTS
					(SELECT 1 FROM retention_holds h WHERE h.released_at IS NULL AND h.person_id = p.id) ORDER BY p.id`, l.Cutoff).Pluck("id", &leaving).Error
			}); err != nil {
				return r, err
			}
			for _, id := range leaving {
				if _, err := s.subjects.Erase(ctx, sc, id, nil); err != nil {
					slog.WarnContext(ctx, "retention: leaver not erased", "tenant_id", tenant, "err", err)
					continue
				}
				r.Report[i].Removed++
			}
			continue
		}
		rl := rules[l.Category]
		for {
			var n int64
			err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
				res := tx.Exec(fmt.Sprintf(`DELETE FROM %s WHERE ctid IN (SELECT t.ctid FROM %s t WHERE t.%s < ? AND %s LIMIT %d)`,
					rl.table, rl.table, rl.age, rl.notHeld(), batch), l.Cutoff)
				n = res.RowsAffected
				return res.Error
			})
			if err != nil {
				return r, fmt.Errorf("retention: %s: %w", l.Category, err)
			}
			r.Report[i].Removed += n
			if n < batch {
				break
			}
		}
	}
	for _, l := range r.Report {
		r.Rows += l.Removed
	}
	return r, access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return record(tx, sc, r) })
}

// EnforceArgs is the daily retention job.
type EnforceArgs struct{}

// Kind names the job.
func (EnforceArgs) Kind() string { return "retention_enforce" }

// EnforceWorker works EnforceArgs.
type EnforceWorker struct {
	river.WorkerDefaults[EnforceArgs]
	Service *Service
}

// Work enforces retention in every tenant that switched it on.
func (w *EnforceWorker) Work(ctx context.Context, _ *river.Job[EnforceArgs]) error {
	var tenants []uuid.UUID
	if err := w.Service.db.Gorm.WithContext(ctx).Table("tenants").Order("id").Pluck("id", &tenants).Error; err != nil {
		return err
	}
	for _, t := range tenants {
		if _, err := w.Service.Enforce(ctx, t); err != nil {
			return fmt.Errorf("retention: tenant %s: %w", t, err)
		}
	}
	return nil
}
