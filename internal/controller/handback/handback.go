// Package handback is the return of a school's data: a full export of
// every table of the tenant (from the privacy registry) and every file, as
// one zip among the school's files, downloadable until the return window
// after its contract closes. The contract watch (processor/lifecycle)
// makes one when the contract ends; the school's admins may make one at
// any time before the data is deleted.
package handback

import (
	"archive/zip"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
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
	"github.com/schoolcloud/lms/internal/privacy"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// The zip holds:
//
//	README.txt           what the export is and how to read it
//	schema.json          every table and column with what it holds and why
//	data/{table}.jsonl   one JSON object per row (JSON lines)
//	data/{table}.csv     the same rows as CSV with a header row
//	files/{id}-{name}    every file the school's people uploaded
//
// Rows are read with COPY in the school's scope (row-level security
// applies), so the export runs at close to the database's own speed and
// its memory stays flat however large the school is.

// Service makes, lists and serves full exports.
type Service struct {
	db    *database.DB
	files *files.Service
	jobs  *jobs.Enqueuer
	now   func() time.Time
}

// NewService returns a Service.
func NewService(db *database.DB, fs *files.Service, q *jobs.Enqueuer) *Service {
	return &Service{db: db, files: fs, jobs: q, now: time.Now}
}

// TenantExport is one full export with its progress.
type TenantExport struct {
	TenantID    uuid.UUID        `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID        `gorm:"primaryKey" json:"id"`
	Reason      string           `json:"reason"`
	RequestedBy *uuid.UUID       `json:"requested_by"`
	Status      exportjob.Status `json:"status"`
	TablesDone  int              `json:"tables_done"`
	TablesTotal int              `json:"tables_total"`
	Rows        int64            `json:"rows"`
	FilesDone   int              `json:"files_done"`
	FilesTotal  int              `json:"files_total"`
	Bytes       int64            `json:"bytes"`
	FileID      *uuid.UUID       `json:"file_id"`
	Error       string           `json:"error,omitempty"`
	ExpiresAt   *time.Time       `json:"expires_at"`
	CreatedAt   time.Time        `json:"created_at"`
	StartedAt   *time.Time       `json:"started_at"`
	FinishedAt  *time.Time       `json:"finished_at"`
}

// TableName is the gorm table.
func (TenantExport) TableName() string { return "tenant_exports" }

// Reasons for a full export.
const (
	ReasonContractEnd = "contract-end"
	ReasonOnRequest   = "on-request"
)

// onRequestTTL is how long an export an admin asked for stays downloadable
// while the contract runs (at contract end: until the return window closes).
const onRequestTTL = 7 * 24 * time.Hour

// exportTables is every tenant table of the registry, in its order, but
// those a person shares in confidence (OwnOnly: what a learner tells their
// tutor), which only the person's own export carries.
func exportTables() []privacy.Table {
	var out []privacy.Table
	for _, tb := range privacy.Tables() {
		if tb.Owner == privacy.Tenant && !tb.OwnOnly {
			out = append(out, tb)
		}
	}
	return out
}

// StartExport queues a full export of sc's tenant: an admin's request
// (sc is theirs) or the contract end (a system scope).
func (s *Service) StartExport(ctx context.Context, sc access.Scope, reason string) (TenantExport, error) {
	e := TenantExport{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), Reason: reason, Status: exportjob.Queued, TablesTotal: len(exportTables())}
	if a := sc.Actor().ID; a != uuid.Nil && sc.Basis() == access.BasisMember {
		e.RequestedBy = &a
	}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := access.WriteGate(tx, sc.Tenant()); errors.Is(err, access.ErrTenantDeleting) {
			return errs.New(errs.ErrConflict, "the school's data is being deleted: no export can be made now")
		} else if err != nil {
			return err
		}
		var busy int64
		if err := tx.Model(&TenantExport{}).Where("status IN (?, ?)", exportjob.Queued, exportjob.Running).Count(&busy).Error; err != nil {
			return err
		}
		if busy > 0 {
			return errs.New(errs.ErrConflict, "a full export of the school is already being made")
		}
		if reason == ReasonContractEnd {
			var made int64
			if err := tx.Model(&TenantExport{}).Where("reason = ?", ReasonContractEnd).Count(&made).Error; err != nil {
				return err
			}
			if made > 0 {
				return errs.New(errs.ErrConflict, "the contract-end export exists already")
			}
		}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("handback: queue export: %w", err)
		}
		return identity.Record(tx, sc, "full export", "tenant-export.requested", "full export "+e.ID.String(), map[string]string{"reason": reason})
	})
	if err != nil {
		return e, err
	}
	if err := s.jobs.Enqueue(ctx, ExportArgs{TenantID: e.TenantID, ExportID: e.ID}); err != nil {
		slog.WarnContext(ctx, "handback: export left to the contract watch", "tenant_id", e.TenantID, "err", err)
	}
	return e, nil
}

// Busy reports whether a full export of tenant is queued or being made:
// the contract-end deletion waits for it.
func (s *Service) Busy(ctx context.Context, tenant uuid.UUID) (bool, error) {
	var busy bool
	err := access.Transact(ctx, s.db, access.System(tenant, "tenant_export"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT EXISTS (SELECT 1 FROM tenant_exports WHERE status IN (?, ?))`, exportjob.Queued, exportjob.Running).
			Row().Scan(&busy)
	})
	return busy, err
}

