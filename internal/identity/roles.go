package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Role is a tenant role. A person may hold several, each for one school or,
// with no school, for the whole tenant (e.g. a trust-wide admin). The value
// is what role_assignments.role holds.
type Role string

// The tenant roles.
const (
	RoleAdmin   Role = "admin"   // acts for the school (the controller)
	RoleTeacher Role = "teacher" // teaches courses
	RoleLearner Role = "learner" // learns in courses
	// RoleApprover decides processor support requests (and nothing else).
	RoleApprover Role = "approver"
	RoleGuardian Role = "guardian" // a learner's parent or carer
	RoleTutor    Role = "tutor"    // helps the learners assigned to them
)

// TenantRoles are the tenant roles, in the order authz numbers them.
var TenantRoles = []Role{RoleAdmin, RoleTeacher, RoleLearner, RoleApprover, RoleGuardian, RoleTutor}

// RoleAssignment gives a person a role in a tenant, optionally in one school.
type RoleAssignment struct {
	TenantID  uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID        uuid.UUID  `gorm:"primaryKey" json:"id"`
	PersonID  uuid.UUID  `json:"person_id"`
	Role      Role       `json:"role"`
	SchoolID  *uuid.UUID `json:"school_id"`
	CreatedAt time.Time  `json:"created_at"`
}

// TableName is the gorm table.
func (RoleAssignment) TableName() string { return "role_assignments" }

// AuthzChannel is the PostgreSQL NOTIFY channel on which a tenant id is sent
// when its role assignments change, so every process reloads that tenant.
const AuthzChannel = "lms_authz"

// AssignRoleTx adds a role inside an open tenant transaction. Assigning a
// role the person already holds returns the existing assignment.
func AssignRoleTx(tx *gorm.DB, tenant, person uuid.UUID, role Role, school *uuid.UUID) (RoleAssignment, error) {
	var fe errs.FieldErrors
	if !validRole(role) {
		fe.Add("role", "must be one of admin, teacher, learner, approver")
	}
	if role == RoleApprover && school != nil {
		// Support access and the access log concern the whole tenant (a
		// trust's every school): only a tenant-wide approver decides.
		fe.Add("school_id", "an access approver acts for the whole tenant; give the role without a school")
	}
	if err := fe.Err(); err != nil {
		return RoleAssignment{}, err
	}
	var existing RoleAssignment
	find := func() *gorm.DB {
		q := tx.Where("person_id = ? AND role = ?", person, role)
		if school == nil {
			q = q.Where("school_id IS NULL")
		} else {
			q = q.Where("school_id = ?", *school)
		}
		return q.Limit(1).Find(&existing)
	}
	if res := find(); res.Error != nil {
		return existing, res.Error
	} else if res.RowsAffected > 0 {
		return existing, nil
	}
	ra := RoleAssignment{TenantID: tenant, ID: uuid.Must(uuid.NewV7()), PersonID: person, Role: role, SchoolID: school, CreatedAt: time.Now().UTC()}
	// A concurrent identical request may win the race: then return its row.
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ra)
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
			return ra, errs.Field("school_id", "no such school in this tenant")
		}
		return ra, fmt.Errorf("assign role: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return existing, find().Error
	}
	return ra, notifyAuthz(tx, tenant)
}

// InsertRolesTx adds many school roles at once (a bulk import), a
// thousand rows a statement, skipping any the person already holds, and
// tells every process once. The caller has checked each role is valid
// and not an approver's (those are tenant-wide and never imported).
func InsertRolesTx(tx *gorm.DB, tenant uuid.UUID, roles []RoleAssignment) error {
	if len(roles) == 0 {
		return nil
	}
	now := time.Now().UTC()
	for i := range roles {
		roles[i].TenantID, roles[i].CreatedAt = tenant, now
		if roles[i].ID == uuid.Nil {
			roles[i].ID = uuid.Must(uuid.NewV7())
		}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&roles, 1000).Error; err != nil {
		return fmt.Errorf("insert %d roles: %w", len(roles), err)
	}
	return notifyAuthz(tx, tenant)
}

func notifyAuthz(tx *gorm.DB, tenant uuid.UUID) error {
	// NOTIFY is transactional: listeners hear it only if the change commits.
	return tx.Exec(`SELECT pg_notify(?, ?)`, AuthzChannel, tenant.String()).Error
}

func validRole(r Role) bool {
	for _, v := range TenantRoles {
		if r == v {
			return true
		}
	}
	return false
}

// Roles lists a person's role assignments.
func (s *Service) Roles(ctx context.Context, sc access.Scope, person uuid.UUID, p database.Page) (out []RoleAssignment, err error) {
	out = []RoleAssignment{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, false); err != nil {
			return err
		}
		q := tx.Where("person_id = ?", person)
		if ids, limited := sc.Schools(); limited {
			q = q.Where("school_id IN ?", ids) // only the roles in the caller's schools
		}
		return roleOrder.Apply(q, p).Find(&out).Error
	})
	return out, err
}

// roleOrder lists a person's roles oldest first.
var roleOrder = database.Keyset{Key: "created_at", Cast: "timestamptz", ID: "id"}

// At is where a role sits in the order Roles lists them, for paging.
func (r RoleAssignment) At() (string, uuid.UUID) { return database.TimeKey(r.CreatedAt), r.ID }

// AssignRole gives a person a role.
func (s *Service) AssignRole(ctx context.Context, sc access.Scope, person uuid.UUID, role Role, school *uuid.UUID) (ra RoleAssignment, err error) {
	if err := schoolAllowed(sc, school); err != nil {
		return ra, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, false); err != nil {
			return err
		}
		ra, err = AssignRoleTx(tx, sc.Tenant(), person, role, school)
		return err
	})
	return ra, err
}

// RemoveRole takes a role away. An admin cannot remove the tenant's last
// tenant-wide admin: someone must stay able to act for the controller.
func (s *Service) RemoveRole(ctx context.Context, sc access.Scope, person, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var ra RoleAssignment
		if res := tx.Where("id = ? AND person_id = ?", id, person).Limit(1).Find(&ra); res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "role assignment %s", id)
		}
		if err := reach(tx, sc, person, false); err != nil {
			return err
		}
		if _, limited := sc.Schools(); limited && schoolAllowed(sc, ra.SchoolID) != nil {
			return errs.New(errs.ErrNotFound, "role assignment %s", id)
		}
		if ra.Role == RoleAdmin && ra.SchoolID == nil {
			if err := guardLastAdmin(tx, sc.Tenant(), person); err != nil {
				return err
			}
		}
		if err := tx.Delete(&RoleAssignment{}, "id = ?", id).Error; err != nil {
			return err
		}
		return notifyAuthz(tx, sc.Tenant())
	})
}

// TenantAssignments loads every role assignment of one tenant, for the
// authorizer's cache. It runs under the system scope of that tenant.
func (s *Service) TenantAssignments(ctx context.Context, tenant uuid.UUID) (out []RoleAssignment, err error) {
	err = access.Transact(ctx, s.db, access.System(tenant, "authz-load"), func(tx *gorm.DB) error {
		return tx.Find(&out).Error
	})
	return out, err
}

// IsTenantAdmin reports, inside tx (in the tenant's scope), whether person
// is an admin of the whole tenant (not of some schools only).
func IsTenantAdmin(tx *gorm.DB, person uuid.UUID) (bool, error) {
	var ok bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM role_assignments WHERE person_id = ? AND role = ? AND school_id IS NULL)`,
		person, RoleAdmin).Row().Scan(&ok)
	return ok, err
}
