package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// The promise that a school's data is deleted at contract end is kept by
// the contract watch, not by an operator's memory: once the return window
// has closed it starts the deletion itself. What keeps it from starting (a
// legal hold of the school's, a legal order) is recorded in deletion_blocks
// with the day it would have run, shown on the operator's tenant page, and
// told to the school's admins as far as they may know it.

// Block kinds.
const (
	BlockHold  = "legal-hold"
	BlockOrder = "legal-order"
)

// Block is one thing that keeps a tenant's contract-end deletion from
// starting. It names no person and quotes no reason: a hold says only
// whether it is on a person or a course.
type Block struct {
	Kind  string     `json:"kind"`            // legal-hold or legal-order
	Since time.Time  `json:"since"`           // the hold was placed, the order recorded
	Until *time.Time `json:"until,omitempty"` // an order's end; a hold lasts until the school releases it
	On    string     `json:"on,omitempty"`    // a hold's: person or course
	// Reference and Deferred are an order's (the operators' own record):
	// a deferred order is not yet known to the school.
	Reference string `json:"reference,omitempty"`
	Deferred  bool   `json:"deferred,omitempty"`
}

// Outlook is when a tenant's data is deleted and what keeps it from that.
type Outlook struct {
	// DueOn is the day the return window closes and the deletion starts
	// (nil while the contract has no end date); Due is whether it has come.
	DueOn   *time.Time `json:"due_on"`
	Due     bool       `json:"due"`
	Started bool       `json:"started"`
	Blocks  []Block    `json:"blocks"`
	// BlockedSince is when the watch first found it blocked by these kinds.
	BlockedSince *time.Time `json:"blocked_since,omitempty"`
	// Exporting: a full export of the school is being made; the deletion
	// waits for it (not a block: it ends by itself).
	Exporting bool `json:"exporting,omitempty"`
}

// OutlookOf is tenant's deletion outlook, for operators.
func (s *Service) OutlookOf(ctx context.Context, tenantID uuid.UUID) (Outlook, error) {
	var c tenant.Contract
	if err := database.Found(s.db.Gorm.WithContext(ctx).Where("tenant_id = ?", tenantID).Limit(1).Find(&c), "tenant %s", tenantID); err != nil {
		return Outlook{}, err
	}
	o, err := s.outlook(ctx, c, true)
	if err != nil {
		return o, err
	}
	var since []time.Time
	err = s.db.Gorm.WithContext(ctx).Raw(`SELECT since FROM deletion_blocks WHERE tenant_id = ?`, tenantID).Scan(&since).Error
	if len(since) == 1 && len(o.Blocks) > 0 {
		o.BlockedSince = &since[0]
	}
	return o, err
}

