package idptest

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// SAMLProvider is the running SAML 2.0 identity provider (crewjam/saml's
// samlidp). It signs assertions with a self-signed certificate published in
// its metadata.
type SAMLProvider struct {
	// URL is the IdP's base URL (no trailing slash); SSO is at URL + "/sso".
	URL string
	// MetadataURL is URL + "/metadata", the IdP's entity ID and metadata.
	MetadataURL string
}

// SAML returns the SAML identity provider started by
// deploy/local/services.sh, or fails the test if LMS_TEST_SAML_IDP_URL is
// missing or the IdP does not answer.
func SAML(t testing.TB) *SAMLProvider {
	t.Helper()
	base := trimSlash(env(t, "LMS_TEST_SAML_IDP_URL"))
	p := &SAMLProvider{URL: base, MetadataURL: base + "/metadata"}
	probe(t, "the SAML identity provider", p.MetadataURL)
	return p
}

// ServiceProvider registers a service provider with the IdP under id (any
// name unique to the test) from its metadata XML (an EntityDescriptor, as
// crewjam/saml's ServiceProvider.Metadata marshals). The IdP then answers
// that SP's authentication requests. It is removed when the test ends.
func (p *SAMLProvider) ServiceProvider(t testing.TB, id string, metadataXML []byte) {
	t.Helper()
	u := p.URL + "/services/" + url.PathEscape(id)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := call(ctx, http.MethodPut, u, metadataXML, nil); err != nil {
		t.Fatalf("idptest: register SAML service provider %q: %v", id, err)
	}
	cleanup(t, http.MethodDelete, u)
}

// User adds a user who signs in at the IdP's form (fields labelled
// "Username" and "Password") with name and password. The assertion's NameID
// is the email address (emailAddress format); its attributes are uid (name),
// mail, eduPersonPrincipalName, givenName, sn and cn ("givenName surname"),
// each named by its urn:oid: Name with that FriendlyName. The user is
// removed when the test ends.
func (p *SAMLProvider) User(t testing.TB, name, password, email, givenName, surname string) {
	t.Helper()
	u := p.URL + "/users/" + url.PathEscape(name)
	body := map[string]any{
		"password":    password,
		"email":       email,
		"given_name":  givenName,
		"surname":     surname,
		"common_name": givenName + " " + surname,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := call(ctx, http.MethodPut, u, body, nil); err != nil {
		t.Fatalf("idptest: put SAML user %q: %v", name, err)
	}
	cleanup(t, http.MethodDelete, u)
}
