package identity_test

import (
	"context"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Two-step sign-in with TOTP: set up with a first code, a password then
// opens only a half-signed-in session; a wrong code, a code a step too far
// and a replayed code are refused (and count toward the lockout); a
// recovery code works once; the secret is stored sealed.
func TestTwoStepSignIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: 3, LockFor: time.Minute,
		SealKey: config.Config{}.BackupIdentity()})
	svc := b.svc
	var secret string // the last session's
	signIn := func() identity.Principal {
		t.Helper()
		iss, _, err := svc.Login(ctx, b.a, "lee", leePassword, identity.Client{IP: "192.0.2.1"})
		require.NoError(t, err)
		secret = iss.Secret
		p, err := svc.Authenticate(ctx, iss.Secret, "192.0.2.1")
		require.NoError(t, err)
		require.Equal(t, iss.SecondFactor, p.SecondFactor)
		return p
	}

	// Before it is set up, a password is enough.
	p := signIn()
	require.Empty(t, p.SecondFactor)
	require.NoError(t, svc.StartTwoStep(ctx, p))
	ts, err := svc.TwoStepOf(ctx, p)
	require.NoError(t, err)
	require.True(t, ts.Setting)
	require.False(t, ts.On)
	require.Contains(t, ts.URL, "otpauth://totp/")
	require.Equal(t, int64(0), b.count(t, b.a, `SELECT count(*) FROM member_totp WHERE position(convert_to(?, 'UTF8') in secret_sealed) > 0`, ts.Secret),
		"the secret is sealed, not stored as it is")

	_, err = svc.ConfirmTwoStep(ctx, p, "000000", identity.Client{})
	require.ErrorIs(t, err, errs.ErrInvalid)
	now := time.Now()
	code, err := totp.GenerateCode(ts.Secret, now)
	require.NoError(t, err)
	codes, err := svc.ConfirmTwoStep(ctx, p, code, identity.Client{})
	require.NoError(t, err)
	require.Len(t, codes, 10)
	require.Equal(t, int64(10), b.count(t, b.a, `SELECT count(*) FROM member_recovery_codes WHERE person_id = ?`, b.leeA))
	require.Equal(t, int64(1), b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE action = 'two-step.on'`))

	// Now the password opens a session that owes a code.
	p = signIn()
	require.Equal(t, identity.SecondStepCode, p.SecondFactor)
	halfLife := `SELECT count(*) FROM member_credentials WHERE id = ? AND expires_at < now() + interval '16 minutes'`
	require.Equal(t, int64(1), b.count(t, b.a, halfLife, p.CredentialID), "a half-signed-in session lives minutes, not hours")
	// The code that confirmed the set-up was used: it is not accepted again.
	require.ErrorIs(t, svc.SecondStep(ctx, p, code, identity.Client{}), errs.ErrInvalid, "replayed code")
	// Two steps away is too far.
	far, _ := totp.GenerateCode(ts.Secret, now.Add(-90*time.Second))
	require.ErrorIs(t, svc.SecondStep(ctx, p, far, identity.Client{}), errs.ErrInvalid)
	require.Equal(t, int64(2), b.count(t, b.a, `SELECT failed_logins FROM people WHERE id = ?`, b.leeA), "wrong codes count toward the lockout")
	require.Equal(t, int64(2), b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE action = 'two-step.failed'`))
	require.Equal(t, int64(2), b.count(t, b.a, `SELECT count(*) FROM member_sign_in_events WHERE person_id = ? AND method = ? AND outcome = ?`,
		b.leeA, identity.MethodPasswordCode, identity.SignInSecondStepFailed), "and in the sign-in events")
	p2, err := svc.Authenticate(ctx, secret, "192.0.2.1")
	require.NoError(t, err)
	require.Equal(t, identity.SecondStepCode, p2.SecondFactor, "the session is still half signed in")

	// The next step's code (within one step) is accepted, once.
	next, _ := totp.GenerateCode(ts.Secret, now.Add(30*time.Second))
	require.NoError(t, svc.SecondStep(ctx, p, next, identity.Client{}))
	full, err := svc.Authenticate(ctx, secret, "192.0.2.1")
	require.NoError(t, err)
	require.Empty(t, full.SecondFactor)
	require.Equal(t, int64(0), b.count(t, b.a, halfLife, p.CredentialID), "signed in, it lives as any session")
	require.Equal(t, int64(1), b.count(t, b.a, `SELECT count(*) FROM member_sign_in_events WHERE person_id = ? AND method = ? AND outcome = ?`,
		b.leeA, identity.MethodPasswordCode, identity.SignInOK), "a sign-in with its code")
	require.Equal(t, int64(0), b.count(t, b.a, `SELECT failed_logins FROM people WHERE id = ?`, b.leeA))
	p = signIn()
	require.ErrorIs(t, svc.SecondStep(ctx, p, next, identity.Client{}), errs.ErrInvalid, "replayed code")

	// A recovery code works once.
	require.NoError(t, svc.SecondStep(ctx, p, codes[3], identity.Client{}))
	p = signIn()
	require.ErrorIs(t, svc.SecondStep(ctx, p, codes[3], identity.Client{}), errs.ErrInvalid, "a used recovery code")
	// Enough failures lock the account, like wrong passwords (3 here).
	require.ErrorIs(t, svc.SecondStep(ctx, p, "222222", identity.Client{}), errs.ErrInvalid)
	require.ErrorIs(t, svc.SecondStep(ctx, p, "111111", identity.Client{}), errs.ErrLocked)
	_, _, err = svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
	require.ErrorIs(t, err, errs.ErrLocked)
}

