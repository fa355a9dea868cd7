package identity_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/identity/idptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// An ID token the real provider issued to another client is refused for
// this school's client (its audience), and one with another sign-in's
// nonce is refused; the same token passes for the client it was issued
// to, so it is the audience and the nonce that refuse it.
func TestIDTokenAudienceAndNonce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, LockAfter: 3, LockFor: time.Minute, AllowHTTPIssuer: true})
	op := idptest.OIDC(t)
	callback := "http://127.0.0.1:9/callback"
	idA, _ := op.Client(t, callback)
	idB, secretB := op.Client(t, callback)
	user := "aud-" + uuid.NewString()[:8]
	op.User(t, user, "aud-password-1", map[string]any{"sub": "sub-" + user, "email": user + "@oakfield.example"})

	discovered, err := url.Parse(op.Issuer)
	require.NoError(t, err)
	cfg := oauth2.Config{ClientID: idB, ClientSecret: secretB, RedirectURL: callback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: discovered.JoinPath("oauth2/auth").String(), TokenURL: discovered.JoinPath("oauth2/token").String()}}
	verifier := oauth2.GenerateVerifier()
	back := op.SignIn(t, nil, cfg.AuthCodeURL("state-1234567890", oauth2.SetAuthURLParam("nonce", "nonce-of-b"), oauth2.S256ChallengeOption(verifier)), user, "aud-password-1")
	tok, err := cfg.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, _ := tok.Extra("id_token").(string)
	require.NotEmpty(t, raw)

	forB := identity.Provider{Kind: identity.ProviderOIDC, Issuer: op.Issuer, ClientID: idB}
	require.NoError(t, b.svc.CheckIDToken(ctx, forB, raw, "nonce-of-b"))
	forA := forB
	forA.ClientID = idA
	require.ErrorIs(t, b.svc.CheckIDToken(ctx, forA, raw, "nonce-of-b"), errs.ErrUnauthenticated, "another client's token")
	require.ErrorIs(t, b.svc.CheckIDToken(ctx, forB, raw, "another-nonce"), errs.ErrUnauthenticated, "another sign-in's nonce")
}

// Password sign-in switched off for learners: a learner's right password
// is refused with the way in, the admin's still works, and tenant B's
// learner is not touched. It cannot be switched off before a provider is
// connected (nobody could sign in).
func TestPasswordOffPerRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, LockAfter: 5, LockFor: time.Minute, AllowHTTPIssuer: true,
		SealKey: config.Config{}.BackupIdentity()})
	for _, tn := range []uuid.UUID{b.a, b.b} {
		lee := b.leeA
		if tn == b.b {
			lee = b.leeB
		}
		b.exec(t, tn, `INSERT INTO role_assignments (tenant_id, id, person_id, role) VALUES (?, ?, ?, 'learner')`, tn, uuid.New(), lee)
	}
	admin := access.Member(b.a, b.admins[b.a])
	err := b.svc.SetPasswordOff(ctx, admin, []identity.Role{identity.RoleLearner})
	require.ErrorIs(t, err, errs.ErrInvalid, "no provider yet")

	op := idptest.OIDC(t)
	id, secret := op.Client(t, "http://127.0.0.1:9/callback")
	_, err = b.svc.ConnectProvider(ctx, admin, identity.NewProvider{Kind: identity.ProviderOIDC, Issuer: op.Issuer, ClientID: id, ClientSecret: secret})
	require.NoError(t, err)
	require.Equal(t, int64(0), b.count(t, b.a, `SELECT count(*) FROM sign_in_providers WHERE position(convert_to(?, 'UTF8') in secret_sealed) > 0`, secret),
		"the client secret is sealed")
	require.NoError(t, b.svc.SetPasswordOff(ctx, admin, []identity.Role{identity.RoleLearner}))

	_, _, err = b.svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
	require.ErrorIs(t, err, errs.ErrForbidden)
	require.Contains(t, errs.Public(err), "switched off password sign-in")
	_, _, err = b.svc.Login(ctx, b.b, "lee", leePassword, identity.Client{})
	require.NoError(t, err, "tenant B's learner still uses a password")
	require.Equal(t, int64(1), b.count(t, b.a, `SELECT count(*) FROM member_sign_in_events WHERE outcome = 'refused' AND person_id = ?`, b.leeA))

	require.NoError(t, b.svc.SetPasswordOff(ctx, admin, nil))
	_, _, err = b.svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
	require.NoError(t, err, "switched back on")
}
