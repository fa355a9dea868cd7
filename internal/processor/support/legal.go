package support

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Order is a legal obligation an operator recorded before reading under it.
type Order struct {
	TenantID       uuid.UUID   `gorm:"primaryKey" json:"tenant_id"`
	ID             uuid.UUID   `gorm:"primaryKey" json:"id"`
	Reference      string      `json:"reference"`
	IssuingBody    string      `json:"issuing_body"`
	OrderDate      tenant.Date `json:"order_date"`
	Scope          string      `json:"scope"`
	Areas          Words       `gorm:"type:text[]" json:"areas"`
	DocumentSHA256 string      `gorm:"column:document_sha256" json:"document_sha256"`
	RecordedBy     uuid.UUID   `json:"recorded_by"`
	RecordedByName string      `json:"recorded_by_name"`
	ValidUntil     time.Time   `json:"valid_until"`
	// ConfirmedBy is the second operator; no read happens before.
	ConfirmedBy     *uuid.UUID   `json:"confirmed_by"`
	ConfirmedByName *string      `json:"confirmed_by_name"`
	ConfirmedAt     *time.Time   `json:"confirmed_at"`
	Deferred        bool         `json:"deferred"`
	DeferralReason  string       `json:"deferral_reason"`
	NoticeBy        *tenant.Date `json:"notice_by"`
	NotifiedAt      *time.Time   `json:"notified_at"`
	CreatedAt       time.Time    `json:"created_at"`
	TenantSlug      string       `gorm:"->;-:migration" json:"tenant_slug,omitempty"`
	Reads           int64        `gorm:"->;-:migration" json:"reads"`
}

// TableName is the gorm table.
func (Order) TableName() string { return "legal_orders" }

