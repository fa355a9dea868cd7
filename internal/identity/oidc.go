package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Sign-in methods of single sign-on.
const (
	MethodOIDC = "oidc"
	MethodSAML = "saml"
)

// flowLife is how long a sign-in may spend at the provider.
const flowLife = 10 * time.Minute

// discovery keeps each issuer's OpenID configuration and keys (go-oidc
// refreshes the keys itself when a token names a new one), so a sign-in
// does not fetch the configuration every time.
type discovery struct {
	mu     sync.Mutex
	byURL  map[string]discovered
	client *http.Client
}

type discovered struct {
	p  *oidc.Provider
	at time.Time
}

func newDiscovery() *discovery {
	return &discovery{byURL: map[string]discovered{}, client: &http.Client{Timeout: 10 * time.Second}}
}

func (d *discovery) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	d.mu.Lock()
	got, ok := d.byURL[issuer]
	d.mu.Unlock()
	if ok && time.Since(got.at) < time.Hour {
		return got.p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, d.client), issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", issuer, err)
	}
	d.mu.Lock()
	d.byURL[issuer] = discovered{p: p, at: time.Now()}
	d.mu.Unlock()
	return p, nil
}

// refused is a sign-in through a provider that ends on a page saying why.
func refused(format string, args ...any) error {
	return errs.New(errs.ErrUnauthenticated, format, args...)
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func stateHash(state string) []byte {
	h := sha256.Sum256([]byte(state))
	return h[:]
}

// StartOIDC begins a sign-in through one of the school's OpenID
// providers: it keeps the flow's state (hashed), nonce and PKCE verifier
// for ten minutes and returns the provider's address to send the browser
// to, and the state, which the caller also keeps in the browser so the
// answer is taken only from the browser that asked.
func (s *Service) StartOIDC(ctx context.Context, tenant, provider uuid.UUID, callback, next string) (to, state string, err error) {
	var p Provider
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	err = access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		if p, err = providerTx(tx, provider); err != nil {
			return err
		}
		if p.Kind == ProviderSAML {
			return errs.New(errs.ErrNotFound, "That sign-in option is no longer available.")
		}
		if err := tx.Exec(`DELETE FROM sso_flows WHERE expires_at < now()`).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO sso_flows (tenant_id, state_hash, provider_id, nonce, verifier, next, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tenant, stateHash(state), provider, nonce, verifier, next, time.Now().Add(flowLife)).Error
	})
	if err != nil {
		return "", "", err
	}
	op, err := s.discovery.provider(ctx, p.Issuer)
	if err != nil {
		return "", "", errs.New(errs.ErrUnavailable, "Your school's sign-in service (%s) cannot be reached just now. Try again in a few minutes, or sign in another way.", hostOf(p.Issuer))
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	switch {
	case p.Kind == ProviderGoogle && len(p.AllowedDomains) > 0:
		opts = append(opts, oauth2.SetAuthURLParam("hd", p.AllowedDomains[0]))
	case p.Kind == ProviderMicrosoft:
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "select_account"))
	}
	return s.oauthConfig(p, op, callback, "").AuthCodeURL(state, opts...), state, nil
}

func (s *Service) oauthConfig(p Provider, op *oidc.Provider, callback, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.ClientID, ClientSecret: secret, Endpoint: op.Endpoint(),
		RedirectURL: callback, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// OIDCAnswer is what the provider sent back to the callback.
type OIDCAnswer struct {
	State       string // the query's state
	BrowserHeld string // the state the browser kept when the sign-in began
	Code        string
	Error       string // the provider's error, when it refused
	Callback    string
}

// claims are the ID token's claims a school's rules read.
type claims struct {
	Subject           string `json:"sub"`
	Email             string `json:"email"`
	EmailVerified     *bool  `json:"email_verified"`
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
	TenantID          string `json:"tid"`
	ObjectID          string `json:"oid"`
	HostedDomain      string `json:"hd"`
}

// FinishOIDC ends a sign-in through an OpenID provider: the state must be
// the browser's and unused, the code is exchanged with the PKCE verifier,
// and the ID token must be signed by the issuer, for this school's client,
// unexpired, with the flow's nonce, and pass the kind's checks (Entra's
// directory, Google's domain) and the school's domains. The account must
// then be one of the school's people. It returns the session and where
// to go next.
func (s *Service) FinishOIDC(ctx context.Context, tenant uuid.UUID, a OIDCAnswer, c Client) (Issued, Person, string, error) {
	if a.State == "" || a.State != a.BrowserHeld {
		return Issued{}, Person{}, "", s.refuseSSO(ctx, tenant, MethodOIDC, "the answer came to a browser that did not start this sign-in", c,
			refused("This sign-in was not started in this browser, or it has been used already. Start again from your school's sign-in page."))
	}
	var flow struct {
		ProviderID uuid.UUID
		Nonce      string
		Verifier   string
		Next       string
		ExpiresAt  time.Time
	}
	var p Provider
	var late error
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		res := tx.Raw(`DELETE FROM sso_flows WHERE state_hash = ? RETURNING provider_id, nonce, verifier, next, expires_at`, stateHash(a.State)).Scan(&flow)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || time.Now().After(flow.ExpiresAt) {
			late = refused("This sign-in has been used already or took too long. Start again from your school's sign-in page.")
			return recordSignIn(tx, tenant, nil, MethodOIDC, SignInRefused, "answer to no waiting sign-in (replayed or late)", c)
		}
		var err error
		p, err = providerTx(tx, flow.ProviderID)
		return err
	})
	if err == nil {
		err = late
	}
	if err != nil {
		return Issued{}, Person{}, "", err
	}
	if a.Error != "" {
		public, detail := idpRefusal(a.Error)
		return Issued{}, Person{}, "", s.refuseSSO(ctx, tenant, MethodOIDC, detail, c, refused("%s", public))
	}
	cl, err := s.verifyOIDC(ctx, p, a, flow.Nonce, flow.Verifier)
	if errors.Is(err, errs.ErrUnauthenticated) {
		return Issued{}, Person{}, "", s.refuseSSO(ctx, tenant, MethodOIDC, "", c, err)
	}
	if err != nil {
		return Issued{}, Person{}, "", err
	}
	subject := cl.Subject
	if p.Kind == ProviderMicrosoft && cl.ObjectID != "" {
		subject = cl.ObjectID // stable across the directory's apps; sub is per app
	}
	iss, person, err := s.ssoSignIn(ctx, tenant, p, account{Subject: subject, Email: cl.Email, Name: cl.Name,
		Username: cl.PreferredUsername, ExternalID: subject}, MethodOIDC, c)
	return iss, person, flow.Next, err
}

