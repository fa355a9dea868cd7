package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Sign-in events: a good sign-in, a wrong password, a lock and a name that
// matched nobody are each recorded in the tenant's sign-in events (the
// failures commit although the sign-in fails), with the network and the
// browser in words, never the address or the name typed; the other tenant
// sees none of them; the filters and pages work; the sweep deletes events
// older than a year.
func TestSignInEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: 3, LockFor: time.Minute})
	firefox := identity.Client{IP: "10.1.2.3", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"}
	adminA := access.Member(b.a, b.admins[b.a])

	_, _, err := b.svc.Login(ctx, b.a, "lee", wrong, firefox)
	require.ErrorIs(t, err, errs.ErrUnauthenticated)
	_, _, err = b.svc.Login(ctx, b.a, "nobody-called-this", "typed-in-the-wrong-box", firefox)
	require.ErrorIs(t, err, errs.ErrUnauthenticated)
	_, _, err = b.svc.Login(ctx, b.a, "lee", leePassword, firefox)
	require.NoError(t, err)

	all, err := b.svc.SignIns(ctx, adminA, identity.SignInFilter{}, uuid.Nil, 50)
	require.NoError(t, err)
	require.Len(t, all, 3)
	ok, unknown, bad := all[0], all[1], all[2]
	require.Equal(t, identity.SignInOK, ok.Outcome)
	require.Equal(t, identity.MethodPassword, ok.Method)
	require.Equal(t, b.leeA, *ok.PersonID)
	require.Equal(t, "Lee tenant-a", ok.PersonName)
	require.Equal(t, "10.1.0.0/16", ok.Network, "the network, not the address")
	require.Contains(t, ok.Browser, "Firefox")
	require.Equal(t, identity.SignInUnknown, unknown.Outcome)
	require.Nil(t, unknown.PersonID, "a name that matched nobody names nobody")
	require.Equal(t, identity.SignInWrongPassword, bad.Outcome)
	require.Equal(t, b.leeA, *bad.PersonID)
	require.Zero(t, b.count(t, b.a, `SELECT count(*) FROM member_sign_in_events e
		WHERE strpos(e::text, 'nobody-called-this') > 0 OR strpos(e::text, 'typed-in-the-wrong-box') > 0 OR strpos(e::text, '10.1.2.3') > 0`),
		"neither the name typed, the password nor the address is kept")

	t.Run("filters and pages", func(t *testing.T) {
		fails, err := b.svc.SignIns(ctx, adminA, identity.SignInFilter{FailuresOnly: true}, uuid.Nil, 50)
		require.NoError(t, err)
		require.Len(t, fails, 2)
		lee, err := b.svc.SignIns(ctx, adminA, identity.SignInFilter{Person: &b.leeA}, uuid.Nil, 50)
		require.NoError(t, err)
		require.Len(t, lee, 2)
		first, err := b.svc.SignIns(ctx, adminA, identity.SignInFilter{}, uuid.Nil, 2)
		require.NoError(t, err)
		rest, err := b.svc.SignIns(ctx, adminA, identity.SignInFilter{}, first[1].ID, 2)
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{all[0].ID, all[1].ID}, []uuid.UUID{first[0].ID, first[1].ID})
		require.Len(t, rest, 1)
		require.Equal(t, all[2].ID, rest[0].ID)
		mine, err := b.svc.MySignIns(ctx, identity.Principal{Kind: identity.KindMember, ID: b.leeA, TenantID: b.a}, 10)
		require.NoError(t, err)
		require.Len(t, mine, 2)
	})

	t.Run("the other tenant sees none", func(t *testing.T) {
		other, err := b.svc.SignIns(ctx, access.Member(b.b, b.admins[b.b]), identity.SignInFilter{}, uuid.Nil, 50)
		require.NoError(t, err)
		require.Empty(t, other)
		other, err = b.svc.SignIns(ctx, access.Member(b.b, b.admins[b.b]), identity.SignInFilter{Person: &b.leeA}, uuid.Nil, 50)
		require.NoError(t, err)
		require.Empty(t, other)
	})

	t.Run("a lock is recorded and commits", func(t *testing.T) {
		for range 3 {
			_, _, err := b.svc.Login(ctx, b.b, "lee", wrong, identity.Client{})
			require.Error(t, err)
		}
		_, _, err := b.svc.Login(ctx, b.b, "lee", leePassword, identity.Client{})
		require.ErrorIs(t, err, errs.ErrLocked)
		es, err := b.svc.SignIns(ctx, access.Member(b.b, b.admins[b.b]), identity.SignInFilter{FailuresOnly: true}, uuid.Nil, 50)
		require.NoError(t, err)
		require.Len(t, es, 4)
		require.Equal(t, identity.SignInLocked, es[0].Outcome, "the right password while locked")
		require.Equal(t, identity.SignInWrongPassword, es[1].Outcome)
		require.Contains(t, es[1].Detail, "locked", "the failure that locked it says so")
		require.Empty(t, es[0].Network+es[0].Browser, "no client, nothing recorded")
	})

	t.Run("the sweep deletes events older than a year", func(t *testing.T) {
		b.exec(t, b.a, `UPDATE member_sign_in_events SET at = now() - interval '400 days' WHERE outcome = ?`, identity.SignInUnknown)
		_, err := b.svc.Sweep(ctx, time.Now().Add(-identity.SweepAfter))
		require.NoError(t, err)
		require.Equal(t, int64(2), b.count(t, b.a, `SELECT count(*) FROM member_sign_in_events`))
		require.Zero(t, b.count(t, b.a, `SELECT count(*) FROM member_sign_in_events WHERE outcome = ?`, identity.SignInUnknown))
	})
}
