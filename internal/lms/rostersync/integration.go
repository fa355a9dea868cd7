package rostersync

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// tenantWide refuses an admin of only some schools of a trust: a sync
// credential changes every school's roster.
func tenantWide(sc access.Scope) error {
	if !sc.TenantWide() {
		return errs.New(errs.ErrForbidden, "Roster sync concerns every school of the trust: it needs an administrator of the whole trust")
	}
	return nil
}

// Create issues an integration credential named name; its secret is in
// the result and never shown again. Recorded in the audit trail.
func (s *Service) Create(ctx context.Context, sc access.Scope, name string) (Issued, error) {
	var fe errs.FieldErrors
	name = fe.Line("name", name, 1, 100)
	if err := fe.Err(); err != nil {
		return Issued{}, err
	}
	if err := tenantWide(sc); err != nil {
		return Issued{}, err
	}
	secret := newSecret(sc.Tenant())
	out := Issued{Secret: secret, Integration: Integration{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), Name: name,
		TokenHash: hashSecret(secret), CreatedAt: s.now().UTC()}}
	if a := sc.Actor(); a.Kind == access.ActorMember {
		out.CreatedBy = &a.ID
	}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := tx.Create(&out.Integration).Error; err != nil {
			return err
		}
		return identity.Record(tx, sc, "", "roster-sync.credential_created", "roster integration "+out.ID.String(), map[string]string{"name": name})
	})
	if err != nil {
		return Issued{}, fmt.Errorf("rostersync: create integration: %w", err)
	}
	return out, nil
}

// List is the tenant's integrations, newest first, revoked ones included.
func (s *Service) List(ctx context.Context, sc access.Scope) ([]Integration, error) {
	out := []Integration{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Omit("token_hash").Order("created_at DESC, id DESC").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("rostersync: list integrations: %w", err)
	}
	return out, nil
}

// Revoke ends an integration: its secret is refused from then on.
// Revoking one already revoked changes nothing.
func (s *Service) Revoke(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	if err := tenantWide(sc); err != nil {
		return err
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var in Integration
		if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&in), "roster integration %s", id); err != nil {
			return err
		}
		if in.RevokedAt != nil {
			return nil
		}
		var by *uuid.UUID
		if a := sc.Actor(); a.Kind == access.ActorMember {
			by = &a.ID
		}
		if err := tx.Model(&in).Updates(map[string]any{"revoked_at": s.now().UTC(), "revoked_by": by}).Error; err != nil {
			return err
		}
		return identity.Record(tx, sc, "", "roster-sync.credential_revoked", "roster integration "+id.String(), map[string]string{"name": in.Name})
	})
}

// Caller is an authenticated integration: the only thing it may do is
// deliver roster files to its tenant.
type Caller struct {
	TenantID uuid.UUID
	ID       uuid.UUID
	Name     string
}

// Scope is the system scope an integration acts under, named for it in
// the audit trail ("roster sync <name>").
func (c Caller) Scope() access.Scope { return access.System(c.TenantID, c.Job()) }

// Job is how the audit trail names the integration.
func (c Caller) Job() string { return "roster sync " + c.Name }

// Authenticate resolves a presented secret to its live integration; any
// other secret (unknown, revoked, a person's token) is ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, secret string) (Caller, error) {
	tenant, err := parseSecret(secret)
	if err != nil {
		return Caller{}, err
	}
	var in Integration
	err = access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		return tx.Where("token_hash = ? AND revoked_at IS NULL", hashSecret(secret)).Limit(1).Find(&in).Error
	})
	if err != nil {
		return Caller{}, fmt.Errorf("rostersync: authenticate: %w", err)
	}
	if in.ID == uuid.Nil {
		return Caller{}, errs.ErrUnauthenticated
	}
	return Caller{TenantID: tenant, ID: in.ID, Name: in.Name}, nil
}

// used notes an integration's use.
func used(tx *gorm.DB, c Caller, at time.Time) error {
	return tx.Model(&Integration{}).Where("id = ?", c.ID).Update("last_used_at", at).Error
}
