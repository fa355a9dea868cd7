package roster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/jobs"
)

// An upload from the page or the API is stored and answered at once
// (Start); a job applies it (Work), recording its progress on the
// import's row, which the import's page shows as it goes. The upload's
// files are kept in the row (held_files, a zip) until the import ends, so
// a worker that dies loses nothing, and they go with the tenant. The
// import is one transaction, so a worker killed mid-way wrote nothing:
// its heartbeat (updated_at) stops, the rescue job queues the work again
// (Stalled), and the next run applies the same files from the start to
// the same end state. A run that finds the import already ended does
// nothing. A scheduled sync (rostersync) already runs in a job and calls
// Import, which is the same run without the stored row.

// ImportArgs is the job that applies a stored upload.
type ImportArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	ImportID uuid.UUID `json:"import_id"`
}

// Kind names the job.
func (ImportArgs) Kind() string { return "roster_import" }

// UseJobs gives the service the queue uploads are applied from. Wired
// once in services.
func (s *Service) UseJobs(q *jobs.Enqueuer) { s.jobs = q }

// errEnded stops a run whose import another run has ended already.
var errEnded = errors.New("roster: the import has ended already")

// Start checks that an upload's files can be read (a file that is not
// CSV, or lacks a column, is refused at once, as a *RejectedError with
// FileLevel set, and logged), stores them with a queued import and queues
// the job that applies them. The rows are checked by the job: the
// import's record (Get) then says applied, rejected (with every row's
// problem), dry run or held.
func (s *Service) Start(ctx context.Context, sc access.Scope, files map[string][]byte, dryRun bool) (Import, error) {
	src := memSource(files)
	p := readFiles(src, false)
	if p.fileLevel {
		return s.run(ctx, sc, src, runOpts{dryRun: dryRun})
	}
	rec := Import{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), Status: Queued, DryRun: dryRun, Files: p.files,
		CreatedAt: time.Now().UTC(), Step: stepQueued, Counts: Counts{}, Errors: []Issue{}, Warnings: []Issue{},
		Modes: map[string]Mode{}, Held: []SchoolEnd{}}
	for _, n := range p.rowsIn {
		rec.RowsTotal += n
	}
	if a := sc.Actor(); a.Kind == access.ActorMember {
		rec.StartedBy = &a.ID
	}
	if ids, limited := sc.Schools(); limited {
		rec.Schools = append([]uuid.UUID{}, ids...)
	}
	z, err := packSource(src)
	if err != nil {
		return Import{}, err
	}
	rec.HeldFiles = z
	if err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Create(&rec).Error }); err != nil {
		return Import{}, fmt.Errorf("roster: store upload: %w", err)
	}
	rec.HeldFiles = nil
	return rec, s.enqueue(ctx, rec)
}

// enqueue queues the job of a stored import. Without a queue (a tool that
// built the service alone) the caller runs Work itself.
func (s *Service) enqueue(ctx context.Context, rec Import) error {
	if s.jobs == nil {
		return nil
	}
	if err := s.jobs.Enqueue(ctx, ImportArgs{TenantID: rec.TenantID, ImportID: rec.ID}); err != nil {
		// Stored but not queued: the rescue finds no job for it, so the
		// caller hears of it (uploading again is safe).
		return fmt.Errorf("roster: import %s stored but not queued: %w", rec.ID, err)
	}
	return nil
}

// jobScope is the scope the uploader had: their own, limited to the
// schools they could change (the system's when they are gone).
func jobScope(rec Import) access.Scope {
	sc := access.System(rec.TenantID, "roster_import")
	if rec.StartedBy != nil {
		sc = access.Member(rec.TenantID, *rec.StartedBy)
	}
	if rec.Schools != nil {
		sc = sc.WithinSchools(rec.Schools)
	}
	return sc
}

// Work applies a stored import, as its job does; an import that has ended
// already (applied by an earlier run, discarded, gone with its tenant) is
// left as it is. Safe to run twice, at once or one after the other.
func (s *Service) Work(ctx context.Context, tenant, id uuid.UUID) error {
	return s.work(ctx, tenant, id, nil)
}

