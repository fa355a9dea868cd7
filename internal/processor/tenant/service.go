package tenant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/memo"
)

// Buckets makes sure a data region's bucket exists.
type Buckets interface {
	EnsureBucket(ctx context.Context, region string) error
}

// Service manages tenants and contracts.
type Service struct {
	db                    *database.DB
	buckets               Buckets
	allowInitialPasswords bool
	ends                  memo.Cache[uuid.UUID, Contract] // endcache.go
	zones                 zoneCache
	// Regions are the data regions this deployment holds (LMS_REGIONS);
	// empty: any. A tenant of another region belongs to another deployment,
	// with its own database and buckets in that region.
	Regions []string
}

// NewService returns a Service. allowInitialPasswords lets manifests set
// first passwords (dev and demos); in production admins get invitations.
func NewService(db *database.DB, buckets Buckets, allowInitialPasswords bool) *Service {
	return &Service{db: db, buckets: buckets, allowInitialPasswords: allowInitialPasswords,
		ends: memo.Cache[uuid.UUID, Contract]{TTL: endCacheTTL}}
}

// Result says what Apply did.
type Result struct {
	TenantID uuid.UUID `json:"tenant_id"`
	Created  bool      `json:"created"`
	Changes  []string  `json:"changes"`
}

// Apply creates or updates a tenant from its manifest, atomically. It never
// deletes: schools and admins missing from the manifest stay. The region
// cannot change. actor is the operator, or uuid.Nil for the CLI.
func (s *Service) Apply(ctx context.Context, m Manifest, actor uuid.UUID) (Result, error) {
	res, err := s.apply(ctx, m, actor, false)
	s.Forget(res.TenantID) // the manifest may have set the contract's dates
	if res.Changes == nil {
		res.Changes = []string{} // nothing changed: an empty list, never null
	}
	return res, err
}

// Create is Apply for a new tenant only: a slug already in use is a field
// error, so an operator's form can never update another tenant by mistake.
func (s *Service) Create(ctx context.Context, m Manifest, actor uuid.UUID) (Result, error) {
	return s.apply(ctx, m, actor, true)
}

func (s *Service) apply(ctx context.Context, m Manifest, actor uuid.UUID, createOnly bool) (Result, error) {
	if err := m.Validate(); err != nil {
		return Result{}, err
	}
	if len(s.Regions) > 0 && !slices.Contains(s.Regions, m.Region) {
		return Result{}, errs.Field("region", "this deployment holds data in %s only (LMS_REGIONS): create a %q tenant in the deployment of its region", strings.Join(s.Regions, ", "), m.Region)
	}
	var res Result
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		var t Tenant
		found := tx.Where("slug = ?", m.Slug).Limit(1).Find(&t)
		if found.Error != nil {
			return found.Error
		}
		if found.RowsAffected > 0 && createOnly {
			return errs.Field("slug", "is already the sign-in name of another tenant")
		}
		if found.RowsAffected == 0 {
			t = Tenant{ID: uuid.Must(uuid.NewV7()), Slug: m.Slug, Name: m.Name, Kind: m.Kind, Region: m.Region, MaxFileBytes: int64(m.MaxFileMiB) << 20, TimeZone: m.TimeZone}
			if err := tx.Create(&t).Error; err != nil {
				return fmt.Errorf("create tenant: %w", err)
			}
			res.Created = true
			res.Changes = append(res.Changes, "created tenant "+m.Slug)
		} else {
			if t.Region != m.Region {
				return errs.Field("region", "is fixed at creation (%s); a tenant cannot move region", t.Region)
			}
			if t.Name != m.Name || t.Kind != m.Kind {
				if err := tx.Model(&t).Updates(map[string]any{"name": m.Name, "kind": m.Kind, "updated_at": time.Now()}).Error; err != nil {
					return err
				}
				res.Changes = append(res.Changes, "updated name/kind")
			}
			if m.MaxFileMiB != 0 && t.MaxFileBytes != int64(m.MaxFileMiB)<<20 {
				if err := tx.Model(&t).Updates(map[string]any{"max_file_bytes": int64(m.MaxFileMiB) << 20, "updated_at": time.Now()}).Error; err != nil {
					return err
				}
				res.Changes = append(res.Changes, "updated max_file_mib")
			}
			if t.TimeZone != m.TimeZone {
				if err := tx.Model(&t).Updates(map[string]any{"time_zone": m.TimeZone, "updated_at": time.Now()}).Error; err != nil {
					return err
				}
				res.Changes = append(res.Changes, "updated time_zone")
			}
		}
		res.TenantID = t.ID
		if err := applyContract(tx, t.ID, m.Contract, &res); err != nil {
			return err
		}
		// From here on the transaction acts inside the tenant, on the
		// controller's instruction that the manifest records.
		if err := access.Enter(tx, access.Contract(t.ID, actor, "manifest:"+m.Contract.Reference)); err != nil {
			return err
		}
		schools, err := applySchools(tx, t.ID, m.Schools, &res)
		if err != nil {
			return err
		}
		if m.Kind == "school" && len(schools) > 0 {
			var n int64
			if err := tx.Model(&School{}).Count(&n).Error; err != nil {
				return err
			}
			if n > 1 {
				return errs.Field("kind", "this tenant has %d schools; a single-school tenant has one (use kind: trust)", n)
			}
		}
		if res.Created {
			// People and roles are the controller's to manage. After creation,
			// neither a manifest nor an operator adds or promotes anyone (the
			// manifest's admins are its first admins), and the answer does not
			// say who exists.
			if err := s.applyAdmins(tx, t.ID, m.Admins, schools, &res); err != nil {
				return err
			}
		}
		return logInstruction(tx, t.ID, actor, "contract.manifest-applied", "manifest "+m.Contract.Reference, res.Changes)
	})
	if err != nil {
		return Result{}, fmt.Errorf("apply tenant %s: %w", m.Slug, err)
	}
	if s.buckets != nil {
		if err := s.buckets.EnsureBucket(ctx, m.Region); err != nil {
			return res, err
		}
	}
	return res, nil
}