// Exports lists the tenant's full exports, newest first.
func (s *Service) Exports(ctx context.Context, sc access.Scope) ([]TenantExport, error) {
	return s.ExportPage(ctx, sc, database.Page{Limit: 20})
}

// At is where an export sits in the order ExportPage lists them.
func (e TenantExport) At() (string, uuid.UUID) { return "", e.ID }

// ExportPage is a page of the tenant's full exports, newest first.
func (s *Service) ExportPage(ctx context.Context, sc access.Scope, p database.Page) ([]TenantExport, error) {
	out := []TenantExport{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return database.Keyset{ID: "id", Desc: true}.Apply(tx, p).Find(&out).Error
	})
	return out, err
}

// DownloadExport presigns a finished export's zip, until it expires.
func (s *Service) DownloadExport(ctx context.Context, sc access.Scope, id uuid.UUID) (files.Link, error) {
	var e TenantExport
	var f files.File
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		res := tx.Where("id = ?", id).Limit(1).Find(&e)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || e.Status != exportjob.Done || e.FileID == nil || e.ExpiresAt == nil || !e.ExpiresAt.After(s.now()) {
			return errs.New(errs.ErrNotFound, "the export is not ready, or has expired")
		}
		if f, err = files.Get(tx, *e.FileID); err != nil {
			return err
		}
		if region, err = files.Region(tx); err != nil {
			return err
		}
		return identity.Record(tx, sc, "full export", "tenant-export.downloaded", "full export "+e.ID.String(), nil)
	})
	if err != nil {
		return files.Link{}, err
	}
	return s.files.LinkUntil(ctx, sc, region, f, *e.ExpiresAt)
}

