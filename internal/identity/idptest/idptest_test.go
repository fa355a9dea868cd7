package idptest_test

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/crewjam/saml"
	"golang.org/x/oauth2"

	"github.com/schoolcloud/lms/internal/identity/idptest"
)

// TestOIDCProvider runs a real authorization-code flow with PKCE, state and
// nonce against Hydra, signing in on the directory's form over plain HTTP,
// and verifies the ID token and its custom claims with go-oidc.
func TestOIDCProvider(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := idptest.OIDC(t)

	// Nothing listens here: the flow stops at the redirect to it.
	redirectURI := "http://127.0.0.1:9/oidc/callback"
	clientID, secret := p.Client(t, redirectURI)
	username := "pupil-" + strings.ReplaceAll(t.Name(), "/", "-")
	p.User(t, username, "right-password", map[string]any{
		"sub":            "sub-" + username,
		"email":          username + "@school.example",
		"email_verified": true,
		"name":           "Pat Pupil",
		"tid":            "11111111-2222-3333-4444-555555555555",
		"hd":             "school.example",
	})

	provider, err := oidc.NewProvider(ctx, p.Issuer)
	if err != nil {
		t.Fatalf("discovery at %s: %v", p.Issuer, err)
	}
	conf := oauth2.Config{
		ClientID: clientID, ClientSecret: secret, RedirectURL: redirectURI,
		Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	state, nonce, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	// A wrong password is refused on the form, which stays open.
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	challenge := resp.Request.URL.Query().Get("login_challenge")
	if challenge == "" {
		t.Fatalf("the authorization URL led to %s, not the sign-in form", resp.Request.URL)
	}
	resp, err = client.PostForm(p.DirectoryURL+"/login", url.Values{
		"login_challenge": {challenge}, "username": {username}, "password": {"wrong"},
	})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "not right") {
		t.Fatalf("wrong password: %s %s", resp.Status, page)
	}

	back := p.SignIn(t, client, authURL, username, "right-password")
	if got := back.Scheme + "://" + back.Host + back.Path; got != redirectURI {
		t.Fatalf("redirected to %s, want %s", back, redirectURI)
	}
	if back.Query().Get("state") != state {
		t.Fatalf("state %q, want %q", back.Query().Get("state"), state)
	}
	tok, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify the ID token: %v", err)
	}
	if idToken.Nonce != nonce || idToken.Subject != "sub-"+username || idToken.Issuer != p.Issuer {
		t.Fatalf("ID token nonce %q sub %q iss %q", idToken.Nonce, idToken.Subject, idToken.Issuer)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
		TID           string `json:"tid"`
		HD            string `json:"hd"`
	}
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.Email != username+"@school.example" || !claims.EmailVerified || claims.Name != "Pat Pupil" ||
		claims.TID != "11111111-2222-3333-4444-555555555555" || claims.HD != "school.example" {
		t.Fatalf("ID token claims: %+v", claims)
	}
}

// TestSAMLProvider checks the IdP publishes parseable metadata with a signing
// certificate, takes a service provider and a user through its API, and
// signs the user in (SP-initiated, over plain HTTP) with a response the
// service provider accepts.
func TestSAMLProvider(t *testing.T) {
	t.Parallel()
	p := idptest.SAML(t)

	resp, err := http.Get(p.MetadataURL)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata: %s %v", resp.Status, err)
	}
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(raw, &md); err != nil {
		t.Fatalf("metadata does not parse: %v", err)
	}
	if md.EntityID != p.MetadataURL || len(md.IDPSSODescriptors) != 1 {
		t.Fatalf("metadata entity %q with %d IdP descriptors", md.EntityID, len(md.IDPSSODescriptors))
	}
	signing := false
	for _, kd := range md.IDPSSODescriptors[0].KeyDescriptors {
		if (kd.Use == "signing" || kd.Use == "") && len(kd.KeyInfo.X509Data.X509Certificates) > 0 &&
			kd.KeyInfo.X509Data.X509Certificates[0].Data != "" {
			signing = true
		}
	}
	if !signing {
		t.Fatalf("metadata has no signing certificate: %s", raw)
	}

	// A service provider nobody serves: the flow stops at the post to its ACS.
	spURL, _ := url.Parse("http://127.0.0.1:9/saml")
	sp := saml.ServiceProvider{
		EntityID:    spURL.String() + "/metadata",
		MetadataURL: *spURL.JoinPath("metadata"),
		AcsURL:      *spURL.JoinPath("acs"),
		IDPMetadata: &md,
	}
	spXML, err := xml.Marshal(sp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	id := "idptest-" + strings.ReplaceAll(t.Name(), "/", "-")
	p.ServiceProvider(t, id, spXML)
	p.User(t, id, "right-password", id+"@school.example", "Sam", "Saml")

	authn, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	start, err := authn.Redirect("relay-1", &sp)
	if err != nil {
		t.Fatal(err)
	}
	acs, form := p.SignIn(t, nil, start.String(), id, "right-password")
	if acs != sp.AcsURL.String() || form.Get("RelayState") != "relay-1" {
		t.Fatalf("posted to %s with RelayState %q", acs, form.Get("RelayState"))
	}
	raw, err = base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := sp.ParseXMLResponse(raw, []string{authn.ID}, sp.AcsURL)
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) {
			err = ire.PrivateErr
		}
		t.Fatalf("the SP refuses the IdP's response: %v", err)
	}
	if got := assertion.Subject.NameID.Value; got != id+"@school.example" {
		t.Fatalf("NameID %q", got)
	}
	attrs := map[string]string{}
	for _, st := range assertion.AttributeStatements {
		for _, a := range st.Attributes {
			if len(a.Values) > 0 {
				attrs[a.FriendlyName] = a.Values[0].Value
			}
		}
	}
	if attrs["mail"] != id+"@school.example" || attrs["givenName"] != "Sam" || attrs["sn"] != "Saml" || attrs["uid"] != id {
		t.Fatalf("attributes %v", attrs)
	}
}
