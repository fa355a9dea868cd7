package rostersync

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// An integration registered with the roster:write scope (OAuth2 client
// credentials, internal/integration) delivers roster files as an MIS sync
// tool does. Deliveries name a row of roster_integrations, so such an
// integration has one of the same id and name, made and revoked with it
// in its transaction (Mirror, Unmirror). Its token hash is random bytes
// no secret hashes to: it is only ever reached by its id, after the
// integration's access token was checked. Revoking it on the Roster sync
// page stops its deliveries; revoking the integration stops everything.

// Mirror records integration id (named name, registered by by) as a
// roster sync credential of tx's tenant.
func Mirror(tx *gorm.DB, tenant, id uuid.UUID, name string, by *uuid.UUID) error {
	unguessable := make([]byte, 32)
	if _, err := rand.Read(unguessable); err != nil {
		return fmt.Errorf("rostersync: crypto/rand: %w", err)
	}
	return tx.Exec(`INSERT INTO roster_integrations (tenant_id, id, name, token_hash, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, tenant, id, name, unguessable, by, time.Now().UTC()).Error
}

// Unmirror revokes the roster sync credential of integration id, if any.
func Unmirror(tx *gorm.DB, id uuid.UUID, by *uuid.UUID) error {
	return tx.Exec(`UPDATE roster_integrations SET revoked_at = now(), revoked_by = ? WHERE id = ? AND revoked_at IS NULL`, by, id).Error
}

// CallerOf is the live roster sync credential of an integration whose
// access token the caller checked; a revoked (or missing) one is
// ErrUnauthenticated.
func (s *Service) CallerOf(ctx context.Context, tenant, id uuid.UUID) (Caller, error) {
	var in Integration
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		return tx.Where("id = ? AND revoked_at IS NULL", id).Limit(1).Find(&in).Error
	})
	if err != nil {
		return Caller{}, fmt.Errorf("rostersync: integration caller: %w", err)
	}
	if in.ID == uuid.Nil {
		return Caller{}, errs.ErrUnauthenticated
	}
	return Caller{TenantID: tenant, ID: in.ID, Name: in.Name}, nil
}
