package roster

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// errNotHeld answers a confirm or discard of an import that is not (or no
// longer) waiting: another admin came first.
var errNotHeld = errs.New(errs.ErrConflict, "This import is no longer waiting: it was confirmed or discarded already.")

// packSource packs an upload's files into one zip, as an import keeps
// them (queued, running or held): a job or a confirmation re-reads exactly
// them. Deflated: CSV shrinks to about a fifth.
func packSource(src source) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range src.names() {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			return nil, fmt.Errorf("roster: keep files: %w", err)
		}
		rc, err := src.open(n)
		if err != nil {
			return nil, fmt.Errorf("roster: keep files: %w", err)
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("roster: keep files: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("roster: keep files: %w", err)
	}
	return buf.Bytes(), nil
}

// heldImport loads a held import with its files.
func (s *Service) heldImport(ctx context.Context, sc access.Scope, id uuid.UUID) (rec Import, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return database.Found(mineOnly(tx.Where("id = ?", id), sc).Limit(1).Find(&rec), "roster import %s", id)
	})
	if err == nil && rec.Status != Held {
		err = errNotHeld
	}
	return rec, err
}

// newerApplied reports whether an import was applied after the held one
// was uploaded (ids are time-ordered): its files may then be out of date,
// and applying them could undo the newer import.
func (s *Service) newerApplied(ctx context.Context, sc access.Scope, held uuid.UUID) (newer bool, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT EXISTS (SELECT 1 FROM roster_imports WHERE status = ? AND id > ?)`, Applied, held).Scan(&newer).Error
	})
	return newer, err
}

// ConfirmLater queues a held import to be applied by its job, with the
// safety limit lifted: the same files, read again against the tenant's
// data as it is then. The record goes back to queued and ends applied or,
// if the files no longer apply cleanly, rejected (with the rows' problems;
// its files are then dropped). A held import that is no longer held, or
// one uploaded before an import that has since been applied, is
// ErrConflict.
func (s *Service) ConfirmLater(ctx context.Context, sc access.Scope, id uuid.UUID) (Import, error) {
	held, err := s.heldImport(ctx, sc, id)
	if err != nil {
		return Import{}, err
	}
	if newer, err := s.newerApplied(ctx, sc, id); err != nil {
		return Import{}, fmt.Errorf("roster: confirm %s: %w", id, err)
	} else if newer {
		return Import{}, errs.New(errs.ErrConflict, "A newer import has been applied since this file was held, so it may be out of date: discard it and import a current file.")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Model(&Import{}).Where("id = ? AND status = ?", id, Held).
			Updates(map[string]any{"status": Queued, "confirmed": true, "step": stepQueued, "rows_done": 0, "updated_at": gorm.Expr("now()")})
		if res.Error != nil {
			return fmt.Errorf("roster: confirm %s: %w", id, res.Error)
		}
		if res.RowsAffected != 1 {
			return errNotHeld // another admin came first
		}
		return nil
	})
	if err != nil {
		return Import{}, err
	}
	held.HeldFiles, held.Status, held.Confirmed, held.Step, held.RowsDone = nil, Queued, true, stepQueued, 0
	return held, s.enqueue(ctx, held)
}

// Confirm confirms a held import (ConfirmLater) and applies it at once,
// as its job would, returning the record: applied, or rejected inside a
// *RejectedError.
func (s *Service) Confirm(ctx context.Context, sc access.Scope, id uuid.UUID) (Import, error) {
	if _, err := s.ConfirmLater(ctx, sc, id); err != nil {
		return Import{}, err
	}
	if err := s.Work(ctx, sc.Tenant(), id); err != nil {
		return Import{}, err
	}
	rec, err := s.Get(ctx, sc, id)
	if err == nil && rec.Status == Rejected {
		return rec, &RejectedError{Import: rec}
	}
	return rec, err
}

// Discard drops a held import: nothing of it is applied and its files are
// cleared; the record stays in the log as discarded.
func (s *Service) Discard(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := mineOnly(tx.Model(&Import{}).Where("id = ? AND status = ?", id, Held), sc).
			Updates(map[string]any{"status": Discarded, "held_files": nil})
		if res.Error != nil {
			return fmt.Errorf("roster: discard %s: %w", id, res.Error)
		}
		if res.RowsAffected == 1 {
			return nil
		}
		// Another tenant's (or another admin's, for a school's own
		// admin) import is not found, not a conflict.
		var rec Import
		if err := database.Found(mineOnly(tx.Select("id").Where("id = ?", id), sc).Limit(1).Find(&rec), "roster import %s", id); err != nil {
			return err
		}
		return errNotHeld
	})
}
