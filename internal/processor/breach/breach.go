// Package breach is the processor's register of personal data breaches.
// An operator records an incident with the tenants it affects and what of
// each tenant's data; each tenant is alerted at once and sees the incident
// with the time since detection, because the school, as controller, has 72
// hours from becoming aware to report it to the regulator.
package breach

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// ReportWithin is the controller's deadline to tell the regulator.
const ReportWithin = 72 * time.Hour

// Status is where a breach's handling is; the value is what
// breaches.status holds.
type Status string

// Breach statuses.
const (
	Open      Status = "open"      // recorded, being dealt with
	Contained Status = "contained" // stopped, effects still being handled
	Closed    Status = "closed"    // dealt with
)

// Breach is one incident.
type Breach struct {
	ID             uuid.UUID `gorm:"primaryKey" json:"id"`
	Title          string    `json:"title"`
	Description    string    `json:"description"`
	DetectedAt     time.Time `json:"detected_at"`
	RecordedBy     uuid.UUID `json:"-"`
	RecordedByName string    `json:"recorded_by_name"`
	Status         Status    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	// For one tenant: what of its data, and when it was told.
	DataAffected string     `gorm:"->;-:migration" json:"data_affected,omitempty"`
	NotifiedAt   *time.Time `gorm:"->;-:migration" json:"notified_at,omitempty"`
	// ReportBy is detection + 72 hours.
	ReportBy time.Time `gorm:"-" json:"report_by"`
	// Tenants affected (operator's view: ids only).
	Tenants []Affected `gorm:"-" json:"tenants,omitempty"`
}

// TableName is the gorm table.
func (Breach) TableName() string { return "breaches" }

// Affected is one tenant a breach touches and what of its data.
type Affected struct {
	TenantID     uuid.UUID `json:"tenant_id"`
	DataAffected string    `json:"data_affected"`
}

// NewBreach is what an operator records.
type NewBreach struct {
	Title       string     `json:"title"`
	Description string     `json:"description"`
	DetectedAt  time.Time  `json:"detected_at"`
	Tenants     []Affected `json:"tenants"`
}

// Service records and shows breaches.
type Service struct {
	db     *database.DB
	alerts *alert.Service
	now    func() time.Time
}

// NewService returns a Service.
func NewService(db *database.DB, alerts *alert.Service) *Service {
	return &Service{db: db, alerts: alerts, now: time.Now}
}

