package identity_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/identity/idptest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// ID tokens the real provider signed, for the school's own client and
// with the right nonce, but for an account of another organisation: the
// Microsoft kind refuses another directory (tid) or none, the Google kind
// another hosted domain (hd), none (a personal account) or an unconfirmed
// address, and any kind an address outside the school's domains. The
// same checks pass the school's own accounts, so it is the claim that
// refuses.
func TestIDTokenOfAnotherOrganisation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, LockAfter: 3, LockFor: time.Minute, AllowHTTPIssuer: true})
	op := idptest.OIDC(t)
	callback := "http://127.0.0.1:9/callback"
	client, secret := op.Client(t, callback)
	issuer, err := url.Parse(op.Issuer)
	require.NoError(t, err)
	cfg := oauth2.Config{ClientID: client, ClientSecret: secret, RedirectURL: callback, Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: issuer.JoinPath("oauth2/auth").String(), TokenURL: issuer.JoinPath("oauth2/token").String()}}
	// token signs an account with claims in at the provider and returns
	// the ID token it issues to the school's client.
	token := func(t *testing.T, claims map[string]any) string {
		user := "org-" + uuid.NewString()[:8]
		claims["sub"] = "sub-" + user
		op.User(t, user, "org-password-1", claims)
		verifier := oauth2.GenerateVerifier()
		back := op.SignIn(t, nil, cfg.AuthCodeURL("state-1234567890", oauth2.SetAuthURLParam("nonce", "the-nonce"),
			oauth2.S256ChallengeOption(verifier)), user, "org-password-1")
		tok, err := cfg.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
		require.NoError(t, err)
		raw, _ := tok.Extra("id_token").(string)
		require.NotEmpty(t, raw)
		return raw
	}
	dir, otherDir := uuid.NewString(), uuid.NewString()
	microsoft := identity.Provider{Kind: identity.ProviderMicrosoft, Issuer: op.Issuer, ClientID: client, DirectoryID: dir}
	google := identity.Provider{Kind: identity.ProviderGoogle, Issuer: op.Issuer, ClientID: client, AllowedDomains: []string{"oakfield.example"}}
	other := identity.Provider{Kind: identity.ProviderOIDC, Issuer: op.Issuer, ClientID: client, DirectoryID: dir}
	yes, no := true, false
	for _, c := range []struct {
		name   string
		p      identity.Provider
		claims map[string]any
		refuse string // empty: accepted
	}{
		{"the school's directory, any case", microsoft, map[string]any{"tid": strings.ToUpper(dir), "email": "a@oakfield.example"}, ""},
		{"another directory", microsoft, map[string]any{"tid": otherDir, "email": "a@oakfield.example"}, "another organisation"},
		{"no directory", microsoft, map[string]any{"email": "a@oakfield.example"}, "another organisation"},
		{"another directory at another provider", other, map[string]any{"tid": otherDir}, "another organisation"},
		{"the school's domain", google, map[string]any{"hd": "oakfield.example", "email": "g@oakfield.example", "email_verified": yes}, ""},
		{"another hosted domain", google, map[string]any{"hd": "elsewhere.example", "email": "g@elsewhere.example", "email_verified": yes}, "not one of your school's"},
		{"a personal account", google, map[string]any{"email": "g@oakfield.example", "email_verified": yes}, "not one of your school's"},
		{"an unconfirmed address", google, map[string]any{"hd": "oakfield.example", "email": "g@oakfield.example", "email_verified": no}, "not confirmed"},
		{"an address outside the school's domains", google, map[string]any{"hd": "oakfield.example", "email": "g@elsewhere.example", "email_verified": yes}, "email domain"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := b.svc.CheckIDToken(ctx, c.p, token(t, c.claims), "the-nonce")
			if c.refuse == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, errs.ErrUnauthenticated)
			require.Contains(t, errs.Public(err), c.refuse)
		})
	}
}
