package identity

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Kinds of single sign-on provider a school connects, one of each.
const (
	ProviderMicrosoft = "microsoft" // Microsoft Entra ID (Microsoft 365)
	ProviderGoogle    = "google"    // Google Workspace
	ProviderOIDC      = "oidc"      // any other OpenID provider
	ProviderSAML      = "saml"      // a SAML 2.0 identity provider (a broker, ADFS)
)

// How a provider account is matched with a person of the school.
const (
	MatchEmail      = "email"
	MatchUsername   = "username"
	MatchExternalID = "external_id"
)

// Provider is a school's connection to an identity provider. The client
// secret is sealed under the platform key and never leaves the service.
type Provider struct {
	ID             uuid.UUID
	Kind           string
	Issuer         string // OpenID issuer, or the SAML IdP's entity id
	DirectoryID    string // Entra directory (tenant) id the token's tid must name
	ClientID       string
	SecretSealed   []byte `json:"-"`
	IDPMetadata    string `gorm:"column:idp_metadata" json:"-"`
	Domains        string // allowed email domains, space-separated
	MatchBy        string
	CreatePeople   bool
	HasSecret      bool     `gorm:"-"`
	AllowedDomains []string `gorm:"-"`
}

// Button is what the school's sign-in page says for the provider.
func (p Provider) Button() string {
	switch p.Kind {
	case ProviderMicrosoft:
		return "Sign in with Microsoft"
	case ProviderGoogle:
		return "Sign in with Google"
	case ProviderSAML:
		return "Sign in with your school account"
	}
	return "Sign in with your school account (" + hostOf(p.Issuer) + ")"
}

// KindWords names the kind of provider.
func (p Provider) KindWords() string { return ProviderKindWords(p.Kind) }

// ProviderKindWords names a kind of provider in words.
func ProviderKindWords(kind string) string {
	switch kind {
	case ProviderMicrosoft:
		return "Microsoft Entra ID (Microsoft 365)"
	case ProviderGoogle:
		return "Google Workspace"
	case ProviderSAML:
		return "SAML 2.0 identity provider"
	}
	return "Another OpenID provider"
}

// MatchWords says how accounts are matched with people.
func (p Provider) MatchWords() string {
	switch p.MatchBy {
	case MatchUsername:
		return "username"
	case MatchExternalID:
		return "roster id (external id)"
	}
	return "email address"
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// NewProvider is an admin's connection of a provider.
type NewProvider struct {
	Kind         string
	Issuer       string // other OpenID providers
	DirectoryID  string // Microsoft
	ClientID     string
	ClientSecret string
	IDPMetadata  string // SAML
	Domains      string // comma- or space-separated
	MatchBy      string
	CreatePeople bool
}

var (
	guid   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domain = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// parseDomains reads a list of email domains, each checked.
func parseDomains(s string, fe *errs.FieldErrors) []string {
	var out []string
	for _, d := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		d = strings.TrimPrefix(d, "@")
		if !domain.MatchString(d) || len(d) > 253 {
			fe.Add("domains", "%q is not an email domain (like oakfield.sch.uk)", d)
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) > 20 {
		fe.Add("domains", "at most 20 domains")
	}
	return out
}

// check validates an admin's provider and fills in what its kind fixes
// (the issuer of Microsoft and Google).
func (in *NewProvider) check(allowHTTP bool) ([]string, error) {
	var fe errs.FieldErrors
	domains := parseDomains(in.Domains, &fe)
	switch in.MatchBy {
	case "":
		in.MatchBy = MatchEmail
	case MatchEmail, MatchUsername, MatchExternalID:
	default:
		fe.Add("match_by", "choose email address, username or roster id")
	}
	switch in.Kind {
	case ProviderMicrosoft:
		in.DirectoryID = strings.ToLower(strings.TrimSpace(in.DirectoryID))
		if !guid.MatchString(in.DirectoryID) {
			fe.Add("directory_id", "enter the Directory (tenant) ID from the Overview page of Microsoft Entra ID, like 72f988bf-86f1-41af-91ab-2d7cd011db47")
		}
		in.Issuer = "https://login.microsoftonline.com/" + in.DirectoryID + "/v2.0"
	case ProviderGoogle:
		in.Issuer = "https://accounts.google.com"
		if len(domains) == 0 {
			fe.Add("domains", "enter your Google Workspace domain: only its accounts may sign in")
		}
	case ProviderOIDC:
		in.DirectoryID = strings.ToLower(strings.TrimSpace(in.DirectoryID))
		if in.DirectoryID != "" && !guid.MatchString(in.DirectoryID) {
			fe.Add("directory_id", "leave it empty, or enter a directory id like 72f988bf-86f1-41af-91ab-2d7cd011db47")
		}
		in.Issuer = strings.TrimSpace(in.Issuer)
		u, err := url.Parse(in.Issuer)
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || len(in.Issuer) > 500 ||
			!(u.Scheme == "https" || allowHTTP && u.Scheme == "http") {
			fe.Add("issuer", "enter the provider's issuer address, starting https:// (its setup guide gives it)")
		}
	case ProviderSAML:
		return domains, fe.Err() // checked by ConnectSAML
	default:
		fe.Add("kind", "choose Microsoft, Google or another OpenID provider")
	}
	in.ClientID = fe.Line("client_id", in.ClientID, 1, 500)
	if s := strings.TrimSpace(in.ClientSecret); s == "" || len(s) > 1000 {
		fe.Add("client_secret", "enter the client secret (up to 1000 characters)")
	}
	return domains, fe.Err()
}

// Providers lists the scoped school's connected providers.
func (s *Service) Providers(ctx context.Context, sc access.Scope) (out []Provider, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		out, err = providersTx(tx)
		return err
	})
	return out, err
}