func applyContract(tx *gorm.DB, tenant uuid.UUID, c ContractSpec, res *Result) error {
	start, _ := ParseDate(c.StartsOn)
	var end *Date
	if c.EndsOn != "" {
		e, _ := ParseDate(c.EndsOn)
		end = &e
	}
	var cur Contract
	found := tx.Where("tenant_id = ?", tenant).Limit(1).Find(&cur)
	if found.Error != nil {
		return found.Error
	}
	if found.RowsAffected == 0 {
		res.Changes = append(res.Changes, "created contract "+c.Reference)
		return tx.Create(&Contract{TenantID: tenant, Reference: c.Reference, StartsOn: start, EndsOn: end, Status: statusFor(end), ReturnWindowDays: c.ReturnWindowDays, UpdatedAt: time.Now()}).Error
	}
	if cur.Status == ContractEnded || cur.Status == ContractDeleted || cur.Ended(time.Now()) {
		return nil // a finished contract is history; a manifest cannot reopen it
	}
	if end == nil {
		// A manifest without an end date leaves the one set (by an operator
		// or an earlier manifest) alone: only an explicit reopen clears it.
		end = cur.EndsOn
	}
	if cur.Reference == c.Reference && cur.StartsOn.Equal(start.Time) && sameEnd(cur.EndsOn, end) && cur.ReturnWindowDays == c.ReturnWindowDays {
		return nil
	}
	res.Changes = append(res.Changes, "updated contract")
	return tx.Model(&Contract{}).Where("tenant_id = ?", tenant).Updates(map[string]any{
		"reference": c.Reference, "starts_on": start, "ends_on": end, "status": statusFor(end),
		"return_window_days": c.ReturnWindowDays, "updated_at": time.Now(),
	}).Error
}

func sameEnd(a, b *Date) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(b.Time))
}

// statusFor: an open contract is active; one with an end date is ending.
// Ended and deleted are set by the contract-end jobs, never here.
func statusFor(end *Date) ContractStatus {
	if end == nil {
		return ContractActive
	}
	return ContractEnding
}

