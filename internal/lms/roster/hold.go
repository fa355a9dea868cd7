package roster

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"sort"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// errNotHeld answers a confirm or discard of an import that is not (or no
// longer) waiting: another admin came first.
var errNotHeld = errs.New(errs.ErrConflict, "This import is no longer waiting: it was confirmed or discarded already.")

// zipFiles packs a held upload's files so confirming re-reads exactly
// them. Stored (not compressed): CSV compresses well, but the row is
// short-lived and the upload already capped.
func zipFiles(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		if Known(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			return nil, fmt.Errorf("roster: keep held files: %w", err)
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, fmt.Errorf("roster: keep held files: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("roster: keep held files: %w", err)
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

// Confirm applies a held import: the same files, read again against the
// tenant's data as it is now, with the safety limit lifted. The held
// record becomes the applied one (its counts are the new run's) and its
// files are cleared. If the files no longer apply cleanly the new run is
// rejected (a new record, returned in a *RejectedError) and the held one
// stays held. A held import that is no longer held, or one uploaded
// before an import that has since been applied, is ErrConflict.
func (s *Service) Confirm(ctx context.Context, sc access.Scope, id uuid.UUID) (Import, error) {
	held, err := s.heldImport(ctx, sc, id)
	if err != nil {
		return Import{}, err
	}
	if newer, err := s.newerApplied(ctx, sc, id); err != nil {
		return Import{}, fmt.Errorf("roster: confirm %s: %w", id, err)
	} else if newer {
		return Import{}, errs.New(errs.ErrConflict, "A newer import has been applied since this file was held, so it may be out of date: discard it and import a current file.")
	}
	files, err := Unzip("held_files", held.HeldFiles)
	if err != nil {
		return Import{}, fmt.Errorf("roster: read held files of %s: %w", id, err)
	}
	return s.run(ctx, sc, files, false, &held)
}

// confirmed turns the held record into the applied one, inside the
// import's transaction; another admin's confirm or discard that came
// first makes this one a conflict (and rolls the import back).
func confirmed(tx *gorm.DB, held *Import, rec *Import) error {
	rec.ID, rec.CreatedAt, rec.StartedBy = held.ID, held.CreatedAt, held.StartedBy
	rec.Held = held.Held
	// A struct (not a map) so the JSON columns go through their serializer.
	res := tx.Model(&Import{}).Where("id = ? AND status = ?", held.ID, Held).
		Select("status", "held_files", "counts", "errors", "warnings", "error_count", "warning_count", "modes").Updates(rec)
	if res.Error != nil {
		return fmt.Errorf("roster: confirm %s: %w", held.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return errNotHeld
	}
	return nil
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