// The tenant's rule: its admins without an authenticator get a session
// that owes the set-up; other people are not affected.
func TestAdminsTwoStepRequired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: 4, LockFor: time.Minute,
		SealKey: config.Config{}.BackupIdentity()})
	b.exec(t, b.a, `UPDATE tenants SET admins_two_step = true WHERE id = ?`, b.a)
	iss, _, err := b.svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
	require.NoError(t, err)
	require.Empty(t, iss.SecondFactor, "not an admin")
	b.exec(t, b.a, `INSERT INTO role_assignments (tenant_id, id, person_id, role) VALUES (?, gen_random_uuid(), ?, 'approver')`, b.a, b.leeA)
	iss, _, err = b.svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
	require.NoError(t, err)
	require.Equal(t, identity.SecondStepSetup, iss.SecondFactor, "an approver must set it up")
	iss, _, err = b.svc.Login(ctx, b.b, "lee", leePassword, identity.Client{})
	require.NoError(t, err)
	require.Empty(t, iss.SecondFactor, "the other tenant did not turn it on")
}

// A platform key rotation: with NEW,OLD both open the secrets; resealing
// moves every secret to NEW, after which NEW alone signs people in.
func TestTwoStepKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old := config.Config{}.BackupIdentity()
	settings := func(key string) identity.Settings {
		return identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: 5, LockFor: time.Minute, SealKey: key}
	}
	b := idSetup(t, settings(old))
	iss, _, err := b.svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
	require.NoError(t, err)
	p, err := b.svc.Authenticate(ctx, iss.Secret, "")
	require.NoError(t, err)
	require.NoError(t, b.svc.StartTwoStep(ctx, p))
	ts, err := b.svc.TwoStepOf(ctx, p)
	require.NoError(t, err)
	code, _ := totp.GenerateCode(ts.Secret, time.Now())
	_, err = b.svc.ConfirmTwoStep(ctx, p, code, identity.Client{})
	require.NoError(t, err)

	// A school's sign-in provider secret is sealed to the same key.
	_, err = b.svc.ConnectProvider(ctx, access.Member(b.b, b.admins[b.b]), identity.NewProvider{Kind: identity.ProviderMicrosoft,
		DirectoryID: uuid.NewString(), ClientID: "lms-client", ClientSecret: "a-client-secret"})
	require.NoError(t, err)

	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	signIn := func(svc *identity.Service) error {
		iss, _, err := svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
		require.NoError(t, err)
		p, err := svc.Authenticate(ctx, iss.Secret, "")
		require.NoError(t, err)
		next, _ := totp.GenerateCode(ts.Secret, time.Now().Add(30*time.Second))
		return svc.SecondStep(ctx, p, next, identity.Client{})
	}
	newOnly := identity.NewService(b.db.App, settings(id.String()))
	require.Error(t, signIn(newOnly), "the new key alone cannot open a secret sealed to the old one")
	both := identity.NewService(b.db.App, settings(id.String()+","+old))
	n, err := both.ResealTwoStep(ctx, []uuid.UUID{b.a, b.b})
	require.NoError(t, err)
	require.Equal(t, 2, n, "the authenticator and the provider secret")
	require.NoError(t, signIn(newOnly), "resealed: the new key alone opens it")
	_, err = newOnly.ResealTwoStep(ctx, []uuid.UUID{b.a, b.b})
	require.NoError(t, err, "the new key alone opens every sealed secret")
}

// New recovery codes need a current code; the old ones stop working.
func TestRenewRecoveryCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: 5, LockFor: time.Minute,
		SealKey: config.Config{}.BackupIdentity()})
	login := func() identity.Principal {
		iss, _, err := b.svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
		require.NoError(t, err)
		p, err := b.svc.Authenticate(ctx, iss.Secret, "")
		require.NoError(t, err)
		return p
	}
	p := login()
	require.NoError(t, b.svc.StartTwoStep(ctx, p))
	ts, err := b.svc.TwoStepOf(ctx, p)
	require.NoError(t, err)
	now := time.Now()
	first, _ := totp.GenerateCode(ts.Secret, now)
	old, err := b.svc.ConfirmTwoStep(ctx, p, first, identity.Client{})
	require.NoError(t, err)
	_, err = b.svc.RenewRecoveryCodes(ctx, p, first, identity.Client{})
	require.ErrorIs(t, err, errs.ErrInvalid, "a used code does not make new recovery codes")
	next, _ := totp.GenerateCode(ts.Secret, now.Add(30*time.Second))
	fresh, err := b.svc.RenewRecoveryCodes(ctx, p, next, identity.Client{})
	require.NoError(t, err)
	require.Len(t, fresh, 10)
	require.NotEqual(t, old, fresh)
	p = login()
	require.ErrorIs(t, b.svc.SecondStep(ctx, p, old[0], identity.Client{}), errs.ErrInvalid, "the old codes stop working")
	require.NoError(t, b.svc.SecondStep(ctx, p, fresh[0], identity.Client{}))
}
