package authz_test

import (
	"context"
	"sync/atomic"
	"testing"

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
