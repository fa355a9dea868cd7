package integration

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// random is n bytes of crypto/rand as base64url.
func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("integration: crypto/rand: %v", err)) // no randomness: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Register makes an integration with the given name and scopes (an admin
// of the whole tenant); its client secret is in the result and never
// shown again. Recorded in the audit trail.
func (s *Service) Register(ctx context.Context, sc access.Scope, in NewIntegration) (Registered, error) {
	var fe errs.FieldErrors
	name := fe.Line("name", in.Name, 1, 100)
	if len(in.Scopes) == 0 {
		fe.Add("scopes", "choose at least one thing the integration may do")
	}
	var scopes []Scope
	for _, s := range in.Scopes {
		if _, ok := Info(s); !ok {
			fe.Add("scopes", "%q is not a scope (courses:read, people:read, grades:read, roster:write)", s)
		} else if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if err := fe.Err(); err != nil {
		return Registered{}, err
	}
	if !sc.TenantWide() {
		return Registered{}, errs.New(errs.ErrForbidden, "An integration reads every school of the trust: it needs an administrator of the whole trust")
	}
	secret := random(32)
	hash, err := s.config.GetSecretsHasher(ctx).Hash(ctx, []byte(secret))
	if err != nil {
		return Registered{}, fmt.Errorf("integration: hash secret: %w", err)
	}
	tenant := sc.Tenant()
	out := Registered{ClientSecret: secret, TokenURL: TokenPath, Integration: Integration{TenantID: tenant,
		ID: uuid.Must(uuid.NewV7()), Name: name, ClientID: clientPrefix + hex.EncodeToString(tenant[:]) + "_" + random(16),
		Scopes: scopes, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}}
	if a := sc.Actor(); a.Kind == access.ActorMember {
		out.CreatedBy = &a.ID
	}
	js, _ := json.Marshal(scopes)
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		err := tx.Exec(`INSERT INTO integrations (tenant_id, id, name, client_id, secret_hash, scopes, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tenant, out.ID, name, out.ClientID, hash, string(js), out.CreatedBy, out.CreatedAt).Error
		if err != nil {
			return err
		}
		if s.OnRegister != nil {
			if err := s.OnRegister(tx, out.Integration, out.CreatedBy); err != nil {
				return err
			}
		}
		return identity.Record(tx, sc, "", "integration.registered", "integration "+out.ID.String(),
			map[string]string{"name": name, "scopes": string(js)})
	})
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return Registered{}, errs.FieldErrors{{Field: "name", Message: "another live integration has this name"}}
	}
	if err != nil {
		return Registered{}, fmt.Errorf("integration: register: %w", err)
	}
	return out, nil
}

// listSQL reads integrations without their secret's hash.
const listSQL = `SELECT i.tenant_id, i.id, i.name, i.client_id, i.scopes::text AS scopes_json,
	i.created_by, i.created_at, i.revoked_at, i.revoked_by FROM integrations i`

// List is one page of the tenant's integrations, newest first (UUIDv7
// ids), revoked ones included; after is the last id already seen.
func (s *Service) List(ctx context.Context, sc access.Scope, after uuid.UUID, limit int) ([]Integration, error) {
	return s.list(ctx, sc, false, after, limit)
}

// Live is every live integration of the tenant, oldest first (the record
// of processing lists them as recipients).
func (s *Service) Live(ctx context.Context, sc access.Scope) ([]Integration, error) {
	return s.list(ctx, sc, true, uuid.Nil, 0)
}

func (s *Service) list(ctx context.Context, sc access.Scope, live bool, after uuid.UUID, limit int) ([]Integration, error) {
	q, args, order := listSQL+` WHERE true`, []any{}, ` ORDER BY i.id DESC`
	if live {
		q, order = q+` AND i.revoked_at IS NULL`, ` ORDER BY i.id`
	}
	if after != uuid.Nil {
		q, args = q+` AND i.id < ?`, append(args, after)
	}
	q += order
	if limit > 0 {
		q, args = q+` LIMIT ?`, append(args, limit)
	}
	var rows []clientRow
	if err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Raw(q, args...).Scan(&rows).Error }); err != nil {
		return nil, fmt.Errorf("integration: list: %w", err)
	}
	out := make([]Integration, 0, len(rows))
	for _, r := range rows {
		cl, err := r.client()
		if err != nil {
			return nil, err
		}
		out = append(out, cl.in)
	}
	return out, nil
}

// Revoke ends an integration at once: it is refused a token from now on
// and every token it holds is deleted in the same transaction, so its
// next call is refused (401). Revoking one already revoked changes
// nothing; another tenant's is not found.
func (s *Service) Revoke(ctx context.Context, sc access.Scope, id uuid.UUID) (Integration, error) {
	if !sc.TenantWide() {
		return Integration{}, errs.New(errs.ErrForbidden, "An integration reads every school of the trust: it needs an administrator of the whole trust")
	}
	var in Integration
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rows []clientRow
		if err := database.Found(tx.Raw(listSQL+` WHERE i.id = ? FOR UPDATE`, id).Scan(&rows), "integration %s", id); err != nil {
			return err
		}
		cl, err := rows[0].client()
		if err != nil {
			return err
		}
		if in = cl.in; !in.Live() {
			return nil
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		in.RevokedAt = &now
		if a := sc.Actor(); a.Kind == access.ActorMember {
			in.RevokedBy = &a.ID
		}
		if err := tx.Exec(`UPDATE integrations SET revoked_at = ?, revoked_by = ? WHERE id = ?`, now, in.RevokedBy, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM integration_tokens WHERE integration_id = ?`, id).Error; err != nil {
			return err
		}
		if s.OnRevoke != nil {
			if err := s.OnRevoke(tx, in, in.RevokedBy); err != nil {
				return err
			}
		}
		return identity.Record(tx, sc, "", "integration.revoked", "integration "+id.String(), map[string]string{"name": in.Name})
	})
	if err != nil {
		return Integration{}, fmt.Errorf("integration: revoke: %w", err)
	}
	return in, nil
}

// Get is one integration of the tenant (revoked or not); another
// tenant's is not found.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (Integration, error) {
	var rows []clientRow
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return database.Found(tx.Raw(listSQL+` WHERE i.id = ?`, id).Scan(&rows), "integration %s", id)
	})
	if err != nil {
		return Integration{}, fmt.Errorf("integration: get: %w", err)
	}
	cl, err := rows[0].client()
	if err != nil {
		return Integration{}, err
	}
	return cl.in, nil
}