// RunExport makes one export: claims it, writes the zip while keeping a
// heartbeat, and records the result. An export that is done, or that a
// live run holds (its heartbeat is fresh), is left alone; a retried one
// overwrites its own object (the zip's file row shares the export's id)
// and aborts the parts a killed run left.
func (s *Service) RunExport(ctx context.Context, tenant, id uuid.UUID) error {
	sys := access.System(tenant, "tenant_export")
	run := uuid.Must(uuid.NewV7())
	var e TenantExport
	err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		// Once the tenant's deletion has begun no export starts: what it
		// wrote could outlive the deletion.
		if err := access.WriteGate(tx, tenant); err != nil {
			return err
		}
		res := tx.Exec(`UPDATE tenant_exports SET status = ?, started_at = ?, heartbeat_at = now(), run_id = ?,
			tables_done = 0, rows = 0, files_done = 0, bytes = 0, error = '' WHERE id = ? AND `+exportjob.Claimable, exportjob.Running, s.now().UTC(), run, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return tx.Where("id = ?", id).Limit(1).Find(&e).Error
	})
	if errors.Is(err, access.ErrTenantDeleting) {
		slog.InfoContext(ctx, "handback: export not made, the tenant's data is being deleted", "tenant_id", tenant, "export_id", id)
		return nil
	}
	if err != nil || e.ID == uuid.Nil {
		return err
	}
	ctx, stop := jobs.KeepAlive(ctx, func(ctx context.Context) (held bool, err error) {
		err = access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
			res := tx.Exec(`UPDATE tenant_exports SET heartbeat_at = now() WHERE id = ? AND run_id = ? AND status = ?`, id, run, exportjob.Running)
			held = res.RowsAffected > 0
			return res.Error
		})
		return held, err
	})
	defer stop()
	name := "school-data-" + s.now().UTC().Format("2006-01-02") + ".zip"
	f, err := s.files.Produce(ctx, sys, e.ID, name, "application/zip", files.ForTenantExport, func(w io.Writer) error {
		return s.writeExport(ctx, tenant, e.ID, w)
	})
	if errors.Is(context.Cause(ctx), jobs.ErrTakenOver) {
		slog.WarnContext(ctx, "handback: export taken over by another run", "tenant_id", tenant, "export_id", id)
		return nil
	}
	if err != nil {
		_ = access.Transact(context.WithoutCancel(ctx), s.db, sys, func(tx *gorm.DB) error {
			return tx.Model(&TenantExport{}).Where("id = ? AND run_id = ?", id, run).
				Updates(map[string]any{"status": exportjob.Failed, "error": "the export could not be made; it will be tried again"}).Error
		})
		return err
	}
	done := s.now().UTC()
	expires := done.Add(onRequestTTL)
	if end, ended, err := s.returnWindowEnd(ctx, tenant); err != nil {
		return err
	} else if !end.IsZero() && (ended || end.Before(expires)) {
		// Once the contract has ended, an export lasts as long as the
		// return window; before, never past it.
		expires = end
	}
	return access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		// Someone erased while it was being made may be in it: it goes, and
		// the contract watch makes it again.
		var erased int64
		if err := tx.Raw(`SELECT count(*) FROM erasure_ledger WHERE erased_at >= (SELECT started_at FROM tenant_exports WHERE id = ?)`, id).
			Scan(&erased).Error; err != nil {
			return err
		}
		if erased > 0 {
			if err := tx.Exec(`UPDATE files SET status = ?, updated_at = now() WHERE id = ?`, files.StatusDeleting, f.ID).Error; err != nil {
				return err
			}
			return tx.Model(&TenantExport{}).Where("id = ? AND run_id = ?", id, run).Updates(map[string]any{"status": exportjob.Failed,
				"error": "a person was erased while the export was being made; it is made again"}).Error
		}
		res := tx.Model(&TenantExport{}).Where("id = ? AND run_id = ?", id, run).Updates(map[string]any{"status": exportjob.Done, "bytes": f.SizeBytes,
			"file_id": f.ID, "finished_at": done, "expires_at": expires})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // taken over meanwhile: the other run records it
		}
		return identity.Record(tx, sys, "full export", "tenant-export.ready", "full export "+e.ID.String(), map[string]string{"bytes": fmt.Sprint(f.SizeBytes)})
	})
}

// returnWindowEnd is when the school's return window closes (zero if its
// contract has no end date) and whether the contract has ended.
func (s *Service) returnWindowEnd(ctx context.Context, tenantID uuid.UUID) (time.Time, bool, error) {
	var c tenant.Contract
	if err := s.db.Gorm.WithContext(ctx).Where("tenant_id = ?", tenantID).Limit(1).Find(&c).Error; err != nil {
		return time.Time{}, false, err
	}
	until := c.ReturnUntil()
	if until == nil {
		return time.Time{}, false, nil
	}
	return *until, c.Ended(s.now()), nil
}

func (s *Service) progress(ctx context.Context, tenant, id uuid.UUID, set map[string]any) error {
	return access.Transact(ctx, s.db, access.System(tenant, "tenant_export"), func(tx *gorm.DB) error {
		return tx.Model(&TenantExport{}).Where("id = ?", id).Updates(set).Error
	})
}