// NewOrder is what an operator records.
type NewOrder struct {
	Reference      string   `json:"reference"`
	IssuingBody    string   `json:"issuing_body"`
	OrderDate      string   `json:"order_date"` // YYYY-MM-DD
	Scope          string   `json:"scope"`      // what the order covers, in its words
	Areas          []string `json:"areas"`
	DocumentSHA256 string   `json:"document_sha256"`      // SHA-256 of the order's document, hex
	ValidDays      int      `json:"valid_days,omitempty"` // 1-30, default 30
	// Deferred: the order forbids telling the tenant now; Reason says why
	// and NoticeBy (YYYY-MM-DD, within a year) when it will be told at the
	// latest.
	Deferred       bool   `json:"deferred,omitempty"`
	DeferralReason string `json:"deferral_reason,omitempty"`
	NoticeBy       string `json:"notice_by,omitempty"`
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (in *NewOrder) validate(now time.Time) error {
	var fe errs.FieldErrors
	in.Reference, in.IssuingBody, in.Scope = strings.TrimSpace(in.Reference), strings.TrimSpace(in.IssuingBody), strings.TrimSpace(in.Scope)
	in.DocumentSHA256, in.DeferralReason = strings.ToLower(strings.TrimSpace(in.DocumentSHA256)), strings.TrimSpace(in.DeferralReason)
	if in.Reference == "" || len(in.Reference) > 200 || errs.HasControl(in.Reference) {
		fe.Add("reference", "must be the order's reference (1-200 characters)")
	}
	if in.IssuingBody == "" || len(in.IssuingBody) > 200 || errs.HasControl(in.IssuingBody) {
		fe.Add("issuing_body", "must name the court or body that issued it")
	}
	if d, err := tenant.ParseDate(in.OrderDate); err != nil || d.After(now) || d.Year() < 2000 {
		fe.Add("order_date", "must be the order's date (YYYY-MM-DD), not in the future")
	}
	if in.Scope == "" || len(in.Scope) > 2000 {
		fe.Add("scope", "must say what the order covers (1-2000 characters)")
	}
	if len(in.Areas) == 0 {
		fe.Add("areas", "must name at least one area")
	}
	for _, a := range in.Areas {
		if _, ok := Areas[a]; !ok {
			fe.Add("areas", "%q is not an area", a)
		}
	}
	if !sha256Hex.MatchString(in.DocumentSHA256) {
		fe.Add("document_sha256", "must be the SHA-256 of the order's document (64 hex digits)")
	}
	if in.ValidDays == 0 {
		in.ValidDays = 30
	}
	if in.ValidDays < 1 || in.ValidDays > 30 {
		fe.Add("valid_days", "must be from 1 to 30")
	}
	if in.Deferred && (in.DeferralReason == "" || len(in.DeferralReason) > 2000) {
		fe.Add("deferral_reason", "must say why the order forbids telling the school (1-2000 characters)")
	}
	if in.Deferred {
		d, err := tenant.ParseDate(in.NoticeBy)
		if err != nil || !d.After(now) || d.After(now.AddDate(1, 0, 0)) {
			fe.Add("notice_by", "must be the latest day the school will be told (YYYY-MM-DD, after today and within a year)")
		}
	}
	return fe.Err()
}

// RecordOrder records a legal obligation to read tenant. Unless the order
// forbids it, the tenant's admins are alerted and the order is written to
// its audit log at once; a deferred notice keeps its reason.
func (s *Service) RecordOrder(ctx context.Context, staff, tenantID uuid.UUID, in NewOrder) (Order, error) {
	now := s.now().UTC()
	if err := in.validate(now); err != nil {
		return Order{}, err
	}
	st, err := s.staff(ctx, staff)
	if err != nil {
		return Order{}, err
	}
	if st.Role != identity.StaffOperator {
		return Order{}, errs.New(errs.ErrForbidden, "only operators record legal obligations")
	}
	date, _ := tenant.ParseDate(in.OrderDate)
	o := Order{TenantID: tenantID, ID: uuid.Must(uuid.NewV7()), Reference: in.Reference, IssuingBody: in.IssuingBody, OrderDate: date,
		Scope: in.Scope, Areas: in.Areas, DocumentSHA256: in.DocumentSHA256, RecordedBy: st.ID, RecordedByName: st.DisplayName,
		ValidUntil: now.AddDate(0, 0, in.ValidDays), Deferred: in.Deferred, DeferralReason: in.DeferralReason, CreatedAt: now}
	if !in.Deferred {
		o.NotifiedAt = &now
	} else {
		d, _ := tenant.ParseDate(in.NoticeBy)
		o.NoticeBy = &d
	}
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&o).Error; err != nil {
			return fmt.Errorf("support: record order: %w", err)
		}
		if in.Deferred {
			return nil // nothing in the tenant's sight until the notice is given
		}
		return s.discloseOrder(tx, o, now)
	})
	if err != nil {
		return Order{}, err
	}
	s.deliverSoon(ctx, tenantID)
	return o, nil
}

// discloseOrder tells the tenant of o inside tx: an alert to its admins,
// the order in its audit log, then every read made under it so far.
func (s *Service) discloseOrder(tx *gorm.DB, o Order, now time.Time) error {
	if err := access.Enter(tx, access.Legal(o.TenantID, o.RecordedBy, o.ID)); err != nil {
		return err
	}
	// Entering a legal scope makes the transaction read-only only through
	// Transact; Enter keeps it writable for these records.
	if _, err := alert.Raise(tx, o.TenantID, alert.Alert{Kind: "legal-order", Audience: identity.RoleAdmin,
		Title: fmt.Sprintf("We were required by law to read your data (%s, %s)", o.IssuingBody, o.Reference),
		Body:  fmt.Sprintf("Order of %s. It covers: %s. %s recorded it; every read under it is in your access log.", o.OrderDate, o.Scope, o.RecordedByName),
		Link:  "/access-log"}); err != nil {
		return err
	}
	detail := map[string]string{"issuing_body": o.IssuingBody, "order_date": o.OrderDate.String(), "scope": o.Scope, "document_sha256": o.DocumentSHA256}
	if o.Deferred {
		detail["deferral_reason"] = o.DeferralReason
	}
	if _, err := audit.Append(tx, o.TenantID, audit.Event{ActorKind: "staff", ActorID: &o.RecordedBy, ActorName: o.RecordedByName, Basis: string(access.BasisLegal),
		Action: "legal.order-recorded", Target: "legal order " + o.Reference, GrantID: &o.ID, Ticket: o.Reference, Detail: detail}); err != nil {
		return err
	}
	var reads []legalRead
	if err := tx.Where("tenant_id = ? AND order_id = ? AND disclosed_at IS NULL", o.TenantID, o.ID).Order("at").Find(&reads).Error; err != nil {
		return err
	}
	for _, r := range reads {
		if _, err := audit.Append(tx, o.TenantID, audit.Event{ActorKind: "staff", ActorID: &r.StaffID, ActorName: r.StaffName, Basis: string(access.BasisLegal),
			Action: "legal.read", Target: r.Target, GrantID: &o.ID, Ticket: o.Reference,
			Detail: map[string]string{"read_at": r.At.UTC().Format(time.RFC3339), "notice_deferred": "yes"}}); err != nil {
			return err
		}
	}
	return tx.Model(&legalRead{}).Where("tenant_id = ? AND order_id = ? AND disclosed_at IS NULL", o.TenantID, o.ID).Update("disclosed_at", now).Error
}

