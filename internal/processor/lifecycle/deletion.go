// Package lifecycle is the end of a tenant's contract: deleting its data
// from the live database and object storage once the contract and its
// return window have ended, and the signed certificate that proves it.
//
// The tables to empty are found from the schema (every table with a
// tenant_id column), so a table added tomorrow cannot be missed; they are
// emptied children first, in batches, by the owner's delete_tenant_rows
// (the audit log and the erasure ledger are closed to the application's
// own deletes). Objects go with every version and delete marker. A run
// holds a session advisory lock, so one worker works a deletion at a time
// and a worker that dies releases it with its connection; every step is
// idempotent and counted in the transaction that does it, so another
// worker finishes with the same end state and the same counts.
package lifecycle

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/keys"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// DeletionStatus is where a contract-end deletion is; the value is what
// deletions.status holds.
type DeletionStatus string

// Deletion statuses.
const (
	DeletionQueued  DeletionStatus = "queued"  // asked for or due; not started
	DeletionRunning DeletionStatus = "running" // a worker holds it and is deleting
	DeletionDone    DeletionStatus = "done"    // everything is gone and the certificate is stored
	DeletionFailed  DeletionStatus = "failed"  // stopped with an error; the sweep takes it up again
)

// Deletion is one tenant's contract-end deletion with its progress.
type Deletion struct {
	ID              uuid.UUID        `json:"id"`
	TenantID        uuid.UUID        `json:"tenant_id"`
	ContractRef     string           `json:"contract_ref"`
	RequestedBy     *uuid.UUID       `json:"requested_by"`
	Status          DeletionStatus   `json:"status"`
	TablesTotal     int              `json:"tables_total"`
	TablesDone      int              `json:"tables_done"`
	RowsRemoved     map[string]int64 `gorm:"serializer:json" json:"rows_removed"`
	ObjectsRemoved  int64            `json:"objects_removed"`
	VersionsRemoved int64            `json:"versions_removed"`
	BytesRemoved    int64            `json:"bytes_removed"`
	UploadsAborted  int64            `json:"uploads_aborted"`
	JobRowsRemoved  int64            `json:"job_rows_removed"`
	Error           string           `json:"error,omitempty"`
	CreatedAt       time.Time        `json:"created_at"`
	StartedAt       *time.Time       `json:"started_at"`
	HeartbeatAt     *time.Time       `json:"heartbeat_at"`
	FinishedAt      *time.Time       `json:"finished_at"`
}

// TableName is the gorm table.
func (Deletion) TableName() string { return "deletions" }

// Service runs deletions and makes certificates.
type Service struct {
	db    *database.DB
	store *objstore.Store
	// Handback makes the school's full export at contract end (set by
	// the app; nil in tests of deletion alone).
	Handback Handback
	signer   *keys.Signer
	jobs     *jobs.Enqueuer
	now      func() time.Time
	// step, when set (tests), is told each step done: "table:<name>" after
	// a table is empty, "objects" after a page of objects is deleted.
	step func(string)
	// page is how many object versions one listing takes (S3's most: 1000).
	page int32
}

func (s *Service) stepDone(name string) {
	if s.step != nil {
		s.step(name)
	}
}

// NewService returns a Service.
func NewService(db *database.DB, store *objstore.Store, signer *keys.Signer, q *jobs.Enqueuer) *Service {
	return &Service{db: db, store: store, signer: signer, jobs: q, now: time.Now, page: 1000}
}

