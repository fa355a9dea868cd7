package roster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Import reads an upload (file name → contents; see Known) and, when every
// row is good and dryRun is false, applies it in one transaction. It always
// logs the upload. A rejected upload returns its record inside a
// *RejectedError (errors.Is(err, errs.ErrInvalid) holds); nothing of it is
// applied. A dry run that finds no problem returns a record with status
// dry_run and the counts the import would have. A bulk upload that would
// end more than EndLimit percent of a school's people is not applied: it
// returns a record with status held (and Held saying where), kept until
// an admin calls Confirm or Discard.
//
// The caller must be allowed to write the roster; a scope limited to some
// schools may only touch those schools' classes and people. A system scope
// (access.System) imports with no person named, as a scheduled sync does.
func (s *Service) Import(ctx context.Context, sc access.Scope, files map[string][]byte, dryRun bool) (Import, error) {
	return s.run(ctx, sc, files, dryRun, nil)
}

// run imports files; confirming is the held import an admin confirmed,
// which then becomes the applied one (and the limit is lifted).
func (s *Service) run(ctx context.Context, sc access.Scope, files map[string][]byte, dryRun bool, confirming *Import) (Import, error) {
	p := parse(files)
	rec := Import{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), DryRun: dryRun, Files: p.files, CreatedAt: time.Now().UTC()}
	if a := sc.Actor(); a.Kind == access.ActorMember {
		rec.StartedBy = &a.ID
	}
	var held []SchoolEnd
	if !p.fileLevel {
		err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
			// One import at a time per tenant: two uploads of the same file
			// must not both create the same people.
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('lms-roster:' || ?, 0))`, sc.Tenant().String()).Error; err != nil {
				return fmt.Errorf("roster: lock: %w", err)
			}
			a := &applier{tx: tx, sc: sc, p: p, force: confirming != nil}
			if err := a.run(); err != nil {
				return err
			}
			held = a.held
			if p.nErrors > 0 || dryRun || len(held) > 0 {
				return errStop
			}
			rec.Status = Applied
			p.fill(&rec)
			if confirming != nil {
				return confirmed(tx, confirming, &rec)
			}
			return tx.Create(&rec).Error
		})
		if err == nil {
			return rec, nil
		}
		if !errors.Is(err, errStop) {
			return Import{}, err
		}
	}
	rec.Status = DryRun
	switch {
	case p.nErrors > 0:
		rec.Status = Rejected
	case !dryRun && len(held) > 0:
		rec.Status = Held
		z, err := zipFiles(files)
		if err != nil {
			return Import{}, err
		}
		rec.HeldFiles = z
	}
	p.fill(&rec)
	if held != nil {
		rec.Held = held
	}
	if err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Create(&rec).Error }); err != nil {
		return Import{}, fmt.Errorf("roster: log import: %w", err)
	}
	rec.HeldFiles = nil
	if rec.Status == Rejected {
		return rec, &RejectedError{Import: rec, FileLevel: p.fileLevel}
	}
	return rec, nil
}

func (p *plan) fill(rec *Import) {
	rec.Counts = p.counts
	rec.Errors, rec.Warnings = p.errors, p.warnings
	if rec.Errors == nil {
		rec.Errors = []Issue{}
	}
	if rec.Warnings == nil {
		rec.Warnings = []Issue{}
	}
	rec.ErrorCount, rec.WarningCount = p.nErrors, p.nWarnings
	rec.Modes = p.modeList()
	rec.Held = []SchoolEnd{}
}

// mineOnly narrows the log for a school-limited admin to their own
// uploads: another school's log would tell them about its rows.
func mineOnly(q *gorm.DB, sc access.Scope) *gorm.DB {
	if _, limited := sc.Schools(); limited {
		return q.Where("started_by = ?", sc.Actor().ID)
	}
	return q
}

// List pages through the import log, newest first (ids are UUIDv7, in time
// order; after is the last id of the previous page), without each
// import's errors and warnings; status filters (applied, rejected, dry_run).
func (s *Service) List(ctx context.Context, sc access.Scope, status string, after uuid.UUID, limit int) ([]Import, error) {
	switch status {
	case "", Applied, Rejected, DryRun, Held, Discarded:
	default:
		return nil, errs.Field("status", "must be one of: applied rejected dry_run held discarded")
	}
	out := []Import{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := mineOnly(tx.Omit("errors", "warnings", "held_files"), sc)
		if after != uuid.Nil {
			q = q.Where("id < ?", after)
		}
		if status != "" {
			q = q.Where("status = ?", status)
		}
		return q.Order("id DESC").Limit(limit).Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("roster: list imports: %w", err)
	}
	return out, nil
}

// Get returns one import with its errors and warnings.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (rec Import, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return database.Found(mineOnly(tx.Omit("held_files").Where("id = ?", id), sc).Limit(1).Find(&rec), "roster import %s", id)
	})
	return rec, err
}