// writeExport writes the zip: the tables in one transaction of the
// contract scope (logged in the school's audit trail), then the files.
func (s *Service) writeExport(ctx context.Context, tenant, id uuid.UUID, w io.Writer) error {
	zw := zip.NewWriter(w)
	// Speed over size: the export is read once, and COPY is fast.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
	tables := exportTables()
	if err := writeJSON(zw, "schema.json", schemaOf(tables)); err != nil {
		return err
	}
	var fl []files.File
	var region string
	var rows int64
	sys := access.System(tenant, "tenant_export")
	err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		if err := identity.Record(tx, sys, "full export", "tenant-export.read", "every table and file", nil); err != nil {
			return err
		}
		for i, tb := range tables {
			n, err := copyTable(ctx, tx, zw, tenant, tb)
			if err != nil {
				return fmt.Errorf("handback: export %s: %w", tb.Name, err)
			}
			rows += n
			if err := s.progress(ctx, tenant, id, map[string]any{"tables_done": i + 1, "rows": rows}); err != nil {
				return err
			}
		}
		var err error
		if region, err = files.Region(tx); err != nil {
			return err
		}
		return tx.Where("status = 'ready' AND (attached_to IS NULL OR attached_to NOT IN (?, ?))", files.ForExport, files.ForTenantExport).
			Order("id").Find(&fl).Error
	})
	if err != nil {
		return err
	}
	if err := s.progress(ctx, tenant, id, map[string]any{"files_total": len(fl)}); err != nil {
		return err
	}
	for i, f := range fl {
		if err := s.copyFile(ctx, zw, region, f); err != nil {
			return err
		}
		if (i+1)%20 == 0 || i == len(fl)-1 {
			if err := s.progress(ctx, tenant, id, map[string]any{"files_done": i + 1}); err != nil {
				return err
			}
		}
	}
	rw, err := zw.Create("README.txt")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(rw, exportReadme(len(tables), rows, len(fl))); err != nil {
		return err
	}
	return zw.Close()
}

// copyTable writes one table's rows as JSON lines and as CSV, each with
// one COPY. Names come from the registry, the tenant is a uuid: nothing
// from input reaches the statement.
func copyTable(ctx context.Context, tx *gorm.DB, zw *zip.Writer, tenant uuid.UUID, tb privacy.Table) (int64, error) {
	cols := exportColumns(tb)
	sel := fmt.Sprintf(`SELECT %s FROM %s WHERE tenant_id = '%s'`, strings.Join(quoted(cols), ", "), tb.Name, tenant)
	jw, err := zw.Create("data/" + tb.Name + ".jsonl")
	if err != nil {
		return 0, err
	}
	// One JSON object per line: CSV format with a quote and delimiter that
	// JSON text never holds (row_to_json escapes control characters), so each
	// object comes out as it is.
	n, err := access.CopyOut(ctx, tx, jw, `COPY (SELECT row_to_json(r) FROM (`+sel+`) r) TO STDOUT WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')`)
	if err != nil {
		return 0, err
	}
	cw, err := zw.Create("data/" + tb.Name + ".csv")
	if err != nil {
		return 0, err
	}
	if _, err := access.CopyOut(ctx, tx, cw, `COPY (`+sel+`) TO STDOUT WITH (FORMAT csv, HEADER)`); err != nil {
		return 0, err
	}
	return n, nil
}

// exportColumns is every column of tb the school gets back: all but those
// the registry never exports (password and token hashes, webhook secrets,
// internal keys) and the tenant id.
func exportColumns(tb privacy.Table) []string {
	var out []string
	for _, c := range tb.Columns {
		if c.Name != "tenant_id" && c.Export != privacy.Omit {
			out = append(out, c.Name)
		}
	}
	return out
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = `"` + n + `"`
	}
	return out
}

func (s *Service) copyFile(ctx context.Context, zw *zip.Writer, region string, f files.File) error {
	r, err := s.files.Open(ctx, region, f)
	if err != nil {
		return err
	}
	defer r.Close()
	// Files are mostly compressed already (images, video, office files).
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "files/" + f.ID.String() + "-" + strings.ReplaceAll(path.Base(f.Name), "/", "_"), Method: zip.Store})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

func writeJSON(zw *zip.Writer, name string, v any) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

type schemaColumn struct {
	Name        string `json:"name"`
	Category    string `json:"category"`
	Purpose     string `json:"purpose"`
	LawfulBasis string `json:"lawful_basis"`
	Retention   string `json:"retention"`
}

type schemaTable struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Files       []string       `json:"files"`
	Columns     []schemaColumn `json:"columns"`
}

