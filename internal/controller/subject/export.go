package subject

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/exportjob"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
)

// ExportArgs is the job that builds one export.
type ExportArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	ExportID uuid.UUID `json:"export_id"`
}

// Kind names the job.
func (ExportArgs) Kind() string { return "subject_export" }

// ExportWorker works ExportArgs.
type ExportWorker struct {
	river.WorkerDefaults[ExportArgs]
	Service *Service
}

// Work builds the export; a failed or killed run is retried by River and
// starts again from the beginning, overwriting its own object.
func (w *ExportWorker) Work(ctx context.Context, j *river.Job[ExportArgs]) error {
	return w.Service.RunExport(ctx, j.Args.TenantID, j.Args.ExportID)
}

// StartExport queues an access or portability export of person, for the
// person themselves (sc is theirs), a guardian, or an admin answering
// request. The job is enqueued in the same transaction.
func (s *Service) StartExport(ctx context.Context, sc access.Scope, person uuid.UUID, request *uuid.UUID) (Export, error) {
	actor := sc.Actor().ID
	e := Export{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), PersonID: person, RequestID: request, RequestedBy: &actor,
		Status: exportjob.Queued, TablesTotal: len(links())}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if actor != person {
			if err := identity.Reach(tx, sc, person, false); err != nil {
				return err
			}
		}
		if request != nil {
			var r Request
			if err := s.get(tx, sc, *request, &r); err != nil {
				return err
			}
			if r.PersonID == nil || *r.PersonID != person || (r.Kind != "access" && r.Kind != "portability") {
				return errs.Field("request_id", "must be an open access or portability request of this person")
			}
		}
		var running int64
		if err := tx.Model(&Export{}).Where("person_id = ? AND status IN (?, ?)", person, exportjob.Queued, exportjob.Running).Count(&running).Error; err != nil {
			return err
		}
		if running > 0 {
			return errs.New(errs.ErrConflict, "an export of this person is already being made")
		}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("subject: queue export: %w", err)
		}
		if err := s.noteVolume(tx, actor, person); err != nil {
			return err
		}
		return s.logExport(tx, sc, "subject-export.requested", e)
	})
	if err != nil {
		return e, err
	}
	if err := s.jobs.Enqueue(ctx, ExportArgs{TenantID: e.TenantID, ExportID: e.ID}); err != nil {
		// The export row is committed: the sweep (SweepArgs) starts it.
		slog.WarnContext(ctx, "subject: export left to the sweep", "tenant_id", e.TenantID, "err", err)
	}
	return e, nil
}

// ExportVolume is how many exports of other people one member may start
// in 24 hours before the school's admins are told: many exports in a day
// is how a compromised admin account would take a school's data.
const ExportVolume = 10

// noteVolume raises a security signal when actor's exports of others in
// the last 24 hours reach ExportVolume (once, as the count crosses it).
func (s *Service) noteVolume(tx *gorm.DB, actor, person uuid.UUID) error {
	if actor == person || actor == uuid.Nil {
		return nil
	}
	var n int64
	if err := tx.Model(&Export{}).Where("requested_by = ? AND person_id <> ? AND created_at > ?", actor, actor, s.now().Add(-24*time.Hour)).
		Count(&n).Error; err != nil {
		return err
	}
	if n != ExportVolume {
		return nil
	}
	return identity.Signal(tx, "export-volume", actor, fmt.Sprintf("%d personal data exports of other people started in 24 hours", n))
}

func (s *Service) logExport(tx *gorm.DB, sc access.Scope, action string, e Export) error {
	return identity.Record(tx, sc, "export job", action, "personal data export "+e.ID.String(),
		map[string]string{"person_ref": s.Ref(e.TenantID, e.PersonID)[:16]})
}

// Exports lists a person's exports, newest first.
func (s *Service) Exports(ctx context.Context, sc access.Scope, person uuid.UUID) ([]Export, error) {
	return s.ExportPage(ctx, sc, person, database.Page{Limit: 20})
}