// verifyOIDC exchanges the code and checks the ID token.
func (s *Service) verifyOIDC(ctx context.Context, p Provider, a OIDCAnswer, nonce, verifier string) (claims, error) {
	var cl claims
	op, err := s.discovery.provider(ctx, p.Issuer)
	if err != nil {
		return cl, errs.New(errs.ErrUnavailable, "Your school's sign-in service (%s) cannot be reached just now. Try again in a few minutes.", hostOf(p.Issuer))
	}
	secret, err := s.unseal(p.SecretSealed)
	if err != nil {
		return cl, fmt.Errorf("open client secret of provider %s: %w", p.ID, err)
	}
	hc := oidc.ClientContext(ctx, s.discovery.client)
	tok, err := s.oauthConfig(p, op, a.Callback, secret).Exchange(hc, a.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return cl, refused("Your school's sign-in service would not confirm this sign-in (the code was not for this school, or was used already). Start again.")
		}
		return cl, errs.New(errs.ErrUnavailable, "Your school's sign-in service (%s) cannot be reached just now. Try again in a few minutes.", hostOf(p.Issuer))
	}
	raw, _ := tok.Extra("id_token").(string)
	return s.checkIDToken(ctx, p, op, raw, nonce)
}

// checkIDToken checks an ID token: signed by the issuer, for this
// school's client (audience), unexpired, carrying the flow's nonce, and
// passing the kind's and the school's rules.
func (s *Service) checkIDToken(ctx context.Context, p Provider, op *oidc.Provider, raw, nonce string) (claims, error) {
	var cl claims
	if raw == "" {
		return cl, refused("Your school's sign-in service sent no identity. Ask your school to check the connection.")
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(ctx, raw)
	if err != nil {
		return cl, refused("The identity your school's sign-in service sent was not for this platform, has expired, or is not signed by it. Start again.")
	}
	if idt.Nonce != nonce {
		return cl, refused("The identity your school's sign-in service sent does not belong to this sign-in. Start again.")
	}
	if err := idt.Claims(&cl); err != nil {
		return cl, refused("The identity your school's sign-in service sent could not be read.")
	}
	return cl, checkClaims(p, cl)
}

// checkClaims applies the kind's rules and the school's domains.
func checkClaims(p Provider, cl claims) error {
	// Entra's directory; a provider of another kind that sends tid is
	// held to it too when the school gave one.
	if (p.Kind == ProviderMicrosoft || p.DirectoryID != "") && !strings.EqualFold(cl.TenantID, p.DirectoryID) {
		return refused("This Microsoft account belongs to another organisation. Sign in with your school account.")
	}
	if p.Kind == ProviderGoogle {
		if cl.HostedDomain == "" || !containsFold(p.AllowedDomains, cl.HostedDomain) {
			return refused("This Google account is not one of your school's. Sign in with your school account.")
		}
		if cl.EmailVerified != nil && !*cl.EmailVerified {
			return refused("This Google account's email address is not confirmed.")
		}
	}
	if len(p.AllowedDomains) > 0 {
		at := strings.LastIndexByte(cl.Email, '@')
		if at < 0 || !containsFold(p.AllowedDomains, cl.Email[at+1:]) {
			return refused("This account's email domain is not one your school allows. Sign in with your school account.")
		}
	}
	if cl.Subject == "" {
		return refused("Your school's sign-in service sent no account id.")
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
