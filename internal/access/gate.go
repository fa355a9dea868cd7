package access

import (
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ErrTenantDeleting refuses a write for a tenant whose contract-end
// deletion has begun: nothing written after it could be certified gone.
var ErrTenantDeleting = errors.New("access: the tenant's data is being deleted")

// The gate's advisory locks use the two-key form with class 1917, apart
// from every other lock (the two-key space does not overlap the one-key
// space the other locks use).
// WriteGate lets a background writer (usage counts, the school's full
// export) write for tenant in this transaction only while no deletion of
// the tenant has begun, and holds a deletion off until it commits: the
// deletion takes the same lock exclusively (CloseGate) before it starts,
// so whatever a writer committed first is swept by the deletion, and a
// writer that comes after is refused.
func WriteGate(tx *gorm.DB, tenant uuid.UUID) error {
	if err := tx.Exec(`SELECT pg_advisory_xact_lock_shared(1917, hashtext(?))`, tenant.String()).Error; err != nil {
		return err
	}
	var deleting bool
	if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM deletions WHERE tenant_id = ?)`, tenant).Row().Scan(&deleting); err != nil {
		return err
	}
	if deleting {
		return ErrTenantDeleting
	}
	return nil
}

// CloseGate waits for the writers inside WriteGate to commit and keeps new
// ones out until this transaction ends; the deletion calls it before it
// records that it has begun.
func CloseGate(tx *gorm.DB, tenant uuid.UUID) error {
	return tx.Exec(`SELECT pg_advisory_xact_lock(1917, hashtext(?))`, tenant.String()).Error
}
