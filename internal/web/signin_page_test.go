package web_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

// At nine o'clock a whole school opens its sign-in page: once read, the
// page is served from memory (issue 28). With the tables its options
// come from taken away, it still answers; a school it has not seen yet
// needs them (and fails here, which shows the test would notice a read).
func TestSignInPageIsServedFromMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	require.Equal(t, 200, e.Anonymous().Do("GET", "/signin?tenant=tenant-a", nil).Status)

	owner, err := pgx.Connect(ctx, e.DB.OwnerURL)
	require.NoError(t, err)
	_, err = owner.Exec(ctx, `ALTER TABLE tenants RENAME TO tenants_away; ALTER TABLE sign_in_providers RENAME TO sign_in_providers_away`)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := owner.Exec(context.Background(), `ALTER TABLE tenants_away RENAME TO tenants; ALTER TABLE sign_in_providers_away RENAME TO sign_in_providers`)
		require.NoError(t, err)
		require.NoError(t, owner.Close(context.Background()))
	})
	r := e.Anonymous().Do("GET", "/signin?tenant=Tenant-A", nil)
	require.Equal(t, 200, r.Status, r.Text())
	require.Contains(t, r.Text(), "Sign in")
	require.NotEqual(t, 200, e.Anonymous().Do("GET", "/signin?tenant=tenant-b", nil).Status, "a school not seen yet is read from the tables")
}
