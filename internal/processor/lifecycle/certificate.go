package lifecycle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/keys"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Certificate is what a deletion certificate says. It holds no personal
// data: ids, the contract's reference, times and counts.
type Certificate struct {
	Kind              string           `json:"kind"` // "lms-deletion-certificate"
	Version           int              `json:"version"`
	DeletionID        uuid.UUID        `json:"deletion_id"`
	TenantID          uuid.UUID        `json:"tenant_id"`
	ContractReference string           `json:"contract_reference"`
	RequestedAt       time.Time        `json:"requested_at"`
	StartedAt         time.Time        `json:"started_at"`
	FinishedAt        time.Time        `json:"finished_at"`
	RowsRemoved       map[string]int64 `json:"rows_removed"`
	RowsTotal         int64            `json:"rows_total"`
	ObjectsRemoved    int64            `json:"objects_removed"`
	VersionsRemoved   int64            `json:"object_versions_removed"`
	BytesRemoved      int64            `json:"bytes_removed"`
	ObjectKeysSHA256  string           `json:"object_keys_sha256"`        // of the sorted keys, one per line, relative to t/{tenant_id}/
	UploadsAborted    int64            `json:"multipart_uploads_aborted"` // incomplete uploads under the prefix (since version 2)
	JobRowsRemoved    int64            `json:"job_rows_removed"`          // job queue rows naming the tenant (since version 2)
	Backups           []Backup         `json:"backups_holding_data"`
	BackupNote        string           `json:"backup_note"`
	BackupKeyShredded *time.Time       `json:"backup_key_destroyed_at,omitempty"` // crypto-shredding on the school's instruction
	KeyID             string           `json:"key_id"`
}

// Backup is a backup that still holds the tenant's data, with the date it
// will be purged.
type Backup struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	PurgeOn   time.Time `json:"purge_on"`
}

// Signed is a certificate as handed out and stored: the exact bytes that
// were signed, the signature, and the key that signed them.
type Signed struct {
	Certificate json.RawMessage `json:"certificate"`
	Signature   string          `json:"signature"`
	KeyID       string          `json:"key_id"`
	PublicKey   string          `json:"public_key"`
}

// Verify checks a signed certificate against the platform's public key
// (base64); the key inside the file is only a hint, never trusted.
func Verify(file []byte, publicKey string) (Certificate, error) {
	var sg Signed
	if err := json.Unmarshal(file, &sg); err != nil {
		return Certificate{}, fmt.Errorf("not a signed certificate: %w", err)
	}
	if err := keys.Verify(publicKey, sg.Certificate, sg.Signature); err != nil {
		return Certificate{}, err
	}
	var c Certificate
	if err := json.Unmarshal(sg.Certificate, &c); err != nil || c.Kind != "lms-deletion-certificate" {
		return Certificate{}, errors.New("the signed content is not a deletion certificate")
	}
	return c, nil
}

