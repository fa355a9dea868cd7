package identity

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// SAMLSite is the platform as one school's SAML identity provider knows
// it: its entity id (the metadata address) and where answers come.
type SAMLSite struct {
	EntityID string
	ACS      string
}

// NewSAML is an admin's connection of a SAML identity provider.
type NewSAML struct {
	Metadata     string // the IdP's metadata XML
	Domains      string
	MatchBy      string
	CreatePeople bool
}

// ConnectSAML connects a SAML 2.0 identity provider from its metadata,
// which must name a signing certificate and a sign-in address.
func (s *Service) ConnectSAML(ctx context.Context, sc access.Scope, in NewSAML) (Provider, error) {
	np := NewProvider{Kind: ProviderSAML, Domains: in.Domains, MatchBy: in.MatchBy, CreatePeople: in.CreatePeople}
	domains, err := np.check(false)
	var fe errs.FieldErrors
	if !errors.As(err, &fe) && err != nil {
		return Provider{}, err
	}
	ed, merr := parseIDPMetadata(in.Metadata)
	if merr != "" {
		fe.Add("metadata", "%s", merr)
	}
	if err := fe.Err(); err != nil {
		return Provider{}, err
	}
	np.Issuer, np.IDPMetadata = ed.EntityID, strings.TrimSpace(in.Metadata)
	return s.insertProvider(ctx, sc, np, domains, nil)
}

// parseIDPMetadata reads an IdP's metadata, or says what is wrong with it.
func parseIDPMetadata(raw string) (*saml.EntityDescriptor, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 200000 {
		return nil, "paste your identity provider's metadata (XML, up to 200 KB)"
	}
	ed, err := samlsp.ParseMetadata([]byte(raw))
	if err != nil || ed.EntityID == "" || len(ed.IDPSSODescriptors) == 0 {
		return nil, "this is not a SAML identity provider's metadata: it should be XML with an IDPSSODescriptor"
	}
	sp := saml.ServiceProvider{IDPMetadata: ed}
	if sp.GetSSOBindingLocation(saml.HTTPRedirectBinding) == "" {
		return nil, "the metadata names no sign-in address (SingleSignOnService) for the HTTP-Redirect binding"
	}
	signing := false
	for _, d := range ed.IDPSSODescriptors {
		for _, k := range d.KeyDescriptors {
			signing = signing || (k.Use == "" || k.Use == "signing") && len(k.KeyInfo.X509Data.X509Certificates) > 0
		}
	}
	if !signing {
		return nil, "the metadata has no signing certificate, so its answers could not be checked"
	}
	return ed, ""
}

// serviceProvider is the platform as the SAML library sees it, for one
// school and provider. It holds no key: answers must be signed by the
// IdP, requests go unsigned, and the metadata asks for no encryption.
func serviceProvider(p Provider, site SAMLSite) (*saml.ServiceProvider, error) {
	ed, problem := parseIDPMetadata(p.IDPMetadata)
	if problem != "" {
		return nil, fmt.Errorf("provider %s metadata: %s", p.ID, problem)
	}
	sp, err := site.serviceProvider()
	if err != nil {
		return nil, err
	}
	sp.IDPMetadata, sp.AuthnNameIDFormat = ed, saml.UnspecifiedNameIDFormat
	return sp, nil
}

// serviceProvider is the platform's side alone, from its addresses.
func (site SAMLSite) serviceProvider() (*saml.ServiceProvider, error) {
	meta, err := url.Parse(site.EntityID)
	if err != nil {
		return nil, fmt.Errorf("SAML entity id %q: %w", site.EntityID, err)
	}
	acs, err := url.Parse(site.ACS)
	if err != nil {
		return nil, fmt.Errorf("SAML answer address %q: %w", site.ACS, err)
	}
	return &saml.ServiceProvider{EntityID: site.EntityID, MetadataURL: *meta, AcsURL: *acs}, nil
}

// SAMLMetadata is the platform's metadata for a school's IdP to import.
func SAMLMetadata(site SAMLSite) ([]byte, error) {
	sp, err := site.serviceProvider()
	if err != nil {
		return nil, err
	}
	sp.MetadataValidDuration = 7 * 24 * time.Hour
	return xml.MarshalIndent(sp.Metadata(), "", "  ")
}

// IsSAML reports whether a school's provider is a SAML one.
func (s *Service) IsSAML(ctx context.Context, tenant, provider uuid.UUID) bool {
	var kind string
	_ = access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT kind FROM sign_in_providers WHERE id = ?`, provider).Scan(&kind).Error
	})
	return kind == ProviderSAML
}

// StartSAML begins a sign-in through the school's SAML provider: an
// AuthnRequest whose id the answer must name, kept with a relay state
// for ten minutes. It returns the IdP's address to send the browser to.
func (s *Service) StartSAML(ctx context.Context, tenant, provider uuid.UUID, site SAMLSite, next string) (string, error) {
	relay := randomToken()
	var to string
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		p, err := providerTx(tx, provider)
		if err != nil {
			return err
		}
		sp, err := serviceProvider(p, site)
		if err != nil {
			return err
		}
		req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
		if err != nil {
			return fmt.Errorf("make SAML request: %w", err)
		}
		u, err := req.Redirect(relay, sp)
		if err != nil {
			return fmt.Errorf("SAML redirect: %w", err)
		}
		to = u.String()
		if err := tx.Exec(`DELETE FROM sso_flows WHERE expires_at < now()`).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO sso_flows (tenant_id, state_hash, provider_id, nonce, verifier, next, expires_at) VALUES (?, ?, ?, ?, '', ?, ?)`,
			tenant, stateHash(relay), provider, req.ID, next, time.Now().Add(flowLife)).Error
	})
	return to, err
}