func applySchools(tx *gorm.DB, tenant uuid.UUID, specs []SchoolSpec, res *Result) (map[string]uuid.UUID, error) {
	ids := map[string]uuid.UUID{}
	for i, sp := range specs {
		var sc School
		found := tx.Where("slug = ?", sp.Slug).Limit(1).Find(&sc)
		if found.Error != nil {
			return nil, found.Error
		}
		switch {
		case found.RowsAffected == 0:
			sc = School{TenantID: tenant, ID: uuid.Must(uuid.NewV7()), Slug: sp.Slug, Name: sp.Name, TimeZone: zoneOrNil(sp.TimeZone)}
			if err := tx.Create(&sc).Error; err != nil {
				return nil, fmt.Errorf("create school %s: %w", sp.Slug, err)
			}
			res.Changes = append(res.Changes, "created school "+sp.Slug)
		case sc.Name != sp.Name || !sameZone(sc.TimeZone, sp.TimeZone):
			if err := tx.Model(&School{}).Where("id = ?", sc.ID).Updates(map[string]any{"name": sp.Name, "time_zone": zoneOrNil(sp.TimeZone)}).Error; err != nil {
				return nil, err
			}
			res.Changes = append(res.Changes, "updated school "+sp.Slug)
		}
		if changed, err := applySchoolCodes(tx, sc.ID, i, sp); err != nil {
			return nil, err
		} else if changed {
			res.Changes = append(res.Changes, "updated school "+sp.Slug+" roster codes")
		}
		ids[sp.Slug] = sc.ID
	}
	return ids, nil
}

func (s *Service) applyAdmins(tx *gorm.DB, tenant uuid.UUID, specs []AdminSpec, schools map[string]uuid.UUID, res *Result) error {
	for i, a := range specs {
		p, err := identity.FindByUsernameTx(tx, a.Username)
		if errors.Is(err, errs.ErrNotFound) {
			in := identity.NewPerson{Username: a.Username, DisplayName: a.DisplayName}
			if a.Email != "" {
				in.Email = &a.Email
			}
			if a.InitialPassword != "" {
				if !s.allowInitialPasswords {
					return errs.Field(fmt.Sprintf("admins[%d].initial_password", i), "is only accepted in development (LMS_ENV=dev)")
				}
				in.Password = a.InitialPassword
			}
			p, err = identity.CreatePersonTx(tx, tenant, in)
			if err != nil {
				return err
			}
			res.Changes = append(res.Changes, "created admin "+a.Username)
			if in.Password == "" {
				// Nobody at the processor knows their password: they get
				// a link by email to set it (sent by the email sweep).
				if a.Email == "" {
					return errs.Field(fmt.Sprintf("admins[%d].email", i), "is required: a first admin gets a link by email to set their password")
				}
				if _, err := identity.NewPasswordLink(tx, tenant, p.ID, identity.LinkInvite); err != nil {
					return err
				}
				res.Changes = append(res.Changes, "invited admin "+a.Username+" by email")
			}
		} else if err != nil {
			return err
		}
		var school *uuid.UUID
		if a.School != "" {
			id := schools[a.School]
			school = &id
		}
		if _, err := identity.AssignRoleTx(tx, tenant, p.ID, identity.RoleAdmin, school); err != nil {
			return err
		}
	}
	return nil
}

// AllowsInitialPasswords says whether manifests may set first passwords
// (dev and demos only).
func (s *Service) AllowsInitialPasswords() bool { return s.allowInitialPasswords }

// logInstruction records in the tenant's audit log what the processor did
// in the tenant on the contract's instruction, naming the operator (or the
// CLI). Nothing is written when nothing changed.
func logInstruction(tx *gorm.DB, tenant, actor uuid.UUID, action, target string, changes []string) error {
	if len(changes) == 0 {
		return nil
	}
	name, id := "lms tenants apply (command line)", (*uuid.UUID)(nil)
	if actor != uuid.Nil {
		id = &actor
		if err := tx.Raw(`SELECT display_name FROM staff WHERE id = ?`, actor).Scan(&name).Error; err != nil {
			return err
		}
	}
	_, err := audit.Append(tx, tenant, audit.Event{ActorKind: "staff", ActorID: id, ActorName: name, Basis: string(access.BasisContract),
		Action: action, Target: target, Detail: map[string]string{"changes": strings.Join(changes, "; ")}})
	return err
}

func zoneOrNil(z string) *string {
	if z == "" {
		return nil
	}
	return &z
}

func sameZone(a *string, b string) bool { return (a == nil && b == "") || (a != nil && *a == b) }