// SignInProviders lists the providers a school's sign-in page offers.
func (s *Service) SignInProviders(ctx context.Context, tenant uuid.UUID) ([]Provider, error) {
	return s.Providers(ctx, access.Authentication(tenant))
}

const providerCols = `id, kind, issuer, directory_id, client_id, secret_sealed, idp_metadata,
	array_to_string(allowed_domains, ' ') AS domains, match_by, create_people`

func providersTx(tx *gorm.DB) ([]Provider, error) {
	var out []Provider
	if err := tx.Raw(`SELECT ` + providerCols + ` FROM sign_in_providers ORDER BY kind`).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list sign-in providers: %w", err)
	}
	for i := range out {
		out[i].fill()
	}
	return out, nil
}

func (p *Provider) fill() {
	p.HasSecret = len(p.SecretSealed) > 0
	p.AllowedDomains = strings.Fields(p.Domains)
}

func providerTx(tx *gorm.DB, id uuid.UUID) (Provider, error) {
	var p Provider
	res := tx.Raw(`SELECT `+providerCols+` FROM sign_in_providers WHERE id = ?`, id).Scan(&p)
	if res.Error != nil {
		return p, fmt.Errorf("load sign-in provider %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return p, errs.New(errs.ErrNotFound, "That sign-in option is no longer available.")
	}
	p.fill()
	return p, nil
}

// ConnectProvider connects an OpenID provider (Microsoft, Google or
// another) to the scoped school; the secret is sealed at once.
func (s *Service) ConnectProvider(ctx context.Context, sc access.Scope, in NewProvider) (Provider, error) {
	domains, err := in.check(s.cfg.AllowHTTPIssuer)
	if err != nil {
		return Provider{}, err
	}
	if in.Kind == ProviderSAML {
		return Provider{}, errs.Field("kind", "connect a SAML provider with its metadata")
	}
	sealed, err := s.seal(strings.TrimSpace(in.ClientSecret))
	if err != nil {
		return Provider{}, err
	}
	return s.insertProvider(ctx, sc, in, domains, sealed)
}

func (s *Service) insertProvider(ctx context.Context, sc access.Scope, in NewProvider, domains []string, sealed []byte) (Provider, error) {
	id := uuid.Must(uuid.NewV7())
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO sign_in_providers (tenant_id, id, kind, issuer, directory_id, client_id, secret_sealed, idp_metadata, allowed_domains, match_by, create_people)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, string_to_array(?, ' '), ?, ?) ON CONFLICT (tenant_id, kind) DO NOTHING`,
			sc.Tenant(), id, in.Kind, in.Issuer, in.DirectoryID, in.ClientID, sealed, in.IDPMetadata,
			strings.Join(domains, " "), in.MatchBy, in.CreatePeople)
		if res.Error != nil {
			return fmt.Errorf("connect %s: %w", in.Kind, res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrConflict, "%s is already connected. Remove it first to connect it again.", ProviderKindWords(in.Kind))
		}
		return Record(tx, sc, "", "sign-in-provider.connected", "provider "+id.String(),
			map[string]string{"kind": in.Kind, "issuer": in.Issuer, "match_by": in.MatchBy, "create_people": fmt.Sprint(in.CreatePeople)})
	})
	if err != nil {
		return Provider{}, err
	}
	s.options.Clear()
	return Provider{ID: id, Kind: in.Kind, Issuer: in.Issuer, DirectoryID: in.DirectoryID, ClientID: in.ClientID,
		MatchBy: in.MatchBy, CreatePeople: in.CreatePeople, AllowedDomains: domains, HasSecret: sealed != nil}, nil
}

// DisconnectProvider removes a provider; the links of its accounts to
// people go with it, and sign-ins on their way through it fail.
func (s *Service) DisconnectProvider(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	defer s.options.Clear()
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		p, err := providerTx(tx, id)
		if err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM sign_in_providers WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("remove provider %s: %w", id, err)
		}
		return Record(tx, sc, "", "sign-in-provider.removed", "provider "+id.String(), map[string]string{"kind": p.Kind})
	})
}

// PasswordOff lists the roles whose password sign-in the school switched
// off (they sign in with a provider or a passkey).
func (s *Service) PasswordOff(ctx context.Context, sc access.Scope) (roles []Role, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		roles, err = passwordOffTx(tx)
		return err
	})
	return roles, err
}

func passwordOffTx(tx *gorm.DB) ([]Role, error) {
	var off string
	if err := tx.Raw(`SELECT array_to_string(password_off, ' ') FROM sign_in_rules`).Scan(&off).Error; err != nil {
		return nil, fmt.Errorf("read password rules: %w", err)
	}
	var roles []Role
	for _, r := range strings.Fields(off) {
		roles = append(roles, Role(r))
	}
	return roles, nil
}

// SetPasswordOff switches password sign-in off for roles (and on for the
// rest). A school with no provider connected cannot switch it off for
// anyone, or nobody of that role could sign in.
func (s *Service) SetPasswordOff(ctx context.Context, sc access.Scope, roles []Role) error {
	var names []string
	for _, r := range roles {
		if !validRole(r) {
			return errs.Field("password_off", "%q is not a role", r)
		}
		names = append(names, string(r))
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if len(names) > 0 {
			ps, err := providersTx(tx)
			if err != nil {
				return err
			}
			if len(ps) == 0 {
				return errs.Field("password_off", "connect Microsoft, Google or another provider first, or nobody of these roles could sign in")
			}
		}
		if err := tx.Exec(`INSERT INTO sign_in_rules (tenant_id, password_off) VALUES (?, string_to_array(?, ' '))
			ON CONFLICT (tenant_id) DO UPDATE SET password_off = EXCLUDED.password_off`, sc.Tenant(), strings.Join(names, " ")).Error; err != nil {
			return fmt.Errorf("save password rules: %w", err)
		}
		return Record(tx, sc, "", "sign-in.password-off", "tenant", map[string]string{"roles": strings.Join(names, ", ")})
	})
}

// passwordRefused refuses a password sign-in of a person holding a role
// whose password sign-in the school switched off.
func passwordRefused(tx *gorm.DB, person uuid.UUID) error {
	off, err := passwordOffTx(tx)
	if err != nil || len(off) == 0 {
		return err
	}
	var n int64
	if err := tx.Raw(`SELECT count(*) FROM role_assignments WHERE person_id = ? AND role = ANY(string_to_array(?, ' '))`,
		person, joinRoles(off)).Scan(&n).Error; err != nil {
		return fmt.Errorf("check password rules: %w", err)
	}
	if n > 0 {
		return errs.New(errs.ErrForbidden, "Your school has switched off password sign-in for you. Use the button for your school account on your school's sign-in page, or a passkey.")
	}
	return nil
}

func joinRoles(rs []Role) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(r))
	}
	return b.String()
}