// At is where an export sits in the order ExportPage lists them.
func (e Export) At() (string, uuid.UUID) { return "", e.ID }

// exportOrder lists exports newest first.
var exportOrder = database.Keyset{ID: "id", Desc: true}

// ExportPage is a page of a person's exports, newest first.
func (s *Service) ExportPage(ctx context.Context, sc access.Scope, person uuid.UUID, p database.Page) (out []Export, err error) {
	out = []Export{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if sc.Actor().ID != person {
			if err := identity.Reach(tx, sc, person, false); err != nil {
				return err
			}
		}
		return exportOrder.Apply(tx.Where("person_id = ?", person), p).Find(&out).Error
	})
	return out, err
}

// GetExport is one export, to the person it is about or to someone who
// reaches them.
func (s *Service) GetExport(ctx context.Context, sc access.Scope, id uuid.UUID) (e Export, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return s.getExport(tx, sc, id, &e) })
	return e, err
}

func (s *Service) getExport(tx *gorm.DB, sc access.Scope, id uuid.UUID, e *Export) error {
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(e), "export %s", id); err != nil {
		return err
	}
	if sc.Actor().ID == e.PersonID {
		return nil
	}
	if err := identity.Reach(tx, sc, e.PersonID, false); err != nil {
		return errs.New(errs.ErrNotFound, "export %s", id)
	}
	return nil
}

// Download presigns the export's zip until it expires.
func (s *Service) Download(ctx context.Context, sc access.Scope, id uuid.UUID) (files.Link, error) {
	var e Export
	var f files.File
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		if err := s.getExport(tx, sc, id, &e); err != nil {
			return err
		}
		if e.Status != exportjob.Done || e.FileID == nil || e.ExpiresAt == nil || !e.ExpiresAt.After(s.now()) {
			return errs.New(errs.ErrNotFound, "the export is not ready, or has expired")
		}
		if f, err = files.Get(tx, *e.FileID); err != nil {
			return err
		}
		if region, err = files.Region(tx); err != nil {
			return err
		}
		return s.logExport(tx, sc, "subject-export.downloaded", e)
	})
	if err != nil {
		return files.Link{}, err
	}
	return s.files.LinkUntil(ctx, sc, region, f, *e.ExpiresAt)
}

