package authz_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
)

type testBundle struct {
	a      *authz.Authorizer
	loads  atomic.Int32
	roles  map[uuid.UUID][]identity.RoleAssignment
	tA, tB uuid.UUID
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	b := &testBundle{tA: uuid.New(), tB: uuid.New(), roles: map[uuid.UUID][]identity.RoleAssignment{}}
	var err error
	b.a, err = authz.New(func(_ context.Context, tenant uuid.UUID) ([]identity.RoleAssignment, error) {
		b.loads.Add(1)
		return b.roles[tenant], nil
	})
	require.NoError(t, err)
	return b
}

func member(tenant uuid.UUID) identity.Principal {
	return identity.Principal{Kind: identity.KindMember, ID: uuid.New(), TenantID: tenant}
}

func TestAllow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	admin, learner := member(b.tA), member(b.tA)
	b.roles[b.tA] = []identity.RoleAssignment{{PersonID: admin.ID, Role: "admin"}, {PersonID: learner.ID, Role: "learner"}}
	adminB := member(b.tB)
	b.roles[b.tB] = []identity.RoleAssignment{{PersonID: adminB.ID, Role: "admin"}}
	operator := identity.Principal{Kind: identity.KindStaff, ID: uuid.New(), StaffRole: "operator"}

	for _, tc := range []struct {
		name   string
		p      identity.Principal
		tenant uuid.UUID
		obj    string
		act    string
		want   bool
	}{
		{"admin reads people", admin, b.tA, "person", "read", true},
		{"learner cannot read people", learner, b.tA, "person", "read", false},
		{"learner reads tenant", learner, b.tA, "tenant", "read", true},
		{"admin of B in A", adminB, b.tA, "person", "read", false},
		{"operator in a tenant", operator, b.tA, "person", "read", false},
		{"operator on platform", operator, uuid.Nil, "platform-tenant", "write", true},
		{"member on platform", admin, uuid.Nil, "platform-tenant", "read", false},
		{"anyone manages self", learner, uuid.Nil, "self", "write", true},
		{"support writes tenants", identity.Principal{Kind: identity.KindStaff, StaffRole: "support"}, uuid.Nil, "platform-tenant", "write", false},
	} {
		got, err := b.a.Allow(ctx, tc.p, tc.tenant, tc.obj, tc.act)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, tc.name)
	}
}

func TestTenantsLoadOnceAndReloadAfterInvalidate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	p := member(b.tA)
	for i := 0; i < 5; i++ {
		ok, err := b.a.Allow(ctx, p, b.tA, "person", "read")
		require.NoError(t, err)
		require.False(t, ok)
	}
	require.EqualValues(t, 1, b.loads.Load())
	b.roles[b.tA] = []identity.RoleAssignment{{PersonID: p.ID, Role: "admin"}}
	ok, _ := b.a.Allow(ctx, p, b.tA, "person", "read")
	require.False(t, ok, "cached until invalidated")
	b.a.Invalidate(b.tA)
	ok, _ = b.a.Allow(ctx, p, b.tA, "person", "read")
	require.True(t, ok)
	require.EqualValues(t, 2, b.loads.Load())
	b.roles[b.tA] = nil
	b.a.InvalidateAll()
	ok, _ = b.a.Allow(ctx, p, b.tA, "person", "read")
	require.False(t, ok)
}

// Allow agrees with a full casbin enforcer holding the same role
// assignments as domain role links, for every permission in the policy,
// an unknown one, and principals of other tenants and staff.
func TestMatchesCasbin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	e, rules, err := authz.NewEnforcer()
	require.NoError(t, err)
	roles := identity.TenantRoles
	var people []identity.Principal
	for _, tenant := range []uuid.UUID{b.tA, b.tB} {
		for j := 0; j < 12; j++ {
			p := member(tenant)
			people = append(people, p)
			for k, r := range roles { // every combination of roles, including none
				if (j>>k)&1 == 1 {
					b.roles[tenant] = append(b.roles[tenant], identity.RoleAssignment{PersonID: p.ID, Role: r})
					_, err := e.AddGroupingPolicy(p.Subject(), string(r), tenant.String())
					require.NoError(t, err)
				}
			}
		}
	}
	checks := append([][]string{}, rules...)
	checks = append(checks, []string{"", "nothing", "read"}, []string{"", "person", "delete"})
	compared := 0
	for _, p := range people {
		for _, tenant := range []uuid.UUID{b.tA, b.tB} {
			for _, c := range checks {
				if c[1] == "self" {
					continue // self is decided without a tenant
				}
				want, err := e.Enforce(p.Subject(), tenant.String(), c[1], c[2])
				require.NoError(t, err)
				if tenant != p.TenantID {
					want = false // a member never acts in another tenant
				}
				got, err := b.a.Allow(ctx, p, tenant, c[1], c[2])
				require.NoError(t, err)
				require.Equal(t, want, got, "%s in %s: %s %s", p.Subject(), tenant, c[2], c[1])
				compared++
			}
		}
	}
	for _, role := range []string{"operator", "support", "admin", ""} {
		staff := identity.Principal{Kind: identity.KindStaff, ID: uuid.New(), StaffRole: identity.StaffRole(role)}
		for _, c := range checks {
			want, err := e.Enforce(role, authz.PlatformDomain, c[1], c[2])
			require.NoError(t, err)
			if role == "admin" {
				want = false // a tenant role name on a staff member grants nothing on the platform
			}
			if c[1] == "self" {
				want = true
			}
			got, err := b.a.Allow(ctx, staff, uuid.Nil, c[1], c[2])
			require.NoError(t, err)
			require.Equal(t, want, got, "staff %q: %s %s", role, c[2], c[1])
		}
	}
	require.Greater(t, compared, 500)
}

// A request that starts after an invalidation never receives the roles of
// a load that began before it (under load a person just given a role was
// refused: the later request joined the earlier, stale load).
func TestLoadStartedBeforeInvalidateIsNotShared(t *testing.T) {
	t.Parallel()
	tenant := uuid.New()
	p := member(tenant)
	var calls atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	a, err := authz.New(func(_ context.Context, _ uuid.UUID) ([]identity.RoleAssignment, error) {
		if calls.Add(1) == 1 { // the load from before the change: slow and stale
			close(started)
			<-release
			return nil, nil
		}
		return []identity.RoleAssignment{{PersonID: p.ID, Role: "admin"}}, nil
	})
	require.NoError(t, err)
	ctx := context.Background()

	before := make(chan bool)
	go func() {
		ok, _ := a.Allow(ctx, p, tenant, "person", "read")
		before <- ok
	}()
	<-started
	a.Invalidate(tenant) // the role was given and committed

	after := make(chan bool)
	go func() {
		ok, _ := a.Allow(ctx, p, tenant, "person", "read")
		after <- ok
	}()
	select {
	case ok := <-after:
		require.True(t, ok, "the request after the change sees the new role")
	case <-time.After(5 * time.Second):
		close(release)
		require.Fail(t, "the request after the change waited for the stale load")
	}
	close(release)
	require.False(t, <-before, "the request before the change may see the old roles")
}
