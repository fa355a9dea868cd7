package datause

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/privacy"
)

// ExtractStatus is where a pseudonymised copy is; the value is what
// data_extracts.status holds.
type ExtractStatus string

// Extract statuses.
const (
	ExtractQueued  ExtractStatus = "queued"  // asked for; a worker takes it
	ExtractRunning ExtractStatus = "running" // being copied (taken over after staleAfter)
	ExtractDone    ExtractStatus = "done"    // copied and handed over
	ExtractFailed  ExtractStatus = "failed"  // stopped; whatever it wrote was removed
	ExtractRemoved ExtractStatus = "removed" // its agreement ended: every object version gone
)

// Extract is one pseudonymised copy, with its progress.
type Extract struct {
	TenantID        uuid.UUID     `gorm:"primaryKey" json:"tenant_id"`
	ID              uuid.UUID     `gorm:"primaryKey" json:"id"`
	AgreementID     uuid.UUID     `json:"agreement_id"`
	RequestedBy     uuid.UUID     `json:"-"`
	RequestedByName string        `json:"requested_by_name"`
	Status          ExtractStatus `json:"status"`
	TablesDone      int           `json:"tables_done"`
	TablesTotal     int           `json:"tables_total"`
	Rows            int64         `json:"rows"`
	ObjectPrefix    string        `json:"object_prefix"`
	Error           string        `json:"error,omitempty"`
	CreatedAt       time.Time     `json:"created_at"`
	StartedAt       *time.Time    `json:"started_at"`
	FinishedAt      *time.Time    `json:"finished_at"`
	// RemovedAt is when the copy went with every object version: its
	// agreement was withdrawn or ended.
	RemovedAt *time.Time `json:"removed_at,omitempty"`
}

// TableName is the gorm table.
func (Extract) TableName() string { return "data_extracts" }

// RequestExtract queues a pseudonymised copy of tenant, refused unless an
// agreement is in force. The request is in the tenant's audit log.
func (s *Service) RequestExtract(ctx context.Context, staff, tenantID uuid.UUID) (Extract, error) {
	st, err := identity.StaffTx(s.db.Gorm.WithContext(ctx), staff)
	if err != nil {
		return Extract{}, err
	}
	if st.Role != identity.StaffOperator {
		return Extract{}, errs.New(errs.ErrForbidden, "only operators make copies")
	}
	var e Extract
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := access.Enter(tx, access.Contract(tenantID, st.ID, "data-use")); err != nil {
			return err
		}
		a, err := s.agreementInForce(tx)
		if err != nil {
			return err
		}
		e = Extract{TenantID: tenantID, ID: uuid.Must(uuid.NewV7()), AgreementID: a.ID, RequestedBy: st.ID, RequestedByName: st.DisplayName,
			Status: ExtractQueued, TablesTotal: len(tenantTables()), CreatedAt: s.now().UTC()}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("datause: queue extract: %w", err)
		}
		_, err = audit.Append(tx, tenantID, audit.Event{ActorKind: "staff", ActorID: &st.ID, ActorName: st.DisplayName, Basis: string(access.BasisContract),
			Action: "data-use.extract-requested", Target: "pseudonymised copy " + e.ID.String(), Detail: map[string]string{"agreement": a.ID.String(), "purpose": a.Purpose}})
		return err
	})
	return e, err
}

// stillInForce checks, in the tenant's scope, that the copy's own
// agreement is in force (another agreement in force does not cover it).
func (s *Service) stillInForce(ctx context.Context, sc access.Scope, agreement uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return s.ownInForce(tx, agreement) })
}

func (s *Service) ownInForce(tx *gorm.DB, agreement uuid.UUID) error {
	var as []Agreement
	if err := tx.Where("id = ?", agreement).Limit(1).Find(&as).Error; err != nil {
		return err
	}
	if len(as) == 0 || !as[0].inForce(s.now()) {
		return errs.New(errs.ErrForbidden, "the agreement this copy was asked under is no longer in force")
	}
	return nil
}

