package subject

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
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
		Status: "queued", TablesTotal: len(links())}
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
		if err := tx.Model(&Export{}).Where("person_id = ? AND status IN ('queued', 'running')", person).Count(&running).Error; err != nil {
			return err
		}
		if running > 0 {
			return fmt.Errorf("an export of this person is already being made: %w", errs.ErrConflict)
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
func (s *Service) Exports(ctx context.Context, sc access.Scope, person uuid.UUID) (out []Export, err error) {
	out = []Export{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if sc.Actor().ID != person {
			if err := identity.Reach(tx, sc, person, false); err != nil {
				return err
			}
		}
		return tx.Where("person_id = ?", person).Order("id DESC").Limit(20).Find(&out).Error
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
	res := tx.Where("id = ?", id).Limit(1).Find(e)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("export %s: %w", id, errs.ErrNotFound)
	}
	if sc.Actor().ID == e.PersonID {
		return nil
	}
	if err := identity.Reach(tx, sc, e.PersonID, false); err != nil {
		return fmt.Errorf("export %s: %w", id, errs.ErrNotFound)
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
		if e.Status != "done" || e.FileID == nil || e.ExpiresAt == nil || !e.ExpiresAt.After(s.now()) {
			return fmt.Errorf("the export is not ready, or has expired: %w", errs.ErrNotFound)
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

// RunExport builds one export: claims it, writes the zip and records the
// result. An export already done is left alone.
func (s *Service) RunExport(ctx context.Context, tenant, id uuid.UUID) error {
	sc := access.System(tenant, "subject_export")
	var e Export
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Limit(1).Find(&e).Error; err != nil {
			return err
		}
		if e.ID == uuid.Nil || e.Status == "done" {
			return nil
		}
		now := s.now().UTC()
		e.StartedAt = &now
		return tx.Model(&Export{}).Where("id = ?", id).Updates(map[string]any{"status": "running", "started_at": now,
			"tables_done": 0, "files_done": 0, "bytes": 0, "error": ""}).Error
	})
	if err != nil || e.ID == uuid.Nil || e.Status == "done" {
		return err
	}
	// The zip's file row shares the export's id, so a retried run
	// overwrites its own object and never leaves a second one.
	fileID := e.ID
	name := "personal-data-" + s.now().UTC().Format("2006-01-02") + ".zip"
	f, err := s.files.Produce(ctx, sc, fileID, name, "application/zip", files.ForExport, func(w io.Writer) error {
		return s.writeZip(ctx, sc, e, w)
	})
	if err != nil {
		_ = s.progress(context.WithoutCancel(ctx), sc, id, map[string]any{"status": "failed", "error": "the export could not be made; it will be tried again"})
		return err
	}
	done := s.now().UTC()
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		e.Status = "done"
		if err := tx.Model(&Export{}).Where("id = ?", id).Updates(map[string]any{"status": "done", "bytes": f.SizeBytes, "file_id": f.ID,
			"finished_at": done, "expires_at": done.Add(s.exportTTL)}).Error; err != nil {
			return err
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
		return tx.Exec(`UPDATE files SET status = 'deleting', updated_at = now() WHERE status <> 'deleting' AND id IN
			(SELECT file_id FROM subject_exports WHERE expires_at < ? AND file_id IS NOT NULL)`, s.now().UTC()).Error
	})
	if err != nil {
		return fmt.Errorf("subject: expire exports: %w", err)
	}
	s.files.PurgeSoon(ctx, tenant)
	return nil
}

// SweepArgs is the periodic job that starts exports whose job was never
// inserted, and takes over exports whose worker died (running too long),
// then removes expired exports.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "subject_export_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// staleAfter is how long an export may stay queued or running before the
// sweep runs it again (overwriting its own object: same end state).
const staleAfter = 10 * time.Minute

// Work sweeps every tenant.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.Service.Sweep(ctx)
}

// Sweep runs stale exports and expires old ones, in every tenant.
func (s *Service) Sweep(ctx context.Context) error {
	var tenants []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Table("tenants").Order("id").Pluck("id", &tenants).Error; err != nil {
		return err
	}
	for _, t := range tenants {
		var stale []Export
		err := access.Transact(ctx, s.db, access.System(t, "subject_export_sweep"), func(tx *gorm.DB) error {
			return tx.Where("status IN ('queued', 'running', 'failed') AND created_at < ?", s.now().Add(-staleAfter)).
				Where("started_at IS NULL OR started_at < ?", s.now().Add(-staleAfter)).Limit(20).Find(&stale).Error
		})
		if err != nil {
			return err
		}
		for _, e := range stale {
			if err := s.RunExport(ctx, t, e.ID); err != nil {
				slog.WarnContext(ctx, "subject: export failed in sweep", "tenant_id", t, "export_id", e.ID, "err", err)
			}
		}
		if err := s.ExpireExports(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
