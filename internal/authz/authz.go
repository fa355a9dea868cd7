// Package authz decides whether a principal may perform an action on an
// object in a tenant. casbin (RBAC with domains) is the source of truth: the
// model and the per-role permissions are embedded from policies/, and role
// assignments come from PostgreSQL per tenant.
//
// Evaluating casbin's matcher for every request costs several microseconds
// and dozens of allocations, and its role manager rebuilds its whole policy
// map when one domain changes. So at start-up Authorizer asks casbin, for
// every role and every (object, action) in the policy, whether the role is
// allowed; requests then need two map lookups. Role assignments are held per
// tenant, loaded on first use and dropped when any process announces a change
// on identity.AuthzChannel. TestMatchesCasbin checks that Allow and a full
// casbin enforcer with the same assignments agree.
package authz

import (
	"context"
	"fmt"
	"slices"
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

type perm struct{ obj, act string }

// roleSet is a set of tenant roles as bits (identity.TenantRoles order), so
// the per-tenant maps hold no pointers: 500,000 assignments cost the garbage
// collector nothing to scan and a check touches a few bytes.
type roleSet uint8

// personRoles are a member's roles in one tenant: tenant-wide, and per school.
type personRoles struct {
	wide    roleSet
	schools []schoolRoles // nil for most people; only school-scoped roles
}

type schoolRoles struct {
	school uuid.UUID
	roles  roleSet
}

// Grant is the answer for a member: allowed in the whole tenant, or only in
// some schools (Schools non-nil), where the services limit what is touched.
type Grant struct {
	Allowed bool
	Schools []uuid.UUID // nil: the whole tenant
}

func roleBit(role identity.Role) roleSet {
	for i, r := range identity.TenantRoles {
		if r == role {
			return 1 << i
		}
	}
	return 0 // not a tenant role: grants nothing in a tenant
}

// Authorizer answers Allow. It is safe for concurrent use.
type Authorizer struct {
	rules  [][]string               // role, object, action as written in policies/roles.csv
	perms  map[string]map[perm]bool // role → permissions, decided by casbin at start-up
	masks  map[perm]roleSet         // permission → tenant roles that hold it
	load   Loader
	flight singleflight.Group

	mu      sync.RWMutex
	tenants map[uuid.UUID]map[uuid.UUID]personRoles // tenant → person → roles
	gen     map[uuid.UUID]uint64                    // bumped on invalidation; a load that raced one is discarded
	epoch   uint64                                  // bumped by InvalidateAll, likewise
}

// NewEnforcer builds a casbin enforcer from the embedded model and
// permissions, with no role assignments.
func NewEnforcer() (*casbin.Enforcer, [][]string, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, nil, fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	e.EnableAutoSave(false)
	rules, err := parseRoles(policies.Roles)
	if err != nil {
		return nil, nil, err
	}
	if _, err := e.AddPolicies(rules); err != nil {
		return nil, nil, fmt.Errorf("authz: permissions: %w", err)
	}
	return e, rules, nil
}

// New builds an Authorizer, compiling the permissions through casbin.
func New(load Loader) (*Authorizer, error) {
	e, rules, err := NewEnforcer()
	if err != nil {
		return nil, err
	}
	a := &Authorizer{rules: rules, perms: map[string]map[perm]bool{}, masks: map[perm]roleSet{}, load: load,
		tenants: map[uuid.UUID]map[uuid.UUID]personRoles{}, gen: map[uuid.UUID]uint64{}}
	for _, r := range rules {
		a.perms[r[0]] = map[perm]bool{}
	}
	for role := range a.perms {
		for _, r := range rules {
			// A role is its own member in every domain, so this asks casbin's
			// matcher exactly "does role hold (object, action)?".
			ok, err := e.Enforce(role, PlatformDomain, r[1], r[2])
			if err != nil {
				return nil, fmt.Errorf("authz: compile %s: %w", role, err)
			}
			if ok {
				a.perms[role][perm{r[1], r[2]}] = true
				a.masks[perm{r[1], r[2]}] |= roleBit(identity.Role(role))
			}
		}
	}
	return a, nil
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
func (a *Authorizer) Permissions() [][]string { return a.rules }

// Allow reports whether p may do act on obj anywhere in tenant (see Decide
// for the schools a school-scoped role limits it to).
func (a *Authorizer) Allow(ctx context.Context, p identity.Principal, tenant uuid.UUID, obj, act string) (bool, error) {
	g, err := a.Decide(ctx, p, tenant, obj, act)
	return g.Allowed, err
}

// Decide says whether p may do act on obj. tenant is the tenant in the URL,
// or uuid.Nil for platform and self routes. Staff never hold a role in a
// tenant, and a member only ever acts in their own tenant.
func (a *Authorizer) Decide(ctx context.Context, p identity.Principal, tenant uuid.UUID, obj, act string) (Grant, error) {
	want := perm{obj, act}
	switch {
	case p.Kind == identity.KindIntegration:
		// An integration holds scopes, not roles: policies/roles.csv lists
		// each scope's (object, action) pairs as those of a role named
		// "scope:<scope>". It acts in its own tenant only, never on
		// platform or account routes.
		if tenant == uuid.Nil || tenant != p.TenantID {
			return Grant{}, nil
		}
		for _, sc := range p.Scopes {
			if a.perms[ScopeRole(sc)][want] {
				return Grant{Allowed: true}, nil
			}
		}
		return Grant{}, nil
	case tenant == uuid.Nil && obj == "self":
		return Grant{Allowed: a.perms[Anyone][want]}, nil // every signed-in principal manages their own account
	case p.Kind == identity.KindStaff && tenant == uuid.Nil:
		// The role was read with the credential, so it is current. Only
		// processor roles count: staff never hold a tenant role.
		return Grant{Allowed: slices.Contains(identity.StaffRoles, p.StaffRole) && a.perms[string(p.StaffRole)][want]}, nil
	case p.Kind == identity.KindMember && tenant == p.TenantID:
		roles, err := a.roles(ctx, tenant, p.ID)
		if err != nil {
			return Grant{}, err
		}
		mask := a.masks[want]
		if roles.wide&mask != 0 {
			return Grant{Allowed: true}, nil
		}
		var schools []uuid.UUID
		for _, s := range roles.schools {
			if s.roles&mask != 0 {
				schools = append(schools, s.school)
			}
		}
		return Grant{Allowed: len(schools) > 0, Schools: schools}, nil
	}
	return Grant{}, nil
}

// ScopeRole is the policy role that holds an integration scope's
// permissions.
func ScopeRole(scope string) string { return "scope:" + scope }

// ScopeAllows reports whether an integration scope covers (obj, act).
func (a *Authorizer) ScopeAllows(scope, obj, act string) bool {
	return a.perms[ScopeRole(scope)][perm{obj, act}]
}

// roles returns a member's roles in tenant, loading the tenant once.
func (a *Authorizer) roles(ctx context.Context, tenant, person uuid.UUID) (personRoles, error) {
	a.mu.RLock()
	people, ok := a.tenants[tenant]
	gen, epoch := a.gen[tenant], a.epoch
	a.mu.RUnlock()
	if ok {
		return people[person], nil
	}
	// The flight is keyed by the generation too: a request that comes after
	// an invalidation must not join a load that began before it, or it
	// would be answered with the roles from before the change (a person
	// just made a tutor was refused under load).
	key := fmt.Sprintf("%s/%d/%d", tenant, gen, epoch)
	v, err, _ := a.flight.Do(key, func() (any, error) {
		ras, err := a.load(ctx, tenant)
		if err != nil {
			return nil, fmt.Errorf("authz: load tenant %s: %w", tenant, err)
		}
		people := make(map[uuid.UUID]personRoles, len(ras))
		for _, ra := range ras {
			pr := people[ra.PersonID]
			if ra.SchoolID == nil {
				pr.wide |= roleBit(ra.Role)
			} else {
				pr.schools = addSchoolRole(pr.schools, *ra.SchoolID, roleBit(ra.Role))
			}
			people[ra.PersonID] = pr
		}
		a.mu.Lock()
		if a.gen[tenant] == gen && a.epoch == epoch { // not invalidated while loading
			a.tenants[tenant] = people
		}
		a.mu.Unlock()
		return people, nil
	})
	if err != nil {
		return personRoles{}, err
	}
	return v.(map[uuid.UUID]personRoles)[person], nil
}

func addSchoolRole(xs []schoolRoles, school uuid.UUID, r roleSet) []schoolRoles {
	for i := range xs {
		if xs[i].school == school {
			xs[i].roles |= r
			return xs
		}
	}
	return append(xs, schoolRoles{school, r})
}

// Invalidate drops a tenant's cached role assignments.
func (a *Authorizer) Invalidate(tenant uuid.UUID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen[tenant]++
	delete(a.tenants, tenant)
}

// InvalidateAll drops every cached tenant, e.g. after the change
// notifications were interrupted and some may have been missed.
func (a *Authorizer) InvalidateAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.epoch++
	a.tenants = map[uuid.UUID]map[uuid.UUID]personRoles{}
}

// TenantWideOnly are the objects that concern a tenant as a whole (every
// school of a trust): the processor boundary and the controller's
// agreements with the processor. A role scoped to some schools never
// reaches them, even where its role holds the permission.
var TenantWideOnly = map[string]bool{
	"support-request": true, "support-grant": true, "access-log": true, "alert": true, "webhook": true,
	"sub-processor": true, "breach": true, "security-event": true, "processor-records": true, "data-use": true,
	"retention": true, "records-of-processing": true, "tenant-export": true, "usage": true,
	"integration": true, // an integration reads every school of the tenant
}

// IsAdmin reports whether person holds the admin role in tenant, for the
// whole tenant or for some of its schools.
func (a *Authorizer) IsAdmin(ctx context.Context, tenant, person uuid.UUID) (bool, error) {
	roles, err := a.roles(ctx, tenant, person)
	if err != nil {
		return false, err
	}
	bit := roleBit(identity.RoleAdmin)
	if roles.wide&bit != 0 {
		return true, nil
	}
	for _, s := range roles.schools {
		if s.roles&bit != 0 {
			return true, nil
		}
	}
	return false, nil
}
