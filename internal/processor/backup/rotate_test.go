package backup_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/processor/backup"
)

// Rotating the platform backup key: with the new key listed first and the
// old one after it, Rewrap wraps every tenant's key again; then the new key
// alone reads the backups made before the rotation, and the old key alone
// no longer opens anything.
func TestPlatformBackupKeyRotation(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	b, err := e.App.Backups.Make(ctx, e.A.ID)
	require.NoError(t, err)
	_, err = e.App.Backups.Make(ctx, e.B.ID)
	require.NoError(t, err)

	fresh, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	old := e.App.Config.BackupIdentity()
	both, err := backup.WithKeys(e.App.Backups, fresh.String()+", "+old)
	require.NoError(t, err)
	n, err := both.Rewrap(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n, "both tenants' keys")

	onlyNew, err := backup.WithKeys(e.App.Backups, fresh.String())
	require.NoError(t, err)
	id, err := backup.Identity(onlyNew, ctx, e.A.ID)
	require.NoError(t, err)
	r, err := age.Decrypt(bytes.NewReader(read(t, e, b)), id)
	require.NoError(t, err)
	_, err = io.ReadAll(r)
	require.NoError(t, err)
	_, err = backup.Identity(e.App.Backups, ctx, e.A.ID)
	require.ErrorContains(t, err, "none of the platform backup keys")

	_, err = backup.WithKeys(e.App.Backups, fresh.String()+",not-a-key")
	require.ErrorContains(t, err, "key 2")
}