// FinishSAML takes the IdP's answer (the posted form, parsed): it must
// answer a request of ours still waiting, be signed by the school's IdP,
// be for this platform and in its time window, and its assertion must
// not have been used before. It returns the session and where to go.
func (s *Service) FinishSAML(ctx context.Context, tenant uuid.UUID, r *http.Request, site SAMLSite, c Client) (Issued, Person, string, error) {
	if r.PostForm.Get("SAMLart") != "" || r.PostForm.Get("SAMLResponse") == "" {
		return Issued{}, Person{}, "", s.refuseSSO(ctx, tenant, MethodSAML, "the answer was empty, or an artifact (not accepted)", c,
			refused("Your school's sign-in service sent no answer this platform can read. Start again."))
	}
	var flow struct {
		ProviderID uuid.UUID
		Nonce      string
		Next       string
		ExpiresAt  time.Time
	}
	var p Provider
	var as *saml.Assertion
	var problem error
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		res := tx.Raw(`DELETE FROM sso_flows WHERE state_hash = ? RETURNING provider_id, nonce, next, expires_at`, stateHash(r.PostForm.Get("RelayState"))).Scan(&flow)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || time.Now().After(flow.ExpiresAt) {
			problem = refused("This sign-in has been used already or took too long. Start again from your school's sign-in page.")
			return recordSignIn(tx, tenant, nil, MethodSAML, SignInRefused, "answer to no waiting sign-in (replayed or late)", c)
		}
		var err error
		if p, err = providerTx(tx, flow.ProviderID); err != nil {
			return err
		}
		sp, err := serviceProvider(p, site)
		if err != nil {
			return err
		}
		if as, err = sp.ParseResponse(r, []string{flow.Nonce}); err != nil {
			problem = refused("The answer from your school's sign-in service was not signed by it, not for this platform, or has expired. Start again.")
			return recordSignIn(tx, tenant, nil, MethodSAML, SignInRefused, samlWhy(err), c)
		}
		until := time.Now().Add(24 * time.Hour)
		if as.Conditions != nil && !as.Conditions.NotOnOrAfter.IsZero() {
			until = as.Conditions.NotOnOrAfter
		}
		res = tx.Exec(`INSERT INTO sso_replays (tenant_id, assertion_id, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tenant, as.ID, until)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			problem = refused("This answer from your school's sign-in service has been used already. Start again.")
			return recordSignIn(tx, tenant, nil, MethodSAML, SignInRefused, "assertion used before", c)
		}
		return tx.Exec(`DELETE FROM sso_replays WHERE expires_at < now()`).Error
	})
	if err != nil {
		return Issued{}, Person{}, "", err
	}
	if problem != nil {
		return Issued{}, Person{}, "", problem
	}
	acc := samlAccount(as)
	if err := checkClaims(Provider{AllowedDomains: p.AllowedDomains}, claims{Subject: acc.Subject, Email: acc.Email}); err != nil {
		return Issued{}, Person{}, "", s.refuseSSO(ctx, tenant, MethodSAML, "", c, err)
	}
	iss, person, err := s.ssoSignIn(ctx, tenant, p, acc, MethodSAML, c)
	return iss, person, flow.Next, err
}

// Common names of the attributes a school's IdP sends: the SAML/LDAP
// object ids, their friendly names, and ADFS's and Entra's claim types.
var (
	emailAttrs = []string{"urn:oid:0.9.2342.19200300.100.1.3", "mail", "email", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}
	nameAttrs  = []string{"urn:oid:2.16.840.1.113730.3.1.241", "displayName", "urn:oid:2.5.4.3", "cn", "http://schemas.microsoft.com/identity/claims/displayname", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"}
	userAttrs  = []string{"urn:oid:0.9.2342.19200300.100.1.1", "uid", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"}
	idAttrs    = []string{"urn:oid:2.16.840.1.113730.3.1.3", "employeeNumber", "externalId"}
)

// samlAccount reads who the assertion says signed in.
func samlAccount(as *saml.Assertion) account {
	attr := func(names []string) string {
		for _, n := range names {
			for _, st := range as.AttributeStatements {
				for _, a := range st.Attributes {
					if (a.Name == n || a.FriendlyName == n) && len(a.Values) > 0 && a.Values[0].Value != "" {
						return a.Values[0].Value
					}
				}
			}
		}
		return ""
	}
	acc := account{Email: attr(emailAttrs), Name: attr(nameAttrs), Username: attr(userAttrs), ExternalID: attr(idAttrs)}
	if as.Subject != nil && as.Subject.NameID != nil {
		acc.Subject = as.Subject.NameID.Value
	}
	if acc.Email == "" && strings.Contains(acc.Subject, "@") {
		acc.Email = acc.Subject
	}
	return acc
}