// Record registers a breach and, in the same transaction, alerts every
// affected tenant's admins and writes it to each tenant's audit log.
func (s *Service) Record(ctx context.Context, staff uuid.UUID, in NewBreach) (Breach, error) {
	now := s.now().UTC()
	var fe errs.FieldErrors
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if in.Title == "" || len(in.Title) > 200 || errs.HasControl(in.Title) {
		fe.Add("title", "must be 1-200 characters")
	}
	if in.Description == "" || len(in.Description) > 5000 {
		fe.Add("description", "must say what happened (1-5000 characters)")
	}
	if in.DetectedAt.IsZero() || in.DetectedAt.After(now.Add(time.Minute)) || in.DetectedAt.Before(now.AddDate(-1, 0, 0)) {
		fe.Add("detected_at", "must be when it was detected: not in the future, within the last year")
	}
	if len(in.Tenants) == 0 {
		fe.Add("tenants", "must name at least one affected tenant")
	}
	seen := map[uuid.UUID]bool{}
	for i, a := range in.Tenants {
		if a.DataAffected = strings.TrimSpace(a.DataAffected); a.DataAffected == "" || len(a.DataAffected) > 2000 {
			fe.Add(fmt.Sprintf("tenants[%d].data_affected", i), "must say what of this tenant's data was affected")
		}
		if seen[a.TenantID] {
			fe.Add(fmt.Sprintf("tenants[%d].tenant_id", i), "is named twice")
		}
		seen[a.TenantID] = true
		in.Tenants[i] = a
	}
	if err := fe.Err(); err != nil {
		return Breach{}, err
	}
	st, err := identity.StaffTx(s.db.Gorm.WithContext(ctx), staff)
	if err != nil {
		return Breach{}, err
	}
	if st.Role != identity.StaffOperator {
		return Breach{}, errs.New(errs.ErrForbidden, "only operators record breaches")
	}
	b := Breach{ID: uuid.Must(uuid.NewV7()), Title: in.Title, Description: in.Description, DetectedAt: in.DetectedAt.UTC(),
		RecordedBy: st.ID, RecordedByName: st.DisplayName, Status: Open, CreatedAt: now, Tenants: in.Tenants}
	b.ReportBy = b.DetectedAt.Add(ReportWithin)
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&b).Error; err != nil {
			return fmt.Errorf("breach: record: %w", err)
		}
		for i, a := range in.Tenants {
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM tenants WHERE id = ?`, a.TenantID).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return errs.Field(fmt.Sprintf("tenants[%d].tenant_id", i), "names no tenant")
			}
			if err := access.Enter(tx, access.Contract(a.TenantID, st.ID, "breach:"+b.ID.String())); err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO breach_tenants (tenant_id, breach_id, data_affected, notified_at) VALUES (?, ?, ?, ?)`,
				a.TenantID, b.ID, a.DataAffected, now).Error; err != nil {
				return err
			}
			loc := tenant.ZoneTx(tx, a.TenantID)
			if _, err := alert.Raise(tx, a.TenantID, alert.Alert{Kind: "breach", Audience: identity.RoleAdmin,
				Title: "A personal data breach affects your school: " + b.Title,
				Body: fmt.Sprintf("Detected %s. Your data affected: %s. As controller you may need to report it to the ICO by %s (72 hours from detection).",
					localtime.DateTime(b.DetectedAt, loc), a.DataAffected, localtime.DateTime(b.ReportBy, loc)),
				Link: "/breaches"}); err != nil {
				return err
			}
			if _, err := audit.Append(tx, a.TenantID, audit.Event{ActorKind: "staff", ActorID: &st.ID, ActorName: st.DisplayName, Basis: string(access.BasisContract),
				Action: "breach.notified", Target: "breach " + b.Title, Detail: map[string]string{"detected_at": b.DetectedAt.Format(time.RFC3339), "data_affected": a.DataAffected}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Breach{}, err
	}
	for _, a := range in.Tenants {
		go func(t uuid.UUID) { _, _ = s.alerts.Deliver(context.WithoutCancel(ctx), t) }(a.TenantID)
	}
	return b, nil
}

// List is the register, newest first, with the tenants each affects.
func (s *Service) List(ctx context.Context, limit int) ([]Breach, error) {
	out := []Breach{}
	if err := s.db.Gorm.WithContext(ctx).Order("detected_at DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("breach: list: %w", err)
	}
	for i := range out {
		out[i].ReportBy = out[i].DetectedAt.Add(ReportWithin)
		if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT tenant_id, data_affected FROM breach_tenants WHERE breach_id = ? ORDER BY tenant_id`, out[i].ID).
			Scan(&out[i].Tenants).Error; err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ForTenant is what one tenant sees: the breaches that affect it, read in
// its scope so row-level security keeps to its notices too.
func (s *Service) ForTenant(ctx context.Context, sc access.Scope) ([]Breach, error) {
	out := []Breach{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Table("breaches b").Select("b.*, bt.data_affected, bt.notified_at").
			Joins("JOIN breach_tenants bt ON bt.breach_id = b.id AND bt.tenant_id = ?", sc.Tenant()).Order("b.detected_at DESC").Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("breach: for tenant: %w", err)
	}
	for i := range out {
		out[i].ReportBy = out[i].DetectedAt.Add(ReportWithin)
	}
	return out, nil
}