// ConfirmOrder is the second operator's check of a recorded order; only
// then can the recording operator read under it.
func (s *Service) ConfirmOrder(ctx context.Context, staff, id uuid.UUID) (Order, error) {
	st, err := s.staff(ctx, staff)
	if err != nil {
		return Order{}, err
	}
	if st.Role != identity.StaffOperator {
		return Order{}, errs.New(errs.ErrForbidden, "only operators confirm legal obligations")
	}
	var o Order
	now := s.now().UTC()
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT * FROM legal_orders WHERE id = ? FOR UPDATE`, id).Scan(&o).Error; err != nil {
			return err
		}
		switch {
		case o.ID == uuid.Nil:
			return errs.New(errs.ErrNotFound, "legal order %s", id)
		case o.RecordedBy == st.ID:
			return errs.New(errs.ErrForbidden, "a second operator must confirm the record, not the one who made it")
		case o.ConfirmedAt != nil:
			return errs.New(errs.ErrConflict, "already confirmed")
		}
		o.ConfirmedBy, o.ConfirmedByName, o.ConfirmedAt = &st.ID, &st.DisplayName, &now
		return tx.Model(&Order{}).Where("tenant_id = ? AND id = ?", o.TenantID, o.ID).
			Updates(map[string]any{"confirmed_by": st.ID, "confirmed_by_name": st.DisplayName, "confirmed_at": now}).Error
	})
	return o, err
}

// GiveDueNotices gives every deferred notice whose latest day has come:
// no order hides reads past the day recorded with it.
func (s *Service) GiveDueNotices(ctx context.Context) (int, error) {
	var ids []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT id FROM legal_orders WHERE deferred AND notified_at IS NULL AND notice_by <= ?`,
		s.now().UTC().Format(time.DateOnly)).Scan(&ids).Error; err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := s.GiveNotice(ctx, id); err != nil && !errors.Is(err, errs.ErrConflict) {
			return 0, err
		}
	}
	return len(ids), nil
}

