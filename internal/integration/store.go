package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/ory/fosite"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// store is fosite's storage on PostgreSQL: clients are the integrations
// table, access tokens the integration_tokens table (by signature). Every
// look-up runs in the tenant the client id or token names.
type store struct{ db *database.DB }

// tenantKey carries the tenant a token names into GetAccessTokenSession,
// whose signature alone does not say it.
type tenantKey struct{}

// dbError marks a failure of the database, so the caller answers 503
// rather than "not a valid token" (fosite wraps every storage error as
// an unauthorised request).
type dbError struct{ err error }

func (e dbError) Error() string { return e.err.Error() }
func (e dbError) Unwrap() error { return e.err }

// clientRow is an integration with its secret's hash.
type clientRow struct {
	Integration
	SecretHash []byte
	ScopesJSON []byte `gorm:"column:scopes_json"`
}

func (r clientRow) client() (*client, error) {
	if err := json.Unmarshal(r.ScopesJSON, &r.Integration.Scopes); err != nil {
		return nil, fmt.Errorf("integration: scopes of %s: %w", r.ID, err)
	}
	return &client{in: r.Integration, hash: r.SecretHash}, nil
}

const clientColumns = `i.tenant_id, i.id, i.name, i.client_id, i.secret_hash, i.scopes::text AS scopes_json,
	i.created_by, i.created_at, i.revoked_at, i.revoked_by`

// GetClient finds a live integration by client id.
func (s *store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	tenant, _, ok := tenantOf(id, clientPrefix)
	if !ok {
		return nil, fosite.ErrNotFound
	}
	var rows []clientRow
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT `+clientColumns+` FROM integrations i WHERE i.client_id = ? AND i.revoked_at IS NULL`, id).Scan(&rows).Error
	})
	if err != nil {
		return nil, dbError{fmt.Errorf("integration: client: %w", err)}
	}
	if len(rows) == 0 {
		return nil, fosite.ErrNotFound
	}
	return rows[0].client()
}

// ClientAssertionJWTValid: no client authenticates with a signed JWT
// (only client_secret_basic and client_secret_post), so no JTI is known.
func (s *store) ClientAssertionJWTValid(context.Context, string) error { return nil }

// SetClientAssertionJWT: see ClientAssertionJWTValid.
func (s *store) SetClientAssertionJWT(context.Context, string, time.Time) error { return nil }

// CreateAccessTokenSession keeps a new token's signature, clears the
// integration's expired ones, and notes the issue in the audit trail.
func (s *store) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	cl, ok := r.GetClient().(*client)
	if !ok {
		return fmt.Errorf("integration: unexpected client type %T", r.GetClient())
	}
	in := cl.in
	scopes, _ := json.Marshal([]string(r.GetGrantedScopes()))
	exp := r.GetSession().GetExpiresAt(fosite.AccessToken)
	err := access.Transact(ctx, s.db, access.System(in.TenantID, "integration "+in.Name), func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM integration_tokens WHERE integration_id = ? AND expires_at < now()`, in.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO integration_tokens (tenant_id, signature, integration_id, request_id, scopes, issued_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.TenantID, signature, in.ID, r.GetID(), string(scopes), r.GetRequestedAt(), exp).Error; err != nil {
			return err
		}
		return appendCall(tx, in, "integration.token", "POST "+TokenPath, map[string]string{"scopes": string(scopes)})
	})
	if err != nil {
		return dbError{fmt.Errorf("integration: keep token: %w", err)}
	}
	return nil
}

// tokenRow is a stored token with its (live) integration's id, name,
// client id and scopes.
type tokenRow struct {
	TenantID, IntegrationID uuid.UUID
	Name, ClientID          string
	ScopesJSON              []byte `gorm:"column:scopes_json"`
	RequestID               string
	TokenScopes             []byte
	IssuedAt, ExpiresAt     time.Time
}

// GetAccessTokenSession finds a token by signature in the tenant of ctx,
// only while its integration is live and it has not expired.
func (s *store) GetAccessTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	tenant, _ := ctx.Value(tenantKey{}).(uuid.UUID)
	if tenant == uuid.Nil {
		return nil, fosite.ErrNotFound
	}
	var rows []tokenRow
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT t.tenant_id, t.integration_id, i.name, i.client_id, i.scopes::text AS scopes_json,
				t.request_id, t.scopes::text AS token_scopes, t.issued_at, t.expires_at
			FROM integration_tokens t JOIN integrations i ON i.tenant_id = t.tenant_id AND i.id = t.integration_id
			WHERE t.signature = ? AND i.revoked_at IS NULL AND t.expires_at > now()`, signature).Scan(&rows).Error
	})
	if err != nil {
		return nil, dbError{fmt.Errorf("integration: token: %w", err)}
	}
	if len(rows) == 0 {
		return nil, fosite.ErrNotFound
	}
	row := rows[0]
	cl, err := clientRow{Integration: Integration{TenantID: row.TenantID, ID: row.IntegrationID, Name: row.Name,
		ClientID: row.ClientID}, ScopesJSON: row.ScopesJSON}.client()
	if err != nil {
		return nil, err
	}
	var granted []string
	if err := json.Unmarshal(row.TokenScopes, &granted); err != nil {
		return nil, fmt.Errorf("integration: token scopes: %w", err)
	}
	session.SetExpiresAt(fosite.AccessToken, row.ExpiresAt)
	return &fosite.Request{ID: row.RequestID, RequestedAt: row.IssuedAt, Client: cl, Session: session, Form: url.Values{},
		RequestedScope: granted, GrantedScope: granted}, nil
}

// DeleteAccessTokenSession removes a token.
func (s *store) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	tenant, _ := ctx.Value(tenantKey{}).(uuid.UUID)
	if tenant == uuid.Nil {
		return nil
	}
	return access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		return tx.Exec(`DELETE FROM integration_tokens WHERE signature = ?`, signature).Error
	})
}

// No authorize codes or refresh tokens are ever issued: the
// client-credentials grant has neither. fosite's token checker still asks
// for them by type, so they are always unknown.
func (s *store) CreateAuthorizeCodeSession(context.Context, string, fosite.Requester) error {
	return errors.New("integration: authorize codes are not issued")
}
func (s *store) GetAuthorizeCodeSession(context.Context, string, fosite.Session) (fosite.Requester, error) {
	return nil, fosite.ErrNotFound
}
func (s *store) InvalidateAuthorizeCodeSession(context.Context, string) error { return nil }
func (s *store) CreateRefreshTokenSession(context.Context, string, string, fosite.Requester) error {
	return errors.New("integration: refresh tokens are not issued")
}
func (s *store) GetRefreshTokenSession(context.Context, string, fosite.Session) (fosite.Requester, error) {
	return nil, fosite.ErrNotFound
}
func (s *store) DeleteRefreshTokenSession(context.Context, string) error  { return nil }
func (s *store) RotateRefreshToken(context.Context, string, string) error { return nil }

// appendCall writes what an integration did to its tenant's audit trail,
// under its name.
func appendCall(tx *gorm.DB, in Integration, action, target string, detail map[string]string) error {
	id := in.ID
	if detail == nil {
		detail = map[string]string{}
	}
	detail["client_id"] = in.ClientID
	_, err := audit.Append(tx, in.TenantID, audit.Event{ActorKind: "integration", ActorID: &id, ActorName: in.Name,
		Basis: string(access.BasisIntegration), Action: action, Target: target, Detail: detail})
	return err
}
