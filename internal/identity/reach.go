package identity

import (
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// A scope limited to some schools (a school admin of a trust) reaches only
// the people who hold a role in those schools, and may change only the
// people who hold no role anywhere else: a school admin must not touch a
// trust-wide admin, or a teacher of a sister school.

// reach checks that sc may read (or, with write, change) person.
func reach(tx *gorm.DB, sc access.Scope, person uuid.UUID, write bool) error {
	if !personAllowed(sc, person) {
		return errs.New(errs.ErrNotFound, "person %s", person)
	}
	ids, limited := sc.Schools()
	if !limited {
		return mustExist(tx, person)
	}
	var in, outside int64
	err := tx.Raw(`SELECT count(*) FILTER (WHERE school_id IN ?), count(*) FILTER (WHERE school_id IS NULL OR school_id NOT IN ?)
		FROM role_assignments WHERE person_id = ?`, ids, ids, person).Row().Scan(&in, &outside)
	if err != nil {
		return err
	}
	if in == 0 {
		return errs.New(errs.ErrNotFound, "person %s", person)
	}
	if write && outside > 0 {
		return errs.New(errs.ErrForbidden, "this person also holds roles outside your schools; a tenant-wide admin must make this change")
	}
	return nil
}

// visible narrows a query on people to those sc reaches.
func visible(q *gorm.DB, sc access.Scope) *gorm.DB {
	if ids, limited := sc.People(); limited {
		q = q.Where("people.id IN ?", append(ids, uuid.Nil)) // Nil keeps an empty list valid SQL
	}
	if ids, limited := sc.Schools(); limited {
		return q.Where("EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.tenant_id = people.tenant_id AND ra.person_id = people.id AND ra.school_id IN ?)", ids)
	}
	return q
}

// personAllowed reports whether a reader narrowed to some people (a
// support grant) may see person.
func personAllowed(sc access.Scope, person uuid.UUID) bool {
	ids, limited := sc.People()
	if !limited {
		return true
	}
	for _, id := range ids {
		if id == person {
			return true
		}
	}
	return false
}

// schoolAllowed checks that a limited scope names one of its own schools.
func schoolAllowed(sc access.Scope, school *uuid.UUID) error {
	ids, limited := sc.Schools()
	if !limited {
		return nil
	}
	if school == nil {
		return errs.Field("school_id", "is required: your role covers only some schools, so roles you give must name one of them")
	}
	for _, id := range ids {
		if id == *school {
			return nil
		}
	}
	return errs.Field("school_id", "is not one of your schools")
}

// guardLastAdmin refuses a change that would leave the tenant without an
// active tenant-wide admin: someone must always be able to act for the
// controller. leaving is the person losing admin power (role removed or
// suspended). A per-tenant lock serialises concurrent changes, so two
// admins removing each other cannot both succeed.
func guardLastAdmin(tx *gorm.DB, tenant, leaving uuid.UUID) error {
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('lms-admins:' || ?, 0))`, tenant.String()).Error; err != nil {
		return err
	}
	var leavingIsAdmin, others int64
	err := tx.Raw(`SELECT count(*) FILTER (WHERE p.id = ?), count(*) FILTER (WHERE p.id <> ?)
		FROM role_assignments ra JOIN people p ON p.tenant_id = ra.tenant_id AND p.id = ra.person_id
		WHERE ra.role = 'admin' AND ra.school_id IS NULL AND p.status = 'active'`, leaving, leaving).Row().Scan(&leavingIsAdmin, &others)
	if err != nil {
		return err
	}
	if leavingIsAdmin > 0 && others == 0 {
		return errs.New(errs.ErrConflict, "this is the tenant's last active tenant-wide admin; give someone else that role first")
	}
	return nil
}

// Reach checks, inside sc's transaction, that sc may read (or, with write,
// change) person: for the controller tools, which act on one person.
func Reach(tx *gorm.DB, sc access.Scope, person uuid.UUID, write bool) error {
	return reach(tx, sc, person, write)
}

// Visible narrows a query that joins people to those sc reaches.
func Visible(q *gorm.DB, sc access.Scope) *gorm.DB { return visible(q, sc) }

// GuardLastAdmin refuses, inside the caller's transaction, to let leaving
// (being erased, suspended or losing the role) take away the tenant's
// last active tenant-wide admin.
func GuardLastAdmin(tx *gorm.DB, tenant, leaving uuid.UUID) error {
	return guardLastAdmin(tx, tenant, leaving)
}

// ErrRestricted is returned for a change to the data of a person whose
// processing is restricted (Art. 18) until an admin lifts it.
var ErrRestricted = errs.New(errs.ErrConflict, "processing of this person's data is restricted: their record cannot be changed until an admin lifts the restriction")

// RefuseRestricted returns ErrRestricted when person is restricted, inside
// the caller's scoped transaction.
func RefuseRestricted(tx *gorm.DB, person uuid.UUID) error {
	var n int64
	if err := tx.Raw(`SELECT count(*) FROM people WHERE id = ? AND restricted_at IS NOT NULL`, person).Scan(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrRestricted
	}
	return nil
}
