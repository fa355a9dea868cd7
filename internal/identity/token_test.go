package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Personal API tokens: what makes one authenticate, and what stops it.
func TestToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const maxTTL = 30 * 24 * time.Hour

	setup := func(t *testing.T) *idBundle {
		return idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: maxTTL, LockAfter: 5, LockFor: time.Minute})
	}
	leeA := func(b *idBundle) identity.Principal {
		return identity.Principal{Kind: identity.KindMember, ID: b.leeA, TenantID: b.a}
	}
	create := func(t *testing.T, b *idBundle, p identity.Principal) identity.Issued {
		t.Helper()
		iss, err := b.svc.CreateToken(ctx, p, "nightly export", 7*24*time.Hour)
		require.NoError(t, err)
		return iss
	}
	authenticate := func(b *idBundle, secret string) (identity.Principal, error) {
		return b.svc.Authenticate(ctx, secret, "192.0.2.10")
	}

	t.Run("CreatedAndUsed", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		iss := create(t, b, leeA(b))
		require.Equal(t, "token", iss.Kind)
		require.WithinDuration(t, time.Now().Add(7*24*time.Hour), iss.ExpiresAt, time.Minute)
		p, err := authenticate(b, iss.Secret)
		require.NoError(t, err)
		require.Equal(t, identity.KindMember, p.Kind)
		require.Equal(t, b.leeA, p.ID)
		require.Equal(t, b.a, p.TenantID)
		require.Equal(t, iss.ID, p.CredentialID)
		// Use is recorded (at most once a minute); a token's end does not
		// move with use, as a session's does.
		b.exec(t, b.a, `UPDATE member_credentials SET last_seen_at = now() - interval '2 minutes' WHERE id = ?`, iss.ID)
		_, err = authenticate(b, iss.Secret)
		require.NoError(t, err)
		mine, err := b.svc.MyCredentials(ctx, p, database.Page{})
		require.NoError(t, err)
		require.Len(t, mine, 1)
		require.WithinDuration(t, time.Now(), mine[0].LastSeenAt, 30*time.Second)
		require.WithinDuration(t, iss.ExpiresAt, mine[0].ExpiresAt, time.Second)
		// Use from a new network is signalled to A's admins, not B's.
		_, err = b.svc.Authenticate(ctx, iss.Secret, "198.51.100.7")
		require.NoError(t, err)
		const signals = `SELECT count(*) FROM security_events WHERE kind = 'token-new-network'`
		require.EqualValues(t, 1, b.count(t, b.a, signals))
		require.EqualValues(t, 0, b.count(t, b.b, signals))
	})

	t.Run("LifetimeIsCapped", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.svc.CreateToken(ctx, leeA(b), "too long", maxTTL+24*time.Hour)
		var fe errs.FieldErrors
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "expires_in_days", fe[0].Field)
		iss, err := b.svc.CreateToken(ctx, leeA(b), "longest", maxTTL)
		require.NoError(t, err)
		require.WithinDuration(t, time.Now().Add(maxTTL), iss.ExpiresAt, time.Minute)
		// Asking for no particular lifetime gets the default, within the
		// cap (90 days, or the cap when it is shorter).
		iss, err = b.svc.CreateToken(ctx, leeA(b), "default", 0)
		require.NoError(t, err)
		require.WithinDuration(t, time.Now().Add(maxTTL), iss.ExpiresAt, time.Minute)
	})

	t.Run("ExpiredIsRefused", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		iss := create(t, b, leeA(b))
		b.exec(t, b.a, `UPDATE member_credentials SET expires_at = now() - interval '1 second' WHERE id = ?`, iss.ID)
		_, err := authenticate(b, iss.Secret)
		require.ErrorIs(t, err, errs.ErrUnauthenticated)
		mine, err := b.svc.MyCredentials(ctx, leeA(b), database.Page{})
		require.NoError(t, err)
		require.Empty(t, mine, "an expired token is not listed")
	})

	t.Run("RevokedIsRefused", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		own, byAdmin := create(t, b, leeA(b)), create(t, b, leeA(b))
		require.NoError(t, b.svc.RevokeMine(ctx, leeA(b), own.ID))
		_, err := authenticate(b, own.Secret)
		require.ErrorIs(t, err, errs.ErrUnauthenticated)
		require.ErrorIs(t, b.svc.RevokeMine(ctx, leeA(b), own.ID), errs.ErrNotFound, "revoked once")
		admin := access.Member(b.a, b.admins[b.a])
		require.NoError(t, b.svc.RevokePersonCredential(ctx, admin, b.leeA, byAdmin.ID))
		_, err = authenticate(b, byAdmin.Secret)
		require.ErrorIs(t, err, errs.ErrUnauthenticated)
	})

	t.Run("StaysInItsTenant", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		iss := create(t, b, leeA(b))
		// The secret names its tenant; naming B instead finds nothing.
		forged := strings.Replace(iss.Secret, strings.ReplaceAll(b.a.String(), "-", ""), strings.ReplaceAll(b.b.String(), "-", ""), 1)
		require.NotEqual(t, iss.Secret, forged)
		_, err := authenticate(b, forged)
		require.ErrorIs(t, err, errs.ErrUnauthenticated)
		// B's lookups do not see A's credentials at all.
		require.EqualValues(t, 1, b.count(t, b.a, `SELECT count(*) FROM member_credentials WHERE id = ?`, iss.ID))
		require.EqualValues(t, 0, b.count(t, b.b, `SELECT count(*) FROM member_credentials WHERE id = ?`, iss.ID))
		// Neither B's admin nor B's lee can list or end it.
		adminB := access.Member(b.b, b.admins[b.b])
		_, err = b.svc.PersonCredentials(ctx, adminB, b.leeA, database.Page{})
		require.ErrorIs(t, err, errs.ErrNotFound)
		require.ErrorIs(t, b.svc.RevokePersonCredential(ctx, adminB, b.leeA, iss.ID), errs.ErrNotFound)
		leeB := identity.Principal{Kind: identity.KindMember, ID: b.leeB, TenantID: b.b}
		require.ErrorIs(t, b.svc.RevokeMine(ctx, leeB, iss.ID), errs.ErrNotFound)
		_, err = authenticate(b, iss.Secret)
		require.NoError(t, err, "still A's, still working")
	})

	t.Run("SuspendedPersonIsRefused", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		iss := create(t, b, leeA(b))
		// The account's state is checked on every use...
		b.exec(t, b.a, `UPDATE people SET status = 'suspended' WHERE id = ?`, b.leeA)
		_, err := authenticate(b, iss.Secret)
		require.ErrorIs(t, err, errs.ErrUnauthenticated)
		b.exec(t, b.a, `UPDATE people SET status = 'active' WHERE id = ?`, b.leeA)
		_, err = authenticate(b, iss.Secret)
		require.NoError(t, err)
		// ...and suspending through the service ends the token for good.
		admin := access.Member(b.a, b.admins[b.a])
		suspended, active := identity.PersonStatus("suspended"), identity.PersonStatus("active")
		_, err = b.svc.UpdatePerson(ctx, admin, b.leeA, identity.PersonPatch{Status: &suspended})
		require.NoError(t, err)
		_, err = b.svc.UpdatePerson(ctx, admin, b.leeA, identity.PersonPatch{Status: &active})
		require.NoError(t, err)
		_, err = authenticate(b, iss.Secret)
		require.ErrorIs(t, err, errs.ErrUnauthenticated)
	})
}
