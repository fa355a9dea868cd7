package idptest

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// OIDCProvider is the running OpenID provider (ORY Hydra) and its user
// directory.
type OIDCProvider struct {
	// Issuer is Hydra's issuer exactly as in its discovery document and ID
	// tokens: its public URL with a trailing slash, e.g.
	// "http://127.0.0.1:4444/". Discovery is at
	// Issuer + ".well-known/openid-configuration".
	Issuer string
	// AdminURL is Hydra's admin API (no trailing slash).
	AdminURL string
	// DirectoryURL is the login-and-consent app: its sign-in form is at
	// /login, its user API at /users/{username} (no trailing slash).
	DirectoryURL string
}

// OIDC returns the OpenID provider started by deploy/local/services.sh, or
// fails the test if the LMS_TEST_OIDC_* variables are missing or Hydra or
// the directory does not answer.
func OIDC(t testing.TB) *OIDCProvider {
	t.Helper()
	p := &OIDCProvider{
		Issuer:       env(t, "LMS_TEST_OIDC_ISSUER"),
		AdminURL:     trimSlash(env(t, "LMS_TEST_OIDC_ADMIN_URL")),
		DirectoryURL: trimSlash(env(t, "LMS_TEST_OIDC_DIRECTORY_URL")),
	}
	probe(t, "Hydra (OpenID provider) discovery", trimSlash(p.Issuer)+"/.well-known/openid-configuration")
	probe(t, "Hydra admin API", p.AdminURL+"/health/ready")
	probe(t, "the OpenID provider's directory app", p.DirectoryURL+"/healthz")
	return p
}

// Client registers a confidential OAuth 2.0 client in Hydra (authorization
// code flow, scopes "openid email profile", client_secret_basic at the token
// endpoint) that may redirect to redirectURIs, and returns its Hydra-chosen
// random id and its secret. The client is deleted when the test ends.
func (p *OIDCProvider) Client(t testing.TB, redirectURIs ...string) (id, secret string) {
	t.Helper()
	if redirectURIs == nil {
		redirectURIs = []string{}
	}
	body := map[string]any{
		"client_name":                "idptest " + t.Name(),
		"client_secret":              randomHex(t, 24),
		"grant_types":                []string{"authorization_code"},
		"response_types":             []string{"code"},
		"scope":                      "openid email profile",
		"token_endpoint_auth_method": "client_secret_basic",
		"redirect_uris":              redirectURIs,
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := call(ctx, http.MethodPost, p.AdminURL+"/admin/clients", body, &out); err != nil {
		t.Fatalf("idptest: register OpenID client: %v", err)
	}
	if out.ClientID == "" {
		t.Fatalf("idptest: register OpenID client: Hydra returned no client_id")
	}
	cleanup(t, http.MethodDelete, p.AdminURL+"/admin/clients/"+url.PathEscape(out.ClientID))
	return out.ClientID, out.ClientSecret
}

// User puts a user in the directory: they sign in on the form with username
// and password, Hydra's subject ("sub") is claims["sub"] (username if
// absent), and every other claim (tid, oid, preferred_username, hd, email,
// email_verified, name, ...) goes into the ID token as it is. Putting an
// existing username replaces it. The user is removed when the test ends.
func (p *OIDCProvider) User(t testing.TB, username, password string, claims map[string]any) {
	t.Helper()
	if claims == nil {
		claims = map[string]any{}
	}
	u := p.DirectoryURL + "/users/" + url.PathEscape(username)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := call(ctx, http.MethodPut, u, map[string]any{"password": password, "claims": claims}, nil); err != nil {
		t.Fatalf("idptest: put directory user %q: %v", username, err)
	}
	cleanup(t, http.MethodDelete, u)
}
