// Package alert tells a school what the processor did or asks: support
// requests to decide, sub-processor changes, breaches. An alert is shown in
// the app to the tenant's admins or approvers and, when the tenant has set
// a webhook, posted to it. The alert row is the outbox: it is written in the
// transaction that causes it, and a job delivers it with retries, so no
// alert is lost and none is sent for work that rolled back.
package alert

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// WebhookStatus is where an alert is in the outbox toward the tenant's
// webhook; the value is what alerts.webhook_status holds.
type WebhookStatus string

// Webhook statuses.
const (
	WebhookNone      WebhookStatus = "none"      // no webhook was set, or it was removed before delivery
	WebhookPending   WebhookStatus = "pending"   // to be posted (again) at WebhookNextAt
	WebhookDelivered WebhookStatus = "delivered" // the webhook answered 2xx
	WebhookFailed    WebhookStatus = "failed"    // gave up after the last retry
)

// Alert is one message to a tenant's admins or approvers.
type Alert struct {
	TenantID        uuid.UUID     `gorm:"primaryKey" json:"-"`
	ID              uuid.UUID     `gorm:"primaryKey" json:"id"`
	Kind            string        `json:"kind"`
	Audience        identity.Role `json:"audience"` // admin or approver
	Title           string        `json:"title"`
	Body            string        `json:"body"`
	Link            string        `json:"link"`
	CreatedAt       time.Time     `json:"created_at"`
	WebhookStatus   WebhookStatus `json:"webhook_status"`
	WebhookAttempts int           `json:"-"`
	WebhookNextAt   *time.Time    `json:"-"`
	WebhookError    string        `json:"-"`
}

// TableName is the gorm table.
func (Alert) TableName() string { return "alerts" }

// Raise writes an alert inside tx, which must be in tenant's scope; it is
// queued for the tenant's webhook when one is set.
func Raise(tx *gorm.DB, tenant uuid.UUID, a Alert) (Alert, error) {
	a.TenantID, a.ID, a.CreatedAt = tenant, uuid.Must(uuid.NewV7()), time.Now().UTC()
	var hooks int64
	if err := tx.Table("tenant_webhooks").Count(&hooks).Error; err != nil {
		return a, fmt.Errorf("alert: webhook: %w", err)
	}
	a.WebhookStatus = WebhookNone
	if hooks > 0 {
		a.WebhookStatus, a.WebhookNextAt = WebhookPending, &a.CreatedAt
	}
	if err := tx.Create(&a).Error; err != nil {
		return a, fmt.Errorf("alert: raise: %w", err)
	}
	return a, nil
}

// Service reads alerts and delivers them.
type Service struct {
	db     *database.DB
	client *Client
}

// NewService returns a Service posting through client.
func NewService(db *database.DB, client *Client) *Service { return &Service{db: db, client: client} }

// List returns the newest alerts for audience (admin sees every alert).
func (s *Service) List(ctx context.Context, sc access.Scope, audience identity.Role, limit int) ([]Alert, error) {
	out := []Alert{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := tx.Order("created_at DESC, id DESC").Limit(limit)
		if audience != identity.RoleAdmin {
			q = q.Where("audience = ?", audience)
		}
		return q.Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("alert: list: %w", err)
	}
	return out, nil
}
