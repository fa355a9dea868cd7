package identity

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
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
func (s *Service) SecurityEvents(ctx context.Context, sc access.Scope, limit int) ([]SecurityEvent, error) {
	out := []SecurityEvent{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Table("security_events e").Select("e.*, COALESCE(p.display_name, '') AS person_name").
			Joins("LEFT JOIN people p ON p.tenant_id = e.tenant_id AND p.id = e.person_id").
			Order("e.created_at DESC, e.id DESC").Limit(limit).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("identity: security events: %w", err)
	}
	return out, nil
}

// SignalCounts counts one tenant's signals by kind since a time: a
// non-personal figure for operators.
func (s *Service) SignalCounts(ctx context.Context, tenant uuid.UUID, since time.Time) (map[string]int64, error) {
	var rows []struct {
		Kind string
		N    int64
	}
	err := access.Transact(ctx, s.db, access.System(tenant, "signal-counts"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT kind, count(*) AS n FROM security_events WHERE created_at >= ? GROUP BY kind`, since).Scan(&rows).Error
	})
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Kind] = r.N
	}
	return out, err
}

// SignalFigures are security signal counts by kind across tenants: what
// operators see (no person, no tenant).
type SignalFigures struct {
	Last24h map[string]int64 `json:"last_24h"`
	Last7d  map[string]int64 `json:"last_7d"`
}

// SignalFigures adds up the signals of tenants in the last day and week.
func (s *Service) SignalFigures(ctx context.Context, tenants []uuid.UUID, now time.Time) (SignalFigures, error) {
	f := SignalFigures{Last24h: map[string]int64{}, Last7d: map[string]int64{}}
	for _, id := range tenants {
		for since, into := range map[time.Duration]map[string]int64{24 * time.Hour: f.Last24h, 7 * 24 * time.Hour: f.Last7d} {
			n, err := s.SignalCounts(ctx, id, now.Add(-since))
			if err != nil {
				return f, err
			}
			for k, v := range n {
				into[k] += v
			}
		}
	}
	return f, nil
}
