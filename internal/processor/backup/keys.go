package backup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Each tenant's backups are encrypted (age, X25519) to the tenant's own
// key; the tenant's identity is stored only wrapped (encrypted to the
// platform's backup key). Destroying the wrapped identity makes every
// backup of the tenant unreadable at once: crypto-shredding.

// recipient returns the tenant's backup recipient, making the tenant's
// key on first use, inside the caller's transaction.
func (s *Service) recipient(tx *gorm.DB, tenant uuid.UUID) (age.Recipient, error) {
	var row struct {
		Recipient   string
		DestroyedAt *time.Time
	}
	res := tx.Raw(`SELECT recipient, destroyed_at FROM backup_keys WHERE tenant_id = ? FOR UPDATE`, tenant).Scan(&row)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected > 0 {
		if row.DestroyedAt != nil {
			return nil, fmt.Errorf("the tenant's backup key was destroyed: no new backup can be made: %w", errs.ErrConflict)
		}
		return age.ParseX25519Recipient(row.Recipient)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	var wrapped bytes.Buffer
	w, err := age.Encrypt(&wrapped, s.platform.Recipient())
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, id.String()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := tx.Exec(`INSERT INTO backup_keys (tenant_id, recipient, wrapped_identity) VALUES (?, ?, ?)`,
		tenant, id.Recipient().String(), wrapped.Bytes()).Error; err != nil {
		return nil, fmt.Errorf("backup: store key: %w", err)
	}
	return id.Recipient(), nil
}

// identity unwraps the tenant's backup key, to read a backup.
func (s *Service) identity(ctx context.Context, tenant uuid.UUID) (age.Identity, error) {
	var row struct {
		Wrapped     []byte
		DestroyedAt *time.Time
	}
	res := s.db.Gorm.WithContext(ctx).Raw(`SELECT wrapped_identity AS wrapped, destroyed_at FROM backup_keys WHERE tenant_id = ?`, tenant).Scan(&row)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 || row.DestroyedAt != nil {
		return nil, fmt.Errorf("the tenant's backup key does not exist or was destroyed: its backups cannot be read: %w", errs.ErrConflict)
	}
	r, err := age.Decrypt(bytes.NewReader(row.Wrapped), s.platform)
	if err != nil {
		return nil, fmt.Errorf("backup: unwrap key: %w", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return age.ParseX25519Identity(strings.TrimSpace(string(b)))
}

// DestroyKey crypto-shreds the tenant's backups: its key is destroyed and
// no backup of it can be read again. by says on whose instruction.
func (s *Service) DestroyKey(ctx context.Context, tenant uuid.UUID, by string) error {
	if strings.TrimSpace(by) == "" {
		return errs.Field("instruction", "record whose instruction this is (the school's, with its reference)")
	}
	res := s.db.Gorm.WithContext(ctx).Exec(`UPDATE backup_keys SET wrapped_identity = NULL, destroyed_at = now(), destroyed_by = ?
		WHERE tenant_id = ? AND destroyed_at IS NULL`, by, tenant)
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("no backup key of tenant %s to destroy: %w", tenant, errs.ErrNotFound)
	}
	return res.Error
}
