package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/uuid"
	"github.com/ory/fosite"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service registers integrations, issues their tokens (fosite) and
// recognises them on each request.
type Service struct {
	db       *database.DB
	store    *store
	provider fosite.OAuth2Provider
	config   *fosite.Config
	// OnRegister and OnRevoke run in the transaction that registers or
	// revokes an integration (roster sync keeps a credential for one
	// that may deliver roster files); by is the admin.
	OnRegister func(tx *gorm.DB, in Integration, by *uuid.UUID) error
	OnRevoke   func(tx *gorm.DB, in Integration, by *uuid.UUID) error
}

// NewService builds the service; key is the platform secret the access
// tokens' HMAC key is derived from (the ledger key).
func NewService(db *database.DB, key []byte) (*Service, error) {
	st := &store{db: db}
	p, cfg, err := newProvider(st, key)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, store: st, provider: p, config: cfg}, nil
}

// Token is the OAuth2 token endpoint (RFC 6749 §4.4, client credentials):
// a form-encoded POST authenticated with client_secret_basic or
// client_secret_post. fosite parses, checks and answers; the token holds
// the scopes asked for (fosite refused any the integration was not given
// with invalid_scope), or with none asked for, every scope it was given.
func (s *Service) Token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewAccessRequest(ctx, r, new(fosite.DefaultSession))
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	granted := ar.GetRequestedScopes()
	if len(granted) == 0 {
		granted = ar.GetClient().GetScopes()
	}
	for _, sc := range granted {
		ar.GrantScope(sc)
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// Authenticate resolves an access token to its integration: the token
// must be one fosite issued, unexpired, and its integration not revoked
// (read from PostgreSQL on every call, so a revocation holds from the
// next request). The principal holds the token's scopes that the
// integration still has.
func (s *Service) Authenticate(ctx context.Context, token string) (identity.Principal, error) {
	tenant, _, ok := tenantOf(token, tokenPrefix)
	if !ok {
		return identity.Principal{}, errs.ErrUnauthenticated
	}
	ctx = context.WithValue(ctx, tenantKey{}, tenant)
	_, ar, err := s.provider.IntrospectToken(ctx, token, fosite.AccessToken, new(fosite.DefaultSession))
	if err != nil {
		var db dbError
		if errors.As(err, &db) {
			return identity.Principal{}, db.err
		}
		return identity.Principal{}, errs.ErrUnauthenticated
	}
	cl, ok := ar.GetClient().(*client)
	if !ok || cl.in.TenantID != tenant {
		return identity.Principal{}, errs.ErrUnauthenticated
	}
	var scopes []string
	for _, sc := range ar.GetGrantedScopes() {
		if slices.Contains(cl.in.Scopes, Scope(sc)) {
			scopes = append(scopes, sc)
		}
	}
	return identity.Principal{Kind: identity.KindIntegration, ID: cl.in.ID, TenantID: tenant,
		Name: cl.in.Name, Scopes: scopes}, nil
}

// Call logs one call of an integration in its tenant's audit trail (what
// it asked for, and under which of its scopes) before any data is read,
// and returns the read-only scope it reads under.
func (s *Service) Call(ctx context.Context, p identity.Principal, target string) (access.Scope, error) {
	if p.Kind != identity.KindIntegration {
		return access.Scope{}, fmt.Errorf("integration: %s is not an integration", p.Subject())
	}
	in := Integration{TenantID: p.TenantID, ID: p.ID, Name: p.Name}
	err := access.Transact(ctx, s.db, access.System(p.TenantID, "integration "+p.Name), func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT client_id FROM integrations WHERE id = ?`, p.ID).Scan(&in.ClientID).Error; err != nil {
			return err
		}
		return appendCall(tx, in, "integration.call", target, nil)
	})
	if err != nil {
		return access.Scope{}, fmt.Errorf("integration: log call: %w", err)
	}
	writes := slices.ContainsFunc(p.Scopes, func(sc string) bool { return Scope(sc).Writes() })
	return access.Integration(p.TenantID, p.ID, writes), nil
}

// HasScope reports whether p is an integration holding scope.
func HasScope(p identity.Principal, scope Scope) bool {
	return p.Kind == identity.KindIntegration && slices.Contains(p.Scopes, string(scope))
}

// ErrUnknownTenant is returned when a path names a tenant other than the
// integration's own.
var ErrUnknownTenant = errs.New(errs.ErrNotFound, "No such tenant")

// Caller checks that p may act in tenant (its own) and returns it.
func Caller(p identity.Principal, tenant uuid.UUID) error {
	if p.Kind != identity.KindIntegration || p.TenantID != tenant {
		return ErrUnknownTenant
	}
	return nil
}