// outlook is c's outlook; its blocks are looked up when always is set
// (the operator's page shows holds ahead) or the deletion is due.
func (s *Service) outlook(ctx context.Context, c tenant.Contract, always bool) (Outlook, error) {
	o := Outlook{DueOn: c.ReturnUntil(), Blocks: []Block{}}
	if o.DueOn == nil {
		return o, nil
	}
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM deletions WHERE tenant_id = ?)`, c.TenantID).
		Scan(&o.Started).Error; err != nil || o.Started {
		return o, err
	}
	o.Due = !o.DueOn.After(s.now())
	if !o.Due && !always {
		return o, nil
	}
	var err error
	if o.Blocks, err = s.blocks(ctx, c.TenantID); err != nil || !o.Due || s.Handback == nil {
		return o, err
	}
	o.Exporting, err = s.Handback.Busy(ctx, c.TenantID)
	return o, err
}

// ordersInForce is the legal_orders condition that keeps a deletion.
const ordersInForce = `tenant_id = ? AND (valid_until > now() OR (deferred AND notified_at IS NULL))`

// blocks are the legal orders in force (or whose notice is deferred) and
// the school's legal holds: the same guards Start applies.
func (s *Service) blocks(ctx context.Context, tenantID uuid.UUID) ([]Block, error) {
	var orders []struct {
		Reference  string
		CreatedAt  time.Time
		ValidUntil time.Time
		Deferred   bool
	}
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT reference, created_at, valid_until, deferred AND notified_at IS NULL AS deferred
		FROM legal_orders WHERE `+ordersInForce+` ORDER BY created_at`, tenantID).Scan(&orders).Error; err != nil {
		return nil, err
	}
	out := []Block{}
	for _, o := range orders {
		until := o.ValidUntil
		out = append(out, Block{Kind: BlockOrder, Since: o.CreatedAt, Until: &until, Reference: o.Reference, Deferred: o.Deferred})
	}
	var holds []struct {
		CreatedAt time.Time
		OnPerson  bool
	}
	err := access.Transact(ctx, s.db, access.System(tenantID, "deletion-check"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT created_at, person_id IS NOT NULL AS on_person FROM retention_holds
			WHERE released_at IS NULL ORDER BY created_at`).Scan(&holds).Error
	})
	if err != nil {
		return nil, err
	}
	for _, h := range holds {
		on := "course"
		if h.OnPerson {
			on = "person"
		}
		out = append(out, Block{Kind: BlockHold, Since: h.CreatedAt, On: on})
	}
	return out, nil
}

// deleteWhenDue starts the deletion of a contract whose return window has
// closed, or records and tells what keeps it from starting.
func (s *Service) deleteWhenDue(ctx context.Context, c tenant.Contract) error {
	o, err := s.outlook(ctx, c, false)
	if err != nil || !o.Due || o.Started {
		return err
	}
	if len(o.Blocks) > 0 {
		return s.blocked(ctx, c, o)
	}
	d := Deletion{ID: uuid.Must(uuid.NewV7()), TenantID: c.TenantID, ContractRef: c.Reference, Status: DeletionQueued, RowsRemoved: map[string]int64{}}
	started := false
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := s.closeGate(ctx, tx, c.TenantID); errors.Is(err, errs.ErrConflict) {
			slog.InfoContext(ctx, "lifecycle: deletion waits for a full export", "tenant_id", c.TenantID)
			return nil // started is false: the next watch tries again
		} else if err != nil {
			return err
		}
		tables, err := tenantTables(tx)
		if err != nil {
			return err
		}
		d.TablesTotal = len(tables)
		// An order recorded since the look above keeps it after all (a
		// school cannot place a hold after its contract ended).
		var orders int64
		if err := tx.Raw(`SELECT count(*) FROM legal_orders WHERE `+ordersInForce, c.TenantID).Scan(&orders).Error; err != nil || orders > 0 {
			return err
		}
		// An operator may have started it a moment ago: one deletion per tenant.
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&d)
		if res.Error != nil {
			return fmt.Errorf("lifecycle: start deletion: %w", res.Error)
		}
		started = res.RowsAffected == 1
		return tx.Exec(`DELETE FROM deletion_blocks WHERE tenant_id = ?`, c.TenantID).Error
	})
	if err != nil || !started {
		return err
	}
	slog.InfoContext(ctx, "lifecycle: return window closed, deletion started", "tenant_id", c.TenantID, "deletion_id", d.ID)
	if err := s.jobs.Enqueue(ctx, DeleteArgs{DeletionID: d.ID}); err != nil {
		slog.WarnContext(ctx, "lifecycle: deletion left to the sweep", "tenant_id", c.TenantID, "err", err)
	}
	return nil
}

// WithoutOrders is o as staff who may not read legal orders see it: an
// order's existence is the operators' to know (its notice may be deferred).
func (o Outlook) WithoutOrders() Outlook {
	kept := []Block{}
	for _, b := range o.Blocks {
		if b.Kind != BlockOrder {
			kept = append(kept, b)
		}
	}
	o.Blocks = kept
	return o
}
