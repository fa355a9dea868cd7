package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/database"
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
			return nil, errs.New(errs.ErrConflict, "the tenant's backup key was destroyed: no new backup can be made")
		}
		return age.ParseX25519Recipient(row.Recipient)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	wrapped, err := s.wrap(id)
	if err != nil {
		return nil, err
	}
	if err := tx.Exec(`INSERT INTO backup_keys (tenant_id, recipient, wrapped_identity) VALUES (?, ?, ?)`,
		tenant, id.Recipient().String(), wrapped).Error; err != nil {
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
		return nil, errs.New(errs.ErrConflict, "the tenant's backup key does not exist or was destroyed: its backups cannot be read")
	}
	return s.unwrap(row.Wrapped)
}

// unwrap decrypts a wrapped tenant identity with any of the platform keys.
func (s *Service) unwrap(wrapped []byte) (*age.X25519Identity, error) {
	ids := make([]age.Identity, len(s.platform))
	for i, id := range s.platform {
		ids[i] = id
	}
	r, err := age.Decrypt(bytes.NewReader(wrapped), ids...)
	if err != nil {
		return nil, fmt.Errorf("backup: unwrap key (none of the platform backup keys opens it): %w", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return age.ParseX25519Identity(strings.TrimSpace(string(b)))
}

// wrap encrypts a tenant identity to the first platform key.
func (s *Service) wrap(id *age.X25519Identity) ([]byte, error) {
	var wrapped bytes.Buffer
	w, err := age.Encrypt(&wrapped, s.platform[0].Recipient())
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, id.String()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return wrapped.Bytes(), nil
}

var errDestroyed = errors.New("backup: key destroyed")

// Rewrap wraps every tenant's backup key again with the first platform
// key, one tenant per transaction, after a rotation put a new key first:
// once it has run, the old key can be removed from the list and destroyed.
// The tenants' own keys, and so every backup, stay as they are.
func (s *Service) Rewrap(ctx context.Context) (int, error) {
	var tenants []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT tenant_id FROM backup_keys WHERE destroyed_at IS NULL ORDER BY tenant_id`).Scan(&tenants).Error; err != nil {
		return 0, fmt.Errorf("backup: rewrap: %w", err)
	}
	n := 0
	for _, t := range tenants {
		err := s.db.Transact(ctx, func(tx *gorm.DB) error {
			var row struct{ Wrapped []byte }
			res := tx.Raw(`SELECT wrapped_identity AS wrapped FROM backup_keys WHERE tenant_id = ? AND destroyed_at IS NULL FOR UPDATE`, t).Scan(&row)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return errDestroyed
			}
			id, err := s.unwrap(row.Wrapped)
			if err != nil {
				return err
			}
			again, err := s.wrap(id)
			if err != nil {
				return err
			}
			return tx.Exec(`UPDATE backup_keys SET wrapped_identity = ? WHERE tenant_id = ?`, again, t).Error
		})
		if errors.Is(err, errDestroyed) {
			continue // destroyed meanwhile
		}
		if err != nil {
			return n, fmt.Errorf("backup: rewrap tenant %s: %w", t, err)
		}
		n++
	}
	return n, nil
}

// DestroyKey crypto-shreds the tenant's backups: its key is destroyed and
// no backup of it can be read again. by says on whose instruction.
func (s *Service) DestroyKey(ctx context.Context, tenant uuid.UUID, by string) error {
	if strings.TrimSpace(by) == "" {
		return errs.Field("instruction", "record whose instruction this is (the school's, with its reference)")
	}
	return database.Found(s.db.Gorm.WithContext(ctx).Exec(`UPDATE backup_keys SET wrapped_identity = NULL, destroyed_at = now(), destroyed_by = ?
		WHERE tenant_id = ? AND destroyed_at IS NULL`, by, tenant), "no backup key of tenant %s to destroy", tenant)
}
