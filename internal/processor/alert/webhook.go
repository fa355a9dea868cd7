package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Webhook is where a tenant wants its alerts posted. The secret (whsec_ and
// a base64 key) signs each delivery as Standard Webhooks does (see
// webhook_sign.go); it is shown once.
type Webhook struct {
	TenantID  uuid.UUID  `gorm:"primaryKey" json:"-"`
	URL       string     `json:"url"`
	Secret    string     `json:"secret,omitempty"`
	UpdatedBy *uuid.UUID `json:"-"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// TableName is the gorm table.
func (Webhook) TableName() string { return "tenant_webhooks" }

// Client posts deliveries. Unless AllowPrivate, it refuses to connect to
// loopback, private and link-local addresses, so a tenant cannot point the
// platform at its own internal services.
type Client struct {
	HTTP         *http.Client
	AllowPrivate bool
}

// NewClient returns a Client with a short timeout.
func NewClient(allowPrivate bool) *Client {
	c := &Client{AllowPrivate: allowPrivate}
	d := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); !c.AllowPrivate && !public(ip) {
			return fmt.Errorf("alert: webhook address %s is not public", host)
		}
		return nil
	}}
	c.HTTP = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

// notPublic are ranges that are neither private nor loopback by Go's tests
// but still reach inside networks: shared address space (carrier NAT and
// some clouds' metadata), benchmarking, IETF protocol assignments, "this
// network", reserved space, and NAT64 (which can embed any IPv4 address).
var notPublic = func() []*net.IPNet {
	var out []*net.IPNet
	for _, c := range []string{"100.64.0.0/10", "198.18.0.0/15", "192.0.0.0/24", "0.0.0.0/8", "240.0.0.0/4", "64:ff9b::/96", "64:ff9b:1::/48", "2001:db8::/32",
		"2002::/16", "::/96", "fec0::/10", "2001::/32"} { // 6to4, IPv4-compatible, site-local and Teredo also embed or reach inner addresses
		_, n, _ := net.ParseCIDR(c)
		out = append(out, n)
	}
	return out
}()

// public reports an address on the public internet.
func public(ip net.IP) bool {
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	for _, n := range notPublic {
		if n.Contains(ip) {
			return false
		}
	}
	return true
}

// SetWebhook sets (or, with an empty url, removes) the tenant's webhook and
// returns it with a new secret.
func (s *Service) SetWebhook(ctx context.Context, sc access.Scope, raw string) (Webhook, error) {
	if !sc.TenantWide() {
		return Webhook{}, errs.New(errs.ErrForbidden, "the alert webhook is the whole tenant's")
	}
	raw = strings.TrimSpace(raw)
	w := Webhook{TenantID: sc.Tenant(), URL: raw, UpdatedAt: time.Now().UTC()}
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.User != nil || len(raw) > 2000 || !(u.Scheme == "https" || s.client.AllowPrivate && u.Scheme == "http") {
			return w, errs.Field("url", "must be an https:// address of your own system")
		}
	}
	w.Secret = newSecret()
	actor := sc.Actor().ID
	w.UpdatedBy = &actor
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if raw == "" {
			return tx.Where("tenant_id = ?", sc.Tenant()).Delete(&Webhook{}).Error
		}
		return tx.Save(&w).Error
	})
	if err != nil {
		return w, fmt.Errorf("alert: set webhook: %w", err)
	}
	return w, nil
}

// GetWebhook returns the tenant's webhook without its secret.
func (s *Service) GetWebhook(ctx context.Context, sc access.Scope) (Webhook, bool, error) {
	var ws []Webhook
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Limit(1).Find(&ws).Error })
	if err != nil || len(ws) == 0 {
		return Webhook{}, false, err
	}
	ws[0].Secret = ""
	return ws[0], true, nil
}

// Deliver posts tenant's pending alerts whose time has come. Rows are
// claimed with SKIP LOCKED, so workers and replicas never post one twice at
// once; a failure is retried with backoff up to 8 times.
func (s *Service) Deliver(ctx context.Context, tenant uuid.UUID) (sent int, err error) {
	err = access.Transact(ctx, s.db, access.System(tenant, "alert-delivery"), func(tx *gorm.DB) error {
		var hook []Webhook
		if err := tx.Limit(1).Find(&hook).Error; err != nil {
			return err
		}
		var due []Alert
		if err := tx.Raw(`SELECT * FROM alerts WHERE webhook_status = ? AND webhook_next_at <= now()
			ORDER BY webhook_next_at LIMIT 5 FOR UPDATE SKIP LOCKED`, WebhookPending).Scan(&due).Error; err != nil {
			return err
		}
		for _, a := range due {
			if len(hook) == 0 { // the school removed its webhook
				if err := tx.Exec(`UPDATE alerts SET webhook_status = ? WHERE id = ?`, WebhookNone, a.ID).Error; err != nil {
					return err
				}
				continue
			}
			perr := s.post(ctx, hook[0], a)
			if perr == nil {
				sent++
				if err := tx.Exec(`UPDATE alerts SET webhook_status = ?, webhook_attempts = webhook_attempts + 1, webhook_error = ''
					WHERE id = ?`, WebhookDelivered, a.ID).Error; err != nil {
					return err
				}
				continue
			}
			slog.WarnContext(ctx, "webhook delivery failed", "tenant_id", tenant, "alert", a.ID, "err", perr)
			status, next := WebhookPending, time.Now().Add(time.Duration(1<<a.WebhookAttempts)*time.Minute)
			if a.WebhookAttempts+1 >= 8 {
				status = WebhookFailed
			}
			if err := tx.Exec(`UPDATE alerts SET webhook_status = ?, webhook_attempts = webhook_attempts + 1, webhook_next_at = ?, webhook_error = ? WHERE id = ?`,
				status, next, truncate(perr.Error(), 500), a.ID).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return sent, err
}

func (s *Service) post(ctx context.Context, w Webhook, a Alert) error {
	// Signed now, not when raised: a retry carries a fresh timestamp, so a
	// receiver's five-minute window still lets it in.
	body, h, err := signedDelivery(w.Secret, a, time.Now())
	if err != nil {
		return fmt.Errorf("alert: sign: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = h
	resp, err := s.client.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return errors.New("webhook answered " + resp.Status)
	}
	return nil
}

// DeliverAll runs Deliver for every tenant (the periodic safety net behind
// the delivery started right after an alert is raised).
func (s *Service) DeliverAll(ctx context.Context) error {
	var ids []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT id FROM tenants ORDER BY id`).Scan(&ids).Error; err != nil {
		return fmt.Errorf("alert: tenants: %w", err)
	}
	// One school's failing or slow webhook must not hold up the others.
	var failed []error
	for _, id := range ids {
		if _, err := s.Deliver(ctx, id); err != nil {
			failed = append(failed, fmt.Errorf("tenant %s: %w", id, err))
		}
	}
	return errors.Join(failed...)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