func (s *Service) agreementInForce(tx *gorm.DB) (Agreement, error) {
	var as []Agreement
	if err := tx.Where("withdrawn_at IS NULL").Order("signed_at DESC").Find(&as).Error; err != nil {
		return Agreement{}, err
	}
	for _, a := range as {
		if a.inForce(s.now()) {
			return a, nil
		}
	}
	return Agreement{}, errs.New(errs.ErrForbidden, "this school has no data use agreement in force")
}

// Extracts lists a tenant's copies, newest first (operators).
func (s *Service) Extracts(ctx context.Context, tenantID uuid.UUID) ([]Extract, error) {
	out := []Extract{}
	err := s.db.Gorm.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("id DESC").Limit(50).Find(&out).Error
	return out, err
}

// staleAfter is how long a copy may stay "running" before another worker
// takes it over (its worker died); copying again overwrites the same
// objects, so the end state is the same.
const staleAfter = 30 * time.Minute

// RunQueued makes every queued copy, and takes over any left running by a
// worker that died; a copy another worker holds is skipped (row lock), so
// many workers can run this.
func (s *Service) RunQueued(ctx context.Context) error {
	for {
		var e Extract
		err := s.db.Transact(ctx, func(tx *gorm.DB) error {
			if err := tx.Raw(`SELECT * FROM data_extracts WHERE status = ? OR status = ? AND started_at < ?
				ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, ExtractQueued, ExtractRunning, s.now().Add(-staleAfter)).Scan(&e).Error; err != nil {
				return err
			}
			if e.ID == uuid.Nil {
				return nil
			}
			return tx.Model(&Extract{}).Where("tenant_id = ? AND id = ?", e.TenantID, e.ID).
				Updates(map[string]any{"status": ExtractRunning, "started_at": s.now().UTC(), "tables_done": 0, "rows": 0}).Error
		})
		if err != nil || e.ID == uuid.Nil {
			return err
		}
		if err := s.run(ctx, e); err != nil {
			msg := err.Error()
			now := s.now().UTC()
			_ = s.db.Gorm.WithContext(context.WithoutCancel(ctx)).Model(&Extract{}).Where("tenant_id = ? AND id = ?", e.TenantID, e.ID).
				Updates(map[string]any{"status": ExtractFailed, "error": msg, "finished_at": now}).Error
		}
	}
}

// run makes one copy: each tenant table through the registry's rules into
// one JSON-lines object, then the result in the tenant's audit log.
func (s *Service) run(ctx context.Context, e Extract) error {
	var region string
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT region FROM tenants WHERE id = ?`, e.TenantID).Scan(&region).Error; err != nil {
		return err
	}
	types, err := s.db.ColumnTypes(ctx)
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("t/%s/extracts/%s/", e.TenantID, e.ID)
	sc := access.Contract(e.TenantID, e.RequestedBy, "data-use:"+e.AgreementID.String())
	counts := map[string]string{}
	var total int64
	for i, tb := range tenantTables() {
		// Withdrawal stops a copy at once: checked before every table, and
		// whatever was written goes.
		n, err := int64(0), s.stillInForce(ctx, sc, e.AgreementID)
		if err == nil {
			n, err = s.copyTable(ctx, sc, e, tb, types[tb.Name], region, prefix+tb.Name+".jsonl")
		}
		if err != nil {
			if _, derr := s.store.DeletePrefix(context.WithoutCancel(ctx), region, prefix); derr != nil {
				return fmt.Errorf("datause: copy stopped (%v) and its objects could not be removed: %w", err, derr)
			}
			return fmt.Errorf("datause: copy stopped at %s, its objects removed: %w", tb.Name, err)
		}
		counts[tb.Name], total = fmt.Sprint(n), total+n
		if err := s.db.Gorm.WithContext(ctx).Model(&Extract{}).Where("tenant_id = ? AND id = ?", e.TenantID, e.ID).
			Updates(map[string]any{"tables_done": i + 1, "rows": total}).Error; err != nil {
			return err
		}
	}
	now := s.now().UTC()
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := access.Enter(tx, sc); err != nil {
			return err
		}
		// The agreement must still be in force when the copy is handed over.
		if err := s.ownInForce(tx, e.AgreementID); err != nil {
			return err
		}
		if err := tx.Model(&Extract{}).Where("tenant_id = ? AND id = ?", e.TenantID, e.ID).
			Updates(map[string]any{"status": ExtractDone, "object_prefix": prefix, "finished_at": now}).Error; err != nil {
			return err
		}
		counts["rows"] = fmt.Sprint(total)
		_, err := audit.Append(tx, e.TenantID, audit.Event{ActorKind: "staff", ActorID: &e.RequestedBy, ActorName: e.RequestedByName, Basis: string(access.BasisContract),
			Action: "data-use.extracted", Target: "pseudonymised copy " + e.ID.String(), Detail: counts})
		return err
	})
	if err != nil {
		if _, derr := s.store.DeletePrefix(context.WithoutCancel(ctx), region, prefix); derr != nil {
			return fmt.Errorf("datause: copy not handed over (%v) and its objects could not be removed: %w", err, derr)
		}
	}
	return err
}

// copyTable writes one table's rows, transformed, to key and returns how
// many rows it wrote.
func (s *Service) copyTable(ctx context.Context, sc access.Scope, e Extract, tb privacy.Table, types map[string]string, region, key string) (int64, error) {
	f, err := os.CreateTemp("", "lms-extract-*.jsonl")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	w := bufio.NewWriter(f)
	var n int64
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		// Restricted people (Art. 18) are left out of copies: their rows,
		// and rows that belong to them through a parent row.
		where := ""
		if expr, ok := tb.SubjectExpr(); ok {
			where = ` WHERE NOT EXISTS (SELECT 1 FROM people r WHERE r.id = ` + expr + ` AND r.restricted_at IS NOT NULL)`
		}
		rows, err := tx.Raw(`SELECT to_jsonb(t) FROM ` + tb.Name + ` t` + where).Rows() // names from the registry, not input
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			var row map[string]any
			if err := json.Unmarshal(raw, &row); err != nil {
				return err
			}
			out, _ := json.Marshal(s.pseudonymise(e.AgreementID, tb, types, row))
			w.Write(out)
			w.WriteByte('\n')
			n++
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if _, err := f.Seek(0, 0); err != nil {
		return 0, err
	}
	return n, s.store.Put(ctx, region, key, f, "application/x-ndjson")
}

// keptTypes are the SQL types a copy keeps as they are: numbers, truth
// values and times. Text, JSON, bytes and arrays may hold free text.
var keptTypes = map[string]bool{"integer": true, "bigint": true, "smallint": true, "numeric": true, "real": true, "double precision": true,
	"boolean": true, "date": true, "timestamp with time zone": true, "timestamp without time zone": true, "interval": true}

// pseudonymise applies the registry's rules to one row: identifiers and
// names become keyed pseudonyms, free text, contact, security and
// credential data go, and only numbers, truth values and times stay.
func (s *Service) pseudonymise(agreement uuid.UUID, tb privacy.Table, types map[string]string, row map[string]any) map[string]any {
	out := map[string]any{}
	for _, c := range tb.Columns {
		v, ok := row[c.Name]
		if !ok || v == nil || c.Export == privacy.Omit { // secrets and internal keys never leave
			continue
		}
		switch c.Category {
		case privacy.Key, privacy.Identity:
			out[c.Name] = s.pseudonym(agreement, fmt.Sprint(v))
		case privacy.Content, privacy.Contact, privacy.Credential, privacy.Security, privacy.Special:
			// dropped
		default:
			if keptTypes[types[c.Name]] {
				out[c.Name] = v
			}
		}
	}
	return out
}

// pseudonym is HMAC-SHA256(key, agreement:value), so the same value maps
// to the same pseudonym within one agreement's copies (joins still work)
// and to unrelated ones across agreements and tenants.
func (s *Service) pseudonym(agreement uuid.UUID, v string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(agreement.String() + ":" + v))
	return "p_" + hex.EncodeToString(m.Sum(nil))[:24]
}

func tenantTables() []privacy.Table {
	var out []privacy.Table
	for _, t := range privacy.Tables() {
		if t.Owner == privacy.Tenant {
			out = append(out, t)
		}
	}
	return out
}