// Start queues the deletion of tenant, by an operator, once its contract
// and the return window after it have ended.
func (s *Service) Start(ctx context.Context, staff, tenantID uuid.UUID) (Deletion, error) {
	st, err := identity.StaffTx(s.db.Gorm.WithContext(ctx), staff)
	if err != nil {
		return Deletion{}, err
	}
	if st.Role != identity.StaffOperator {
		return Deletion{}, errs.New(errs.ErrForbidden, "only operators delete a tenant's data")
	}
	d := Deletion{ID: uuid.Must(uuid.NewV7()), TenantID: tenantID, RequestedBy: &st.ID, Status: DeletionQueued, RowsRemoved: map[string]int64{}}
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := s.closeGate(ctx, tx, tenantID); err != nil {
			return err
		}
		var c tenant.Contract
		if err := database.Found(tx.Where("tenant_id = ?", tenantID).Limit(1).Find(&c), "tenant %s", tenantID); err != nil {
			return err
		}
		// The return window runs from the end date, or from when the end
		// date was last set if that was later: backdating an end date
		// cannot shorten the school's time to take its data back.
		until := c.ReturnUntil()
		if until == nil {
			return errs.New(errs.ErrConflict, "the contract has no end date")
		}
		if until.After(s.now()) {
			return errs.New(errs.ErrConflict, "the school may take its data back until %s (the contract ends %s, then a %d-day return window)", until.Format(time.DateOnly), c.EndsOn.Format(time.DateOnly), c.ReturnWindowDays)
		}
		var orders int64
		if err := tx.Raw(`SELECT count(*) FROM legal_orders WHERE tenant_id = ? AND (valid_until > now() OR (deferred AND notified_at IS NULL))`, tenantID).
			Scan(&orders).Error; err != nil {
			return err
		}
		if orders > 0 {
			return errs.New(errs.ErrConflict, "a legal order on this tenant is in force or its notice is still deferred: the data cannot be deleted yet")
		}
		if err := noHolds(ctx, s, tenantID); err != nil {
			return err
		}
		d.ContractRef = c.Reference
		tables, err := tenantTables(tx)
		if err != nil {
			return err
		}
		d.TablesTotal = len(tables)
		if err := tx.Create(&d).Error; err != nil {
			return errs.New(errs.ErrConflict, "lifecycle: a deletion of this tenant exists already")
		}
		return nil
	})
	if err != nil {
		return Deletion{}, err
	}
	if err := s.jobs.Enqueue(ctx, DeleteArgs{DeletionID: d.ID}); err != nil {
		slog.WarnContext(ctx, "lifecycle: deletion left to the sweep", "tenant_id", tenantID, "err", err)
	}
	return d, nil
}

// closeGate keeps the tenant's background writers out from here on (they
// see the deletion once it commits) and refuses while a full export is
// queued or being made: its rows and zip could outlive the deletion. The
// deletion starts when the export is done (the watch tries every hour).
func (s *Service) closeGate(ctx context.Context, tx *gorm.DB, tenantID uuid.UUID) error {
	if err := access.CloseGate(tx, tenantID); err != nil {
		return err
	}
	if s.Handback == nil {
		return nil
	}
	busy, err := s.Handback.Busy(ctx, tenantID)
	if err != nil {
		return err
	}
	if busy {
		return errs.New(errs.ErrConflict, "a full export of the school is being made: the deletion can start when it is done")
	}
	return nil
}

// noHolds refuses while the school has a legal hold in force: it told the
// platform to keep those records.
func noHolds(ctx context.Context, s *Service, tenantID uuid.UUID) error {
	var holds int64
	err := access.Transact(ctx, s.db, access.System(tenantID, "deletion-check"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM retention_holds WHERE released_at IS NULL`).Scan(&holds).Error
	})
	if err != nil {
		return err
	}
	if holds > 0 {
		return errs.New(errs.ErrConflict, "the school has a legal hold in force: its data cannot be deleted until the hold is released")
	}
	return nil
}

// Get is a tenant's deletion.
func (s *Service) Get(ctx context.Context, tenantID uuid.UUID) (Deletion, error) {
	var d Deletion
	return d, database.Found(s.db.Gorm.WithContext(ctx).Where("tenant_id = ?", tenantID).Limit(1).Find(&d), "no deletion of tenant %s", tenantID)
}

// DeleteArgs is the job that runs one deletion.
type DeleteArgs struct {
	DeletionID uuid.UUID `json:"deletion_id"`
}

// Kind names the job.
func (DeleteArgs) Kind() string { return "tenant_deletion" }

// DeleteWorker works DeleteArgs.
type DeleteWorker struct {
	river.WorkerDefaults[DeleteArgs]
	Service *Service
}

// Work runs the deletion (or leaves it to the worker that holds it).
func (w *DeleteWorker) Work(ctx context.Context, j *river.Job[DeleteArgs]) error {
	return w.Service.Run(ctx, j.Args.DeletionID)
}

// SweepArgs is the periodic job that runs deletions whose job was lost or
// whose worker died.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "tenant_deletion_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work runs every unfinished deletion nobody holds.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	var ids []uuid.UUID
	if err := w.Service.db.Gorm.WithContext(ctx).Model(&Deletion{}).Where("status <> ?", DeletionDone).Order("created_at").Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.Service.Run(ctx, id); err != nil {
			slog.WarnContext(ctx, "lifecycle: deletion failed in sweep", "deletion_id", id, "err", err)
		}
	}
	return nil
}