func (s *Service) work(ctx context.Context, tenant, id uuid.UUID, onStep func(string)) error {
	sys := access.System(tenant, "roster_import")
	var rec Import
	err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		res := tx.Model(&Import{}).Where("id = ? AND status IN ?", id, []string{Queued, Running}).
			Updates(map[string]any{"status": Running, "updated_at": gorm.Expr("now()")})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return database.Found(tx.Where("id = ?", id).Limit(1).Find(&rec), "roster import %s", id)
	})
	if err != nil || rec.ID == uuid.Nil {
		return err // ended already, or gone: nothing to do
	}
	src, err := openZip("held_files", rec.HeldFiles)
	if err != nil {
		return fmt.Errorf("roster: import %s: %w", id, err)
	}
	rec.HeldFiles = nil
	run, stop := jobs.KeepAlive(ctx, func(ctx context.Context) (bool, error) {
		var n int64
		err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
			res := tx.Exec(`UPDATE roster_imports SET updated_at = now() WHERE id = ? AND status = ?`, id, Running)
			n = res.RowsAffected
			return res.Error
		})
		return n == 1 || err != nil, err
	})
	defer stop()
	prog := &progress{ctx: run, onStep: onStep, write: func(ctx context.Context, step string, done, total int) error {
		return access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE roster_imports SET step = ?, rows_done = ?, rows_total = ?, updated_at = now() WHERE id = ? AND status = ?`,
				step, done, total, id, Running).Error
		})
	}}
	_, err = s.run(run, jobScope(rec), src, runOpts{stored: &rec, prog: prog})
	if _, rejected := AsRejected(err); rejected || errors.Is(err, errEnded) {
		return nil // the record says so
	}
	if err != nil && run.Err() != nil {
		return fmt.Errorf("roster: import %s stopped: %w", id, context.Cause(run))
	}
	return err
}

// stillQueued stops a job's run, inside its transaction and under the
// tenant's import lock, when another run has ended the import meanwhile.
func stillQueued(tx *gorm.DB, stored *Import) error {
	if stored == nil {
		return nil
	}
	var status string
	if err := tx.Raw(`SELECT status FROM roster_imports WHERE id = ?`, stored.ID).Scan(&status).Error; err != nil {
		return fmt.Errorf("roster: import %s: %w", stored.ID, err)
	}
	if status != Queued && status != Running {
		return errEnded
	}
	return nil
}

// finish writes a job's outcome into its stored import. A held import
// keeps its files for the admin's confirmation; any other outcome drops
// them. Another run that ended it first makes this one errEnded.
func finish(tx *gorm.DB, rec *Import) error {
	rec.Step, rec.UpdatedAt = "", time.Now().UTC()
	cols := []string{"status", "counts", "errors", "warnings", "error_count", "warning_count", "modes", "held", "files", "step", "updated_at", "rows_done"}
	if rec.Status != Held {
		cols = append(cols, "held_files")
		rec.HeldFiles = nil
	}
	var total int
	if err := tx.Raw(`SELECT rows_total FROM roster_imports WHERE id = ?`, rec.ID).Scan(&total).Error; err != nil {
		return fmt.Errorf("roster: finish import %s: %w", rec.ID, err)
	}
	rec.RowsDone, rec.RowsTotal = total, total
	res := tx.Model(&Import{}).Where("id = ? AND status IN ?", rec.ID, []string{Queued, Running}).Select(cols).Updates(rec)
	if res.Error != nil {
		return fmt.Errorf("roster: finish import %s: %w", rec.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return errEnded
	}
	return nil
}

// Stalled is the rescue's check: a running import whose heartbeat has
// been silent for jobs.StaleAfter lost its worker.
func (s *Service) Stalled(ctx context.Context, raw []byte) (bool, error) {
	var a ImportArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return false, err
	}
	var n int64
	err := access.Transact(ctx, s.db, access.System(a.TenantID, "roster_import_rescue"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM roster_imports WHERE id = ? AND status = ? AND updated_at < now() - make_interval(secs => ?)`,
			a.ImportID, Running, jobs.StaleAfter.Seconds()).Scan(&n).Error
	})
	return n > 0, err
}

// ImportWorker works ImportArgs.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	Service *Service
}

// Work applies the import.
func (w *ImportWorker) Work(ctx context.Context, j *river.Job[ImportArgs]) error {
	return w.Service.Work(ctx, j.Args.TenantID, j.Args.ImportID)
}
