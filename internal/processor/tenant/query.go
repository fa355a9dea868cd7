package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// BySlug finds a tenant by its slug. A deleted tenant is not found.
// Sign-in names are case-insensitive ("Oakfield-Primary" is
// oakfield-primary): slugs are stored in lower case.
func (s *Service) BySlug(ctx context.Context, slug string) (Tenant, error) {
	var t Tenant
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugRE.MatchString(slug) {
		return t, errs.New(errs.ErrNotFound, "tenant")
	}
	if err := database.Found(s.db.Gorm.WithContext(ctx).
		Where("slug = ? AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.tenant_id = tenants.id AND c.status = ?)", slug, ContractDeleted).
		Limit(1).Find(&t), "tenant %q", slug); err != nil {
		return t, err
	}
	return t, nil
}

// SlugOf is a tenant's slug, for the addresses of its pages.
func (s *Service) SlugOf(ctx context.Context, id uuid.UUID) (string, error) {
	var slug string
	if err := database.Found(s.db.Gorm.WithContext(ctx).Raw(`SELECT slug FROM tenants WHERE id = ?`, id).Scan(&slug), "tenant %s", id); err != nil {
		return "", err
	}
	return slug, nil
}

// Get returns one tenant with its contract and operational figures.
// staff is the operator asking (for the record of the figures' scope).
func (s *Service) Get(ctx context.Context, id uuid.UUID, staff uuid.UUID) (Summary, error) {
	var ts []Tenant
	if err := s.db.Gorm.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&ts).Error; err != nil {
		return Summary{}, err
	}
	if len(ts) == 0 {
		return Summary{}, errs.New(errs.ErrNotFound, "tenant %s", id)
	}
	out, err := s.summarise(ctx, ts, staff)
	if err != nil {
		return Summary{}, err
	}
	return out[0], nil
}

// List pages through tenants by id. after is the last id of the previous page.
func (s *Service) List(ctx context.Context, after uuid.UUID, limit int, staff uuid.UUID) ([]Summary, error) {
	var ts []Tenant
	q := s.db.Gorm.WithContext(ctx).Order("id").Limit(limit)
	if after != uuid.Nil {
		q = q.Where("id > ?", after)
	}
	if err := q.Find(&ts).Error; err != nil {
		return nil, err
	}
	return s.summarise(ctx, ts, staff)
}

// summarise adds contracts (one query for all) and figures to tenants.
func (s *Service) summarise(ctx context.Context, ts []Tenant, staff uuid.UUID) ([]Summary, error) {
	ids := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	var cs []Contract
	if len(ids) > 0 {
		if err := s.db.Gorm.WithContext(ctx).Where("tenant_id IN ?", ids).Find(&cs).Error; err != nil {
			return nil, err
		}
	}
	byTenant := make(map[uuid.UUID]Contract, len(cs))
	for _, c := range cs {
		byTenant[c.TenantID] = c
	}
	out := make([]Summary, len(ts))
	for i, t := range ts {
		f, err := s.figures(ctx, t.ID, staff) // per tenant: counting runs inside that tenant's RLS scope
		if err != nil {
			return nil, err
		}
		out[i] = Summary{Tenant: t, Contract: byTenant[t.ID], Figures: f}
	}
	return out, nil
}

// figures counts rows; it reads no row's content. It is the processor's
// own operational statistic under the contract.
func (s *Service) figures(ctx context.Context, tenant, staff uuid.UUID) (Figures, error) {
	var f Figures
	err := access.Transact(ctx, s.db, access.Contract(tenant, staff, "operational-figures"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT (SELECT count(*) FROM schools) AS schools, (SELECT count(*) FROM people) AS people,
			(SELECT count(*) FROM courses) AS courses, (SELECT COALESCE(sum(size_bytes), 0) FROM files) AS storage_bytes`).Scan(&f).Error
	})
	if errors.Is(err, errs.ErrNotFound) {
		// Deleted at contract end: the scope refuses it, and there is
		// nothing left to count.
		return Figures{}, nil
	}
	return f, err
}

// ContractPatch sets a contract's end date; null reopens an ending
// contract. ends_on must be present: an empty body changes nothing by
// accident.
type ContractPatch struct {
	EndsOn *Date `json:"ends_on"`
	given  bool
}

// EndOn is a patch that sets the end date (nil reopens the contract).
func EndOn(d *Date) ContractPatch { return ContractPatch{EndsOn: d, given: true} }

// UnmarshalJSON records whether ends_on was sent at all.
func (p *ContractPatch) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for k := range raw {
		if k != "ends_on" {
			return fmt.Errorf("json: unknown field %q", k)
		}
	}
	v, ok := raw["ends_on"]
	if !ok {
		return nil
	}
	p.given = true
	if string(v) == "null" {
		p.EndsOn = nil
		return nil
	}
	var d Date
	if err := json.Unmarshal(v, &d); err != nil {
		return errs.Field("ends_on", "%s", err.Error())
	}
	p.EndsOn = &d
	return nil
}

// SetContractEnd sets or clears the end date. Ended or deleted contracts
// cannot change.
func (s *Service) SetContractEnd(ctx context.Context, tenant uuid.UUID, p ContractPatch) (Contract, error) {
	var c Contract
	if !p.given {
		return c, errs.Field("ends_on", "is required (a date, or null to reopen the contract)")
	}
	defer s.Forget(tenant)
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := database.Found(tx.Where("tenant_id = ?", tenant).Limit(1).Find(&c), "contract of tenant %s", tenant); err != nil {
			return err
		}
		if c.Status == ContractEnded || c.Status == ContractDeleted || c.Ended(time.Now()) {
			return errs.New(errs.ErrConflict, "the contract has ended (%s): its dates can no longer change", c.EndsOn)
		}
		var deleting int64
		if err := tx.Raw(`SELECT count(*) FROM deletions WHERE tenant_id = ?`, tenant).Scan(&deleting).Error; err != nil {
			return err
		}
		if deleting > 0 {
			return errs.New(errs.ErrConflict, "the tenant's data is being deleted: its contract can no longer change")
		}
		if p.EndsOn != nil && p.EndsOn.Before(c.StartsOn.Time) {
			return errs.Field("ends_on", "must not be before the contract start (%s)", c.StartsOn)
		}
		c.EndsOn, c.Status, c.UpdatedAt = p.EndsOn, statusFor(p.EndsOn), time.Now().UTC()
		return tx.Model(&Contract{}).Where("tenant_id = ?", tenant).
			Updates(map[string]any{"ends_on": c.EndsOn, "status": c.Status, "updated_at": c.UpdatedAt}).Error
	})
	return c, err
}

// Schools lists the scoped tenant's schools.
func (s *Service) Schools(ctx context.Context, sc access.Scope) ([]School, error) {
	out := []School{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Order("name").Find(&out).Error })
	return out, err
}

// ForMember returns the tenant and contract a member of it may see.
func (s *Service) ForMember(ctx context.Context, id uuid.UUID) (Tenant, Contract, error) {
	var t Tenant
	var c Contract
	if err := s.db.Gorm.WithContext(ctx).Where("id = ?", id).First(&t).Error; err != nil {
		return t, c, errs.New(errs.ErrNotFound, "tenant %s", id)
	}
	err := s.db.Gorm.WithContext(ctx).Where("tenant_id = ?", id).Limit(1).Find(&c).Error
	return t, c, err
}

// IDs lists every tenant's id, for platform jobs and figures.
func (s *Service) IDs(ctx context.Context) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT id FROM tenants ORDER BY id`).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("tenant: ids: %w", err)
	}
	return ids, nil
}
