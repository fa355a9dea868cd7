package tenant

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// zoneCache remembers for half a minute the zone each member sees times
// in, so a page costs no query for it on most requests. A changed zone
// shows within the half minute everywhere.
type zoneCache struct {
	mu  sync.Mutex
	m   map[[2]uuid.UUID]zoneEntry // (tenant, person); person nil for the tenant's own
	own map[uuid.UUID]ownEntry     // whether any school of the tenant keeps its own zone
}

type ownEntry struct {
	yes bool
	exp time.Time
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

// Zones is what the time-zone page shows: the tenant's zone and each
// school's own (nil: the tenant's).
type Zones struct {
	Tenant  string
	Schools []School
}

// ZonesOf reads the tenant's zone and its schools' (those sc may see).
func (s *Service) ZonesOf(ctx context.Context, sc access.Scope) (Zones, error) {
	var z Zones
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT time_zone FROM tenants WHERE id = ?`, sc.Tenant()).Row().Scan(&z.Tenant); err != nil {
			return err
		}
		q := tx.Order("name")
		if ids, limited := sc.Schools(); limited {
			q = q.Where("id IN ?", ids)
		}
		return q.Find(&z.Schools).Error
	})
	if err != nil {
		return z, fmt.Errorf("tenant: zones: %w", err)
	}
	return z, nil
}

// SetZones changes the tenant's zone (only an admin of the whole tenant)
// and schools' own zones ("" for the tenant's; only schools sc covers).
// Names are checked against localtime.Choices.
func (s *Service) SetZones(ctx context.Context, sc access.Scope, tenantZone string, schools map[uuid.UUID]string) error {
	var fe errs.FieldErrors
	if tenantZone != "" && !localtime.Chosen(tenantZone) {
		fe.Add("time_zone", "Choose a time zone from the list")
	}
	for id, z := range schools {
		if z != "" && !localtime.Chosen(z) {
			fe.Add("school-"+id.String(), "Choose a time zone from the list")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		// Only admins: of the whole tenant for its zone, of the school (or
		// the whole tenant) for a school's.
		admin := func(school *uuid.UUID) error {
			var ok bool
			err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM role_assignments WHERE person_id = ? AND role = 'admin'
				AND (school_id IS NULL OR school_id = ?))`, sc.Actor().ID, school).Row().Scan(&ok)
			if err == nil && !ok {
				err = errs.New(errs.ErrForbidden, "Only the school's administrators change its time zone.")
			}
			return err
		}
		if tenantZone != "" {
			if err := admin(nil); err != nil {
				return err
			}
			if !sc.TenantWide() {
				return errs.New(errs.ErrForbidden, "Only an administrator of the whole trust changes its time zone.")
			}
			if err := tx.Exec(`UPDATE tenants SET time_zone = ?, updated_at = now() WHERE id = ? AND time_zone <> ?`, tenantZone, sc.Tenant(), tenantZone).Error; err != nil {
				return err
			}
		}
		ids, limited := sc.Schools()
		for id, z := range schools {
			if limited && !slices.Contains(ids, id) {
				return errs.New(errs.ErrNotFound, "There is no such school.")
			}
			if err := admin(&id); err != nil {
				return err
			}
			if err := database.Found(tx.Exec(`UPDATE schools SET time_zone = ? WHERE id = ?`, zoneOrNil(z), id), "school %s", id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("tenant: set zones: %w", err)
	}
	s.zones.forget(sc.Tenant())
	return nil
}

// forget drops a tenant's cached zones in this process (others see the
// change within the half minute).
func (c *zoneCache) forget(tenant uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if k[0] == tenant {
			delete(c.m, k)
		}
	}
	delete(c.own, tenant)
}

// SchoolsKeepOwnZones reports whether any school of the tenant keeps a zone
// of its own (cached for half a minute): only then does a page about a
// course need to look up its school's zone.
func (s *Service) SchoolsKeepOwnZones(ctx context.Context, sc access.Scope) (bool, error) {
	s.zones.mu.Lock()
	e, ok := s.zones.own[sc.Tenant()]
	s.zones.mu.Unlock()
	if ok && time.Now().Before(e.exp) {
		return e.yes, nil
	}
	var yes bool
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT EXISTS (SELECT 1 FROM schools s JOIN tenants t ON t.id = s.tenant_id
			WHERE s.time_zone IS NOT NULL AND s.time_zone <> t.time_zone)`).Row().Scan(&yes)
	})
	if err != nil {
		return false, fmt.Errorf("tenant: schools' own zones: %w", err)
	}
	s.zones.mu.Lock()
	if s.zones.own == nil || len(s.zones.own) > 100_000 {
		s.zones.own = map[uuid.UUID]ownEntry{}
	}
	s.zones.own[sc.Tenant()] = ownEntry{yes, time.Now().Add(endCacheTTL)}
	s.zones.mu.Unlock()
	return yes, nil
}

// ZoneTx is the tenant's zone inside a transaction, for messages written
// to the school (alerts); London when it cannot be read.
func ZoneTx(tx *gorm.DB, tenant uuid.UUID) *time.Location {
	var name string
	if err := tx.Raw(`SELECT time_zone FROM tenants WHERE id = ?`, tenant).Row().Scan(&name); err != nil {
		return localtime.London
	}
	if l, err := localtime.Load(name); err == nil {
		return l
	}
	return localtime.London
}