// GiveNotice lifts a deferred notice: the tenant is alerted and sees the
// order and every read made under it, in order, in its audit log.
func (s *Service) GiveNotice(ctx context.Context, id uuid.UUID) (Order, error) {
	var o Order
	now := s.now().UTC()
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT * FROM legal_orders WHERE id = ? FOR UPDATE`, id).Scan(&o).Error; err != nil {
			return err
		}
		if o.ID == uuid.Nil {
			return errs.New(errs.ErrNotFound, "legal order %s", id)
		}
		if o.NotifiedAt != nil {
			return errs.New(errs.ErrConflict, "the school was told on %s", localtime.Date(*o.NotifiedAt, localtime.London))
		}
		o.NotifiedAt = &now
		if err := tx.Model(&Order{}).Where("tenant_id = ? AND id = ?", o.TenantID, o.ID).Update("notified_at", now).Error; err != nil {
			return err
		}
		return s.discloseOrder(tx, o, now)
	})
	if err != nil {
		return Order{}, err
	}
	s.deliverSoon(ctx, o.TenantID)
	return o, nil
}

// Orders lists legal orders, newest first, with how many reads each has.
func (s *Service) Orders(ctx context.Context, after uuid.UUID, limit int) ([]Order, error) {
	out := []Order{}
	q := s.db.Gorm.WithContext(ctx).Table("legal_orders o").
		Select("o.*, t.slug AS tenant_slug, (SELECT count(*) FROM legal_reads r WHERE r.tenant_id = o.tenant_id AND r.order_id = o.id) AS reads").
		Joins("JOIN tenants t ON t.id = o.tenant_id").Order("o.id DESC").Limit(limit)
	if after != uuid.Nil {
		q = q.Where("o.id < ?", after)
	}
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("support: orders: %w", err)
	}
	return out, nil
}

// legalRead is a read under an order whose notice is deferred.
type legalRead struct {
	TenantID    uuid.UUID `gorm:"primaryKey"`
	ID          uuid.UUID `gorm:"primaryKey"`
	OrderID     uuid.UUID
	At          time.Time
	StaffID     uuid.UUID
	StaffName   string
	Target      string
	DisclosedAt *time.Time
}

func (legalRead) TableName() string { return "legal_reads" }

// authorizeOrder is Authorize for operators: a legal order they recorded,
// still valid, that covers the object. Each read goes to the tenant's
// audit log, or, while the notice is deferred, waits in legal_reads.
func (s *Service) authorizeOrder(ctx context.Context, tenant uuid.UUID, p identity.Principal, obj, act, target string) (access.Scope, error) {
	var orders []Order
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT * FROM legal_orders WHERE tenant_id = ? AND recorded_by = ? AND confirmed_at IS NOT NULL AND valid_until > now() ORDER BY valid_until DESC`,
		tenant, p.ID).Scan(&orders).Error; err != nil {
		return access.Scope{}, fmt.Errorf("support: orders: %w", err)
	}
	if len(orders) == 0 {
		return access.Scope{}, errs.New(errs.ErrForbidden, "operators have no access to a tenant's data without a recorded legal obligation, confirmed by a second operator")
	}
	if act != "read" {
		return access.Scope{}, errs.New(errs.ErrForbidden, "reading under a legal order is read-only")
	}
	var o *Order
	for i := range orders {
		if covers(orders[i].Areas, obj) {
			o = &orders[i]
			break
		}
	}
	if o == nil {
		return access.Scope{}, errs.New(errs.ErrForbidden, "the legal order does not cover %s", obj)
	}
	st, err := s.staff(ctx, p.ID)
	if err != nil {
		return access.Scope{}, err
	}
	// The order's row is share-locked while the read is recorded, and its
	// notice state read again under the lock: a read racing GiveNotice
	// (which holds the row for update) waits for it and then goes straight
	// to the school's log, so no read is left behind, undisclosed.
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		var now struct {
			Found      bool
			NotifiedAt *time.Time
		}
		if err := tx.Raw(`SELECT true AS found, notified_at FROM legal_orders WHERE tenant_id = ? AND id = ? FOR SHARE`, tenant, o.ID).Scan(&now).Error; err != nil {
			return err
		}
		if now.Found && now.NotifiedAt == nil {
			return tx.Create(&legalRead{TenantID: tenant, ID: uuid.Must(uuid.NewV7()), OrderID: o.ID, At: s.now().UTC(),
				StaffID: p.ID, StaffName: st.DisplayName, Target: target}).Error
		}
		if err := access.Enter(tx, access.System(tenant, "access-log")); err != nil {
			return err
		}
		_, err := audit.Append(tx, tenant, audit.Event{ActorKind: "staff", ActorID: &p.ID, ActorName: st.DisplayName, Basis: string(access.BasisLegal),
			Action: "legal.read", Target: target, GrantID: &o.ID, Ticket: o.Reference, Detail: map[string]string{"object": obj}})
		return err
	})
	if err != nil {
		return access.Scope{}, fmt.Errorf("support: log legal read: %w", err)
	}
	return access.Legal(tenant, p.ID, o.ID), nil
}
