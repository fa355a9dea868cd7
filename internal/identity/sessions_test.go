package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/config"
)

// The browser and system of a session in words, from its user agent.
func TestDescribeAgent(t *testing.T) {
	t.Parallel()
	for ua, want := range map[string][2]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                        {"Firefox", "Windows"},
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": {"Safari", "iOS"},
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36":                   {"Chrome", "macOS"},
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36":                   {"Chrome", "Android"},
		"": {"", ""},
	} {
		b, s := identity.DescribeAgent(ua)
		require.Equal(t, want, [2]string{b, s}, ua)
	}
	require.Equal(t, "Firefox on Windows", identity.Session{Browser: "Firefox", System: "Windows"}.Device())
	require.Equal(t, "An unknown browser", identity.Session{}.Device())
}

// A session records how it was signed in to: the password alone, or the
// password and then a code; each sign-in, and each refused password, is
// in the tenant's audit trail. The list says the browser and the network,
// never the address; ending the others keeps the caller's own.
func TestSessionMethodAndList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: 5, LockFor: time.Minute,
		SealKey: config.Config{}.BackupIdentity()})
	svc := b.svc
	firefox := identity.Client{UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", IP: "198.51.100.23"}
	var secret string // the last session's
	signIn := func(c identity.Client) identity.Principal {
		t.Helper()
		iss, _, err := svc.Login(ctx, b.a, "lee", leePassword, c)
		require.NoError(t, err)
		secret = iss.Secret
		p, err := svc.Authenticate(ctx, iss.Secret, c.IP)
		require.NoError(t, err)
		return p
	}

	_, _, err := svc.Login(ctx, b.a, "lee", wrong, firefox)
	require.Error(t, err)
	require.Equal(t, int64(0), b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE target = ?`, "person "+b.leeA.String()),
		"sign-ins stay out of the hash-chained trail, which an erasure cannot clear")

	p := signIn(firefox)
	signIn(identity.Client{UserAgent: "curl/8.0", IP: "2001:db8:1:2::5"})
	otherSecret := secret
	list, err := svc.MySessions(ctx, p)
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, s := range list {
		require.Equal(t, identity.MethodPassword, s.Method)
		require.Empty(t, s.IP, "the address is not handed out")
		if s.ID == p.CredentialID {
			require.True(t, s.Current)
			require.Equal(t, "Firefox on Windows", s.Device())
			require.Equal(t, "198.51.0.0/16", s.Network)
		} else {
			require.False(t, s.Current)
			require.Equal(t, "2001:db8:1::/48", s.Network)
		}
	}
	require.Equal(t, int64(2), b.count(t, b.a, `SELECT count(*) FROM member_credentials WHERE person_id = ? AND method = 'password'`, b.leeA))

	// Ending the others keeps this one; the other's next request fails.
	require.NoError(t, svc.EndOtherSessions(ctx, p))
	list, err = svc.MySessions(ctx, p)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, p.CredentialID, list[0].ID)
	_, err = svc.Authenticate(ctx, otherSecret, "2001:db8:1:2::5")
	require.Error(t, err, "the ended session's next request is refused")

	// With two steps on, the password alone is not yet a sign-in; the code
	// makes it one, recorded as such.
	require.NoError(t, svc.StartTwoStep(ctx, p))
	ts, err := svc.TwoStepOf(ctx, p)
	require.NoError(t, err)
	code, err := totp.GenerateCode(ts.Secret, time.Now())
	require.NoError(t, err)
	_, err = svc.ConfirmTwoStep(ctx, p, code, identity.Client{})
	require.NoError(t, err)
	half := signIn(firefox)
	require.Equal(t, identity.SecondStepCode, half.SecondFactor)
	next, err := totp.GenerateCode(ts.Secret, time.Now().Add(30*time.Second))
	require.NoError(t, err)
	require.NoError(t, svc.SecondStep(ctx, half, next, identity.Client{}))
	require.Equal(t, int64(1), b.count(t, b.a, `SELECT count(*) FROM member_credentials WHERE id = ? AND method = 'password+code'`, half.CredentialID))
}