// RunExport builds one export: claims it, writes the zip while keeping a
// heartbeat, and records the result. An export that is done, or that a
// live run holds (its heartbeat is fresh), is left alone: a duplicate or
// late job finds nothing to do.
func (s *Service) RunExport(ctx context.Context, tenant, id uuid.UUID) error {
	sc := access.System(tenant, "subject_export")
	run := uuid.Must(uuid.NewV7())
	var e Export
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE subject_exports SET status = ?, started_at = ?, heartbeat_at = now(), run_id = ?,
			tables_done = 0, files_done = 0, bytes = 0, error = '' WHERE id = ? AND `+exportjob.Claimable, exportjob.Running, s.now().UTC(), run, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return tx.Where("id = ?", id).Limit(1).Find(&e).Error
	})
	if err != nil || e.ID == uuid.Nil {
		return err
	}
	ctx, stop := jobs.KeepAlive(ctx, func(ctx context.Context) (held bool, err error) {
		err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
			res := tx.Exec(`UPDATE subject_exports SET heartbeat_at = now() WHERE id = ? AND run_id = ? AND status = ?`, id, run, exportjob.Running)
			held = res.RowsAffected > 0
			return res.Error
		})
		return held, err
	})
	defer stop()
	// The zip's file row shares the export's id, so a retried run
	// overwrites its own object (and aborts the parts a killed run left).
	fileID := e.ID
	name := "personal-data-" + s.now().UTC().Format("2006-01-02") + ".zip"
	f, err := s.files.Produce(ctx, sc, fileID, name, "application/zip", files.ForExport, func(w io.Writer) error {
		return s.writeZip(ctx, sc, e, w)
	})
	if errors.Is(context.Cause(ctx), jobs.ErrTakenOver) {
		slog.WarnContext(ctx, "subject: export taken over by another run", "tenant_id", tenant, "export_id", id)
		return nil
	}
	if err != nil {
		_ = access.Transact(context.WithoutCancel(ctx), s.db, sc, func(tx *gorm.DB) error {
			return tx.Model(&Export{}).Where("id = ? AND run_id = ?", id, run).
				Updates(map[string]any{"status": exportjob.Failed, "error": "the export could not be made; it will be tried again"}).Error
		})
		return err
	}
	done := s.now().UTC()
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		e.Status = exportjob.Done
		res := tx.Model(&Export{}).Where("id = ? AND run_id = ?", id, run).Updates(map[string]any{"status": exportjob.Done, "bytes": f.SizeBytes,
			"file_id": f.ID, "finished_at": done, "expires_at": done.Add(s.exportTTL)})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // taken over (or erased) meanwhile: the other run records it
		}
		return s.logExport(tx, sc, "subject-export.ready", e)
	})
}

// progress records an export's progress in its own short transaction, so
// whoever watches sees it at once.
func (s *Service) progress(ctx context.Context, sc access.Scope, id uuid.UUID, set map[string]any) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Model(&Export{}).Where("id = ?", id).Updates(set).Error
	})
}

// ExpireExports removes finished exports past their expiry: the zip is
// marked for the files purge, which removes every version.
func (s *Service) ExpireExports(ctx context.Context, tenant uuid.UUID) error {
	sc := access.System(tenant, "subject_export_expiry")
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE files SET status = ?, updated_at = now() WHERE status <> ? AND id IN
			(SELECT file_id FROM subject_exports WHERE expires_at < ? AND file_id IS NOT NULL)`, files.StatusDeleting, files.StatusDeleting, s.now().UTC()).Error
	})
	if err != nil {
		return fmt.Errorf("subject: expire exports: %w", err)
	}
	s.files.PurgeSoon(ctx, tenant)
	return nil
}

// SweepArgs is the periodic job that queues again exports whose job was
// lost or whose worker died, then removes expired exports.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "subject_export_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// staleAfter is how long an export may stay queued, or failed, before the
// sweep queues it again (a lost insert, a job River gave up on).
const staleAfter = 10 * time.Minute

// Work sweeps every tenant.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.Service.Sweep(ctx)
}

// Sweep queues stale exports again and expires old ones, in every tenant.
// A running export is stale only once its heartbeat is silent (the rescue
// job, every few seconds, usually finds it first); the run is a job of
// its own, never inline here, so the sweep stays short and a death during
// the run is seen like any other.
func (s *Service) Sweep(ctx context.Context) error {
	var tenants []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Table("tenants").Order("id").Pluck("id", &tenants).Error; err != nil {
		return err
	}
	for _, t := range tenants {
		var stale []uuid.UUID
		err := access.Transact(ctx, s.db, access.System(t, "subject_export_sweep"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id FROM subject_exports WHERE status IN (?, ?) AND created_at < ?
				AND (started_at IS NULL OR started_at < ?) OR status = ? AND `+exportjob.Claimable+` ORDER BY id LIMIT 20`,
				exportjob.Queued, exportjob.Failed, s.now().Add(-staleAfter), s.now().Add(-staleAfter), exportjob.Running).Scan(&stale).Error
		})
		if err != nil {
			return err
		}
		for _, id := range stale {
			if err := s.jobs.Enqueue(ctx, ExportArgs{TenantID: t, ExportID: id}); err != nil {
				return err
			}
		}
		if err := s.ExpireExports(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Stalled is the rescue's check (jobs.Check) for ExportArgs: the export
// is still to be made and no live run holds it.
func (s *Service) Stalled(ctx context.Context, raw []byte) (bool, error) {
	var a ExportArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return false, err
	}
	var n int64
	err := access.Transact(ctx, s.db, access.System(a.TenantID, "subject_export_rescue"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM subject_exports WHERE id = ? AND status IN (?, ?) AND `+exportjob.Claimable, a.ExportID, exportjob.Queued, exportjob.Running).Scan(&n).Error
	})
	return n > 0, err
}
