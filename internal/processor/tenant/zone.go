package tenant

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// zoneCache remembers for half a minute the zone each member sees times
// in, so a page costs no query for it on most requests. A changed zone
// shows within the half minute everywhere.
type zoneCache struct {
	mu sync.Mutex
	m  map[[2]uuid.UUID]zoneEntry // (tenant, person); person nil for the tenant's own
}

type zoneEntry struct {
	loc *time.Location
	exp time.Time
}

func (c *zoneCache) get(k [2]uuid.UUID) (*time.Location, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || time.Now().After(e.exp) {
		return nil, false
	}
	return e.loc, true
}

func (c *zoneCache) put(k [2]uuid.UUID, l *time.Location) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 100_000 {
		c.m = map[[2]uuid.UUID]zoneEntry{}
	}
	c.m[k] = zoneEntry{l, time.Now().Add(endCacheTTL)}
}

// Zone is the tenant's time zone: what emails, calendars and jobs use when
// no one school is concerned.
func (s *Service) Zone(ctx context.Context, tenant uuid.UUID) (*time.Location, error) {
	k := [2]uuid.UUID{tenant}
	if l, ok := s.zones.get(k); ok {
		return l, nil
	}
	var name string
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT time_zone FROM tenants WHERE id = ?`, tenant).Row().Scan(&name); err != nil {
		return nil, fmt.Errorf("tenant: zone of %s: %w", tenant, err)
	}
	l, err := localtime.Load(name)
	if err != nil {
		return nil, err
	}
	s.zones.put(k, l)
	return l, nil
}

// ZoneOf is the zone a member sees times in: their school's, when every
// school they have a role in keeps the same zone of its own; otherwise the
// tenant's. sc is the member's own scope.
func (s *Service) ZoneOf(ctx context.Context, sc access.Scope, person uuid.UUID) (*time.Location, error) {
	k := [2]uuid.UUID{sc.Tenant(), person}
	if l, ok := s.zones.get(k); ok {
		return l, nil
	}
	var name string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`
			SELECT coalesce((
				SELECT min(s.time_zone) FROM role_assignments r
				JOIN schools s ON s.tenant_id = r.tenant_id AND s.id = r.school_id
				WHERE r.person_id = ?
				HAVING count(DISTINCT coalesce(s.time_zone, '')) = 1
			), (SELECT time_zone FROM tenants WHERE id = ?))`, person, sc.Tenant()).Row().Scan(&name)
	})
	if err != nil {
		return nil, fmt.Errorf("tenant: zone of person %s: %w", person, err)
	}
	l, err := localtime.Load(name)
	if err != nil {
		return nil, err
	}
	s.zones.put(k, l)
	return l, nil
}

// SchoolZone is one school's zone (its own, or the tenant's).
func (s *Service) SchoolZone(ctx context.Context, sc access.Scope, school uuid.UUID) (*time.Location, error) {
	var name string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT coalesce(s.time_zone, t.time_zone) FROM schools s JOIN tenants t ON t.id = s.tenant_id WHERE s.id = ?`, school).Row().Scan(&name)
	})
	if err != nil {
		return nil, fmt.Errorf("tenant: zone of school %s: %w", school, err)
	}
	return localtime.Load(name)
}