// schemaOf documents the export's tables from the registry.
func schemaOf(tables []privacy.Table) []schemaTable {
	out := make([]schemaTable, 0, len(tables))
	for _, tb := range tables {
		st := schemaTable{Name: tb.Name, Description: tb.Description, Files: []string{"data/" + tb.Name + ".jsonl", "data/" + tb.Name + ".csv"}}
		keep := map[string]bool{}
		for _, c := range exportColumns(tb) {
			keep[c] = true
		}
		for _, c := range tb.Columns {
			if keep[c.Name] {
				st.Columns = append(st.Columns, schemaColumn{Name: c.Name, Category: string(c.Category), Purpose: c.Purpose, LawfulBasis: string(c.Basis), Retention: c.Retention})
			}
		}
		out = append(out, st)
	}
	return out
}

func exportReadme(tables int, rows int64, nfiles int) string {
	return fmt.Sprintf(`Your school's data
==================

This is a full export of everything your school's people put into the
learning platform: %d tables (%d rows) and %d files.

  schema.json          every table and column: what it holds, why, on what
                       lawful basis and for how long
  data/TABLE.jsonl     the table's rows, one JSON object per line
  data/TABLE.csv       the same rows as CSV (UTF-8, a header row, RFC 4180)
  files/ID-NAME        the files, named by their id (data/files.csv lists
                       the id, name, type and size of each)

Rows refer to each other by id (for example a mark's submission_id is the
id of a row in submissions). Dates and times are ISO 8601 in UTC.

Left out: password and sign-in token hashes, webhook secrets and storage
keys, which are of no use outside the platform; earlier exports (copies
of the data in this one); and what learners shared with their personal
tutor in confidence, which only each learner's own export carries.

Your data is deleted from the platform when the return window after the
contract ends has closed; the deletion certificate then lists what was
removed and the backups that still hold it, with the date each is purged.
`, tables, rows, nfiles)
}

// ExportArgs is the job that makes one full export.
type ExportArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	ExportID uuid.UUID `json:"export_id"`
}

// Kind names the job.
func (ExportArgs) Kind() string { return "tenant_export" }

// ExportWorker works ExportArgs.
type ExportWorker struct {
	river.WorkerDefaults[ExportArgs]
	Service *Service
}

// Work makes the export.
func (w *ExportWorker) Work(ctx context.Context, j *river.Job[ExportArgs]) error {
	return w.Service.RunExport(ctx, j.Args.TenantID, j.Args.ExportID)
}

// staleExport is how long an export may stay queued, or failed, before
// it is queued again (a lost insert, a job River gave up on); a running one
// is stale once its heartbeat is silent (jobs.StaleAfter).
const staleExport = 15 * time.Minute

// AtContractEnd starts the contract-end export of tenant, once.
func (s *Service) AtContractEnd(ctx context.Context, tenantID uuid.UUID) error {
	_, err := s.StartExport(ctx, access.System(tenantID, "contract_watch"), ReasonContractEnd)
	if err != nil && !errors.Is(err, errs.ErrConflict) {
		return err
	}
	return nil
}

// Tend queues again exports left queued, failed or running by a dead
// worker (the rescue job usually finds a dead one first, within a minute)
// and retires expired ones (their zip goes to the files purge, every
// version). The run is a job of its own, never inline here.
func (s *Service) Tend(ctx context.Context, tenantID uuid.UUID) error {
	sc := access.System(tenantID, "contract_watch")
	var stale []uuid.UUID
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE files SET status = ?, updated_at = now() WHERE status <> ? AND id IN
			(SELECT file_id FROM tenant_exports WHERE expires_at < ? AND file_id IS NOT NULL)`, files.StatusDeleting, files.StatusDeleting, s.now().UTC()).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT id FROM tenant_exports WHERE status IN (?, ?) AND COALESCE(started_at, created_at) < ?
			OR status = ? AND `+exportjob.Claimable+` ORDER BY id LIMIT 5`, exportjob.Queued, exportjob.Failed, s.now().Add(-staleExport), exportjob.Running).Scan(&stale).Error
	})
	if err != nil {
		return fmt.Errorf("handback: tend exports: %w", err)
	}
	for _, id := range stale {
		if err := s.jobs.Enqueue(ctx, ExportArgs{TenantID: tenantID, ExportID: id}); err != nil {
			return err
		}
	}
	s.files.PurgeSoon(ctx, tenantID)
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
	err := access.Transact(ctx, s.db, access.System(a.TenantID, "tenant_export_rescue"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM tenant_exports WHERE id = ? AND status IN (?, ?) AND `+exportjob.Claimable, a.ExportID, exportjob.Queued, exportjob.Running).Scan(&n).Error
	})
	return n > 0, err
}
