package identity

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// SecurityEvent is a signal for the school's admins: repeated failed
// sign-ins, a token used from a new network. It names the account, never
// an address.
type SecurityEvent struct {
	TenantID  uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID        uuid.UUID  `gorm:"primaryKey" json:"id"`
	Kind      string     `json:"kind"`
	PersonID  *uuid.UUID `json:"person_id"`
	Detail    string     `json:"detail"`
	CreatedAt time.Time  `json:"created_at"`
	// PersonName is the account's name, for the admins' list.
	PersonName string `gorm:"->;-:migration" json:"person_name"`
}

// TableName is the gorm table.
func (SecurityEvent) TableName() string { return "security_events" }

// signal records a security event inside a transaction scoped to the
// person's tenant.
func signal(tx *gorm.DB, kind string, person uuid.UUID, detail string) error {
	err := tx.Exec(`INSERT INTO security_events (tenant_id, id, kind, person_id, detail) VALUES (app_tenant_id(), ?, ?, ?, ?)`,
		uuid.Must(uuid.NewV7()), kind, person, detail).Error
	if err == nil {
		err = tx.Exec(`INSERT INTO security_signal_counts (hour, kind, n) VALUES (date_trunc('hour', now()), ?, 1)
			ON CONFLICT (hour, kind) DO UPDATE SET n = security_signal_counts.n + 1`, kind).Error
	}
	if err != nil {
		return fmt.Errorf("identity: security signal: %w", err)
	}
	return nil
}

// networkOf is the network an address belongs to, coarse enough that a
// phone moving between cells is not "new": IPv4 /16, IPv6 /48.
func networkOf(ip string) string {
	a := net.ParseIP(ip)
	switch {
	case a == nil:
		return ""
	case a.To4() != nil:
		return a.Mask(net.CIDRMask(16, 32)).String() + "/16"
	default:
		return a.Mask(net.CIDRMask(48, 128)).String() + "/48"
	}
}

// noteNetwork remembers a token's new network and, unless it is the first
// use, tells the school's admins.
func noteNetwork(tx *gorm.DB, r credRow, network string) error {
	if err := tx.Exec(`UPDATE member_credentials SET last_network = ? WHERE id = ?`, network, r.ID).Error; err != nil {
		return err
	}
	if r.Network == "" {
		return nil
	}
	return signal(tx, "token-new-network", r.Owner, "an API token was used from a network it had not been used from before")
}

// SecurityEvents lists the scoped tenant's recent signals, newest first.
func (s *Service) SecurityEvents(ctx context.Context, sc access.Scope, pg database.Page) ([]SecurityEvent, error) {
	out := []SecurityEvent{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := tx.Table("security_events e").Select("e.*, COALESCE(p.display_name, '') AS person_name").
			Joins("LEFT JOIN people p ON p.tenant_id = e.tenant_id AND p.id = e.person_id")
		return eventOrder.Apply(q, pg).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("identity: security events: %w", err)
	}
	return out, nil
}

// eventOrder lists security events newest first.
var eventOrder = database.Keyset{Key: "e.created_at", Cast: "timestamptz", ID: "e.id", Desc: true}

// At is where an event sits in the order SecurityEvents lists them.
func (e SecurityEvent) At() (string, uuid.UUID) { return database.TimeKey(e.CreatedAt), e.ID }

// SignalFigures are security signal counts by kind across tenants: what
// operators see (no person, no tenant).
type SignalFigures struct {
	Last24h map[string]int64 `json:"last_24h"`
	Last7d  map[string]int64 `json:"last_7d"`
}

// SignalFigures adds up the signals of every tenant in the last day and
// week, from the hourly counts kept beside them.
func (s *Service) SignalFigures(ctx context.Context, now time.Time) (SignalFigures, error) {
	f := SignalFigures{Last24h: map[string]int64{}, Last7d: map[string]int64{}}
	var rows []struct {
		Kind      string
		Day, Week int64
	}
	err := s.db.Gorm.WithContext(ctx).Raw(`SELECT kind, COALESCE(sum(n) FILTER (WHERE hour > ?), 0) AS day, sum(n) AS week
		FROM security_signal_counts WHERE hour > ? GROUP BY kind`, now.Add(-24*time.Hour), now.Add(-7*24*time.Hour)).Scan(&rows).Error
	if err != nil {
		return f, fmt.Errorf("identity: signal figures: %w", err)
	}
	for _, r := range rows {
		f.Last24h[r.Kind], f.Last7d[r.Kind] = r.Day, r.Week
	}
	return f, nil
}

// Signal records a security event for the school's admins from another
// service (an unusual volume of personal data exports), inside a
// transaction scoped to the person's tenant.
func Signal(tx *gorm.DB, kind string, person uuid.UUID, detail string) error {
	return signal(tx, kind, person, detail)
}
