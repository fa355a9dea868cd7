package integration

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
)

// TokenLifespan is how long an access token lasts. An integration asks
// for a new one when it ends; revocation does not wait for it.
const TokenLifespan = time.Hour

// Identifiers carry their tenant, as the platform's other credentials do,
// so every look-up runs inside that tenant's row-level security:
//
//	client id:    lms_ci_<tenant id, 32 hex>_<22 chars of base64url>
//	access token: lms_at_<tenant id, 32 hex>_<fosite's HMAC token>
//
// fosite makes and checks the token after the prefix; only its HMAC
// signature is stored.
const (
	clientPrefix = "lms_ci_"
	tokenPrefix  = "lms_at_"
)

// tenantOf reads the tenant from an identifier with prefix; rest is what
// follows the tenant.
func tenantOf(s, prefix string) (tenant uuid.UUID, rest string, ok bool) {
	body, found := strings.CutPrefix(s, prefix)
	if !found || len(body) < 34 || body[32] != '_' {
		return uuid.Nil, "", false
	}
	raw, err := hex.DecodeString(body[:32])
	if err != nil {
		return uuid.Nil, "", false
	}
	t, err := uuid.FromBytes(raw)
	if err != nil || t == uuid.Nil {
		return uuid.Nil, "", false
	}
	return t, body[33:], true
}

// IsToken reports whether a bearer secret looks like an integration's
// access token (the kernel then asks this package, not identity).
func IsToken(secret string) bool {
	_, _, ok := tenantOf(secret, tokenPrefix)
	return ok
}

// strategy is fosite's HMAC-SHA strategy with the tenant prefix on access
// tokens.
type strategy struct {
	*oauth2.HMACSHAStrategyUnPrefixed
}

func (s strategy) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	cl, ok := r.GetClient().(*client)
	if !ok {
		return "", "", fmt.Errorf("integration: unexpected client type %T", r.GetClient())
	}
	token, sig, err := s.HMACSHAStrategyUnPrefixed.GenerateAccessToken(ctx, r)
	if err != nil {
		return "", "", err
	}
	return tokenPrefix + hex.EncodeToString(cl.in.TenantID[:]) + "_" + token, sig, nil
}

func (s strategy) AccessTokenSignature(ctx context.Context, token string) string {
	_, rest, _ := tenantOf(token, tokenPrefix)
	return s.HMACSHAStrategyUnPrefixed.AccessTokenSignature(ctx, rest)
}

func (s strategy) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	_, rest, ok := tenantOf(token, tokenPrefix)
	if !ok {
		return fosite.ErrInvalidTokenFormat
	}
	return s.HMACSHAStrategyUnPrefixed.ValidateAccessToken(ctx, r, rest)
}

// newProvider composes fosite for the client-credentials grant and for
// checking access tokens (introspection, used by the request chain), and
// nothing else: no authorize endpoint, no refresh tokens. secret keys the
// HMAC of access tokens; it is derived from the platform's ledger key so
// every replica agrees without another secret to deploy.
func newProvider(st *store, secret []byte) (fosite.OAuth2Provider, *fosite.Config, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, "lms oauth2 access tokens", 32)
	if err != nil {
		return nil, nil, fmt.Errorf("integration: token key: %w", err)
	}
	cfg := &fosite.Config{
		AccessTokenLifespan: TokenLifespan,
		GlobalSecret:        key,
		ScopeStrategy:       fosite.ExactScopeStrategy,
		// Client secrets are bcrypt hashes (fosite's hasher). Cost 10, the
		// OWASP floor: the secret is 256 random bits, so the hash's work
		// guards nothing guessable, and each token request pays it.
		HashCost: 10,
		// Errors say what was wrong, never why in depth.
		SendDebugMessagesToClients: false,
	}
	hmacs := compose.NewOAuth2HMACStrategy(cfg)
	strat := strategy{HMACSHAStrategyUnPrefixed: hmacs.HMACSHAStrategyUnPrefixed}
	p := compose.Compose(cfg, st, strat,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2TokenIntrospectionFactory,
	)
	return p, cfg, nil
}

// client is an integration as fosite sees it.
type client struct {
	in   Integration
	hash []byte
}

var _ fosite.Client = (*client)(nil)

func (c *client) GetID() string                      { return c.in.ClientID }
func (c *client) GetHashedSecret() []byte            { return c.hash }
func (c *client) GetRedirectURIs() []string          { return nil }
func (c *client) GetGrantTypes() fosite.Arguments    { return fosite.Arguments{"client_credentials"} }
func (c *client) GetResponseTypes() fosite.Arguments { return fosite.Arguments{"token"} }
func (c *client) IsPublic() bool                     { return false }
func (c *client) GetAudience() fosite.Arguments      { return nil }

func (c *client) GetScopes() fosite.Arguments {
	out := make(fosite.Arguments, len(c.in.Scopes))
	for i, s := range c.in.Scopes {
		out[i] = string(s)
	}
	return out
}