// finish makes the certificate from what was recorded, stores it, reduces
// the tenant to a tombstone and marks the deletion done, in one
// transaction; the per-object records go once they are summed.
func (s *Service) finish(ctx context.Context, d Deletion) error {
	return s.db.Transact(ctx, func(tx *gorm.DB) error {
		var cur Deletion
		if err := tx.Where("id = ?", d.ID).Limit(1).Find(&cur).Error; err != nil {
			return err
		}
		var sums struct {
			Versions, Objects, Bytes int64
		}
		if err := tx.Raw(`SELECT count(*) AS versions, count(DISTINCT key) AS objects, COALESCE(sum(bytes), 0) AS bytes
			FROM deletion_objects WHERE deletion_id = ?`, d.ID).Scan(&sums).Error; err != nil {
			return err
		}
		var uploads int64
		if err := tx.Raw(`SELECT count(*) FROM deletion_uploads WHERE deletion_id = ?`, d.ID).Scan(&uploads).Error; err != nil {
			return err
		}
		// The job queue's rows name the tenant in their arguments (and
		// errors): completed exports, cancelled backups, and any job of the
		// tenant's still waiting or running, whose work has nothing left to
		// act on (River ignores a finished job whose row is gone).
		jobRows := tx.Exec(`DELETE FROM river_job j WHERE strpos(j::text, ?) > 0`, d.TenantID.String())
		if jobRows.Error != nil {
			return fmt.Errorf("lifecycle: remove job rows: %w", jobRows.Error)
		}
		var keysList []string
		if err := tx.Raw(`SELECT DISTINCT key FROM deletion_objects WHERE deletion_id = ? ORDER BY key`, d.ID).Scan(&keysList).Error; err != nil {
			return err
		}
		h := sha256.New()
		for _, k := range keysList {
			h.Write([]byte(k + "\n"))
		}
		now := s.now().UTC()
		c := Certificate{Kind: "lms-deletion-certificate", Version: 2, DeletionID: d.ID, TenantID: d.TenantID, ContractReference: cur.ContractRef,
			RequestedAt: cur.CreatedAt.UTC(), StartedAt: now, FinishedAt: now, RowsRemoved: cur.RowsRemoved,
			ObjectsRemoved: sums.Objects, VersionsRemoved: sums.Versions, BytesRemoved: sums.Bytes,
			ObjectKeysSHA256: hex.EncodeToString(h.Sum(nil)), UploadsAborted: uploads, JobRowsRemoved: jobRows.RowsAffected, Backups: []Backup{},
			BackupNote: "The platform keeps no per-tenant backup of this tenant. Whole-database disaster-recovery backups are kept at most 7 years and then purged.",
			KeyID:      s.signer.KeyID()}
		if cur.StartedAt != nil {
			c.StartedAt = cur.StartedAt.UTC()
		}
		if c.RowsRemoved == nil {
			c.RowsRemoved = map[string]int64{}
		}
		for _, n := range c.RowsRemoved {
			c.RowsTotal += n
		}
		var held []struct {
			ID                   uuid.UUID
			CreatedAt, ExpiresAt time.Time
		}
		if err := tx.Raw(`SELECT id, created_at, expires_at FROM backups WHERE tenant_id = ? AND status <> 'purged' ORDER BY created_at`, d.TenantID).
			Scan(&held).Error; err != nil {
			return err
		}
		for _, b := range held {
			c.Backups = append(c.Backups, Backup{ID: b.ID.String(), CreatedAt: b.CreatedAt.UTC(), PurgeOn: b.ExpiresAt.UTC()})
		}
		var shredded []time.Time
		if err := tx.Raw(`SELECT destroyed_at FROM backup_keys WHERE tenant_id = ? AND destroyed_at IS NOT NULL`, d.TenantID).Scan(&shredded).Error; err != nil {
			return err
		}
		if len(shredded) > 0 {
			at := shredded[0].UTC()
			c.BackupKeyShredded = &at
		}
		if len(held) > 0 && c.BackupKeyShredded != nil {
			c.BackupNote = "The backups listed remain until their purge dates, but the tenant's backup key was destroyed on the school's instruction: none of them can be read. Whole-database disaster-recovery backups are kept at most 7 years and then purged."
		} else if len(held) > 0 {
			c.BackupNote = "The backups listed still hold the tenant's data, encrypted to the tenant's own key, each until its purge date (at most 7 years after it was made). Whole-database disaster-recovery backups are kept at most 7 years and then purged."
		}
		body, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO deletion_certificates (deletion_id, tenant_id, body, signature, key_id) VALUES (?, ?, ?, ?, ?)`,
			d.ID, d.TenantID, string(body), s.signer.Sign(body), c.KeyID).Error; err != nil {
			return fmt.Errorf("lifecycle: store certificate: %w", err)
		}
		if err := tx.Exec(`UPDATE tenants SET name = 'Deleted tenant', slug = 'deleted-' || left(replace(id::text, '-', ''), 12), updated_at = now() WHERE id = ?`,
			d.TenantID).Error; err != nil {
			return fmt.Errorf("lifecycle: tombstone: %w", err)
		}
		if err := tx.Exec(`UPDATE contracts SET status = ?, updated_at = now() WHERE tenant_id = ?`, tenant.ContractDeleted, d.TenantID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM deletion_objects WHERE deletion_id = ?`, d.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM deletion_uploads WHERE deletion_id = ?`, d.ID).Error; err != nil {
			return err
		}
		return tx.Model(&Deletion{}).Where("id = ?", d.ID).Updates(map[string]any{"status": DeletionDone, "finished_at": now, "heartbeat_at": now,
			"objects_removed": sums.Objects, "versions_removed": sums.Versions, "bytes_removed": sums.Bytes,
			"uploads_aborted": uploads, "job_rows_removed": jobRows.RowsAffected}).Error
	})
}

// CertificateOf is a tenant's signed certificate.
func (s *Service) CertificateOf(ctx context.Context, tenantID uuid.UUID) (Signed, error) {
	return s.certificate(ctx, "tenant_id", tenantID)
}

// CertificateOfDeletion is the signed certificate of deletion id. It holds
// no personal data, and the school keeps it after its accounts are gone,
// so it is served to anyone who has the deletion's id.
func (s *Service) CertificateOfDeletion(ctx context.Context, id uuid.UUID) (Signed, error) {
	return s.certificate(ctx, "deletion_id", id)
}

func (s *Service) certificate(ctx context.Context, by string, id uuid.UUID) (Signed, error) {
	var row struct{ Body, Signature, KeyID string }
	// by is one of two column names above, never input.
	if err := database.Found(s.db.Gorm.WithContext(ctx).Raw(`SELECT body, signature, key_id FROM deletion_certificates WHERE `+by+` = ?`, id).Scan(&row), "no deletion certificate %s", id); err != nil {
		return Signed{}, err
	}
	// The key that signed it, which after a rotation is a retired one.
	pub, _ := s.signer.PublicFor(row.KeyID)
	return Signed{Certificate: json.RawMessage(row.Body), Signature: row.Signature, KeyID: row.KeyID, PublicKey: pub}, nil
}
