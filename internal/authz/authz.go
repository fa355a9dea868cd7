// Package authz decides whether a principal may perform an action on an
// object in a tenant, with casbin (RBAC with domains). The model and role
// permissions are embedded from policies/; role assignments come from
// PostgreSQL, loaded per tenant on first use and dropped when any process
// announces a change on the identity.AuthzChannel.
package authz

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/policies"
)

// PlatformDomain is the casbin domain of processor staff.
const PlatformDomain = "platform"

// Anyone is the pseudo-role every signed-in principal holds.
const Anyone = "anyone"

// Loader returns every role assignment of one tenant.
type Loader func(ctx context.Context, tenant uuid.UUID) ([]identity.RoleAssignment, error)

// Authorizer answers Allow. It is safe for concurrent use.
type Authorizer struct {
	e      *casbin.SyncedEnforcer
	load   Loader
	flight singleflight.Group

	mu     sync.Mutex
	loaded map[uuid.UUID]bool
	gen    map[uuid.UUID]uint64 // bumped on invalidation; a load that raced one is discarded
}

// New builds an Authorizer from the embedded model and permissions.
func New(load Loader) (*Authorizer, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	e.EnableAutoSave(false)
	rules, err := parseRoles(policies.Roles)
	if err != nil {
		return nil, err
	}
	if _, err := e.AddPolicies(rules); err != nil {
		return nil, fmt.Errorf("authz: permissions: %w", err)
	}
	return &Authorizer{e: e, load: load, loaded: map[uuid.UUID]bool{}, gen: map[uuid.UUID]uint64{}}, nil
}

func parseRoles(csv string) ([][]string, error) {
	var rules [][]string
	for i, line := range strings.Split(csv, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 || strings.TrimSpace(f[0]) != "p" {
			return nil, fmt.Errorf("authz: policies/roles.csv line %d: want `p, role, object, action`", i+1)
		}
		rules = append(rules, []string{strings.TrimSpace(f[1]), strings.TrimSpace(f[2]), strings.TrimSpace(f[3])})
	}
	return rules, nil
}

// Permissions lists the (role, object, action) rules, for tests and docs.
func (a *Authorizer) Permissions() [][]string {
	p, _ := a.e.GetPolicy()
	return p
}

// Allow reports whether p may do act on obj. tenant is the tenant in the URL,
// or uuid.Nil for platform routes. Staff never hold a role in a tenant, and a
// member only ever acts in their own tenant.
func (a *Authorizer) Allow(ctx context.Context, p identity.Principal, tenant uuid.UUID, obj, act string) (bool, error) {
	if obj == "self" && tenant == uuid.Nil {
		// Every signed-in principal may manage their own account.
		return a.e.Enforce(Anyone, PlatformDomain, obj, act)
	}
	switch {
	case p.Kind == identity.KindStaff && tenant == uuid.Nil:
		// The staff role was read with the credential, so it is current.
		return a.e.Enforce(p.StaffRole, PlatformDomain, obj, act)
	case p.Kind == identity.KindMember && tenant == p.TenantID:
		if err := a.ensure(ctx, tenant); err != nil {
			return false, err
		}
		return a.e.Enforce(p.Subject(), tenant.String(), obj, act)
	}
	return false, nil
}

// ensure loads tenant's role assignments once.
func (a *Authorizer) ensure(ctx context.Context, tenant uuid.UUID) error {
	a.mu.Lock()
	ok, gen := a.loaded[tenant], a.gen[tenant]
	a.mu.Unlock()
	if ok {
		return nil
	}
	_, err, _ := a.flight.Do(tenant.String(), func() (any, error) {
		ras, err := a.load(ctx, tenant)
		if err != nil {
			return nil, fmt.Errorf("authz: load tenant %s: %w", tenant, err)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.gen[tenant] != gen || a.loaded[tenant] {
			return nil, nil // invalidated while loading; the next request reloads
		}
		if _, err := a.e.RemoveFilteredGroupingPolicy(2, tenant.String()); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		var rules [][]string
		for _, ra := range ras {
			sub := "member:" + ra.PersonID.String()
			if k := sub + "|" + ra.Role; !seen[k] {
				seen[k] = true
				rules = append(rules, []string{sub, ra.Role, tenant.String()})
			}
		}
		if len(rules) > 0 {
			if _, err := a.e.AddGroupingPolicies(rules); err != nil {
				return nil, err
			}
		}
		a.loaded[tenant] = true
		return nil, nil
	})
	return err
}

// Invalidate drops a tenant's cached role assignments.
func (a *Authorizer) Invalidate(tenant uuid.UUID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen[tenant]++
	if a.loaded[tenant] {
		delete(a.loaded, tenant)
		_, _ = a.e.RemoveFilteredGroupingPolicy(2, tenant.String())
	}
}

// InvalidateAll drops every cached tenant, e.g. after the change
// notifications were interrupted and some may have been missed.
func (a *Authorizer) InvalidateAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for t := range a.loaded {
		a.gen[t]++
		delete(a.loaded, t)
		_, _ = a.e.RemoveFilteredGroupingPolicy(2, t.String())
	}
}
