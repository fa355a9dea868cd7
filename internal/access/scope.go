// Package access holds the Scope: which tenant, which actor, under which legal
// basis. It is the only way to reach tenant data: Transact opens a
// transaction in which PostgreSQL row-level security shows that tenant's rows
// and no other's, whatever the query forgets.
package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Basis is the legal ground on which an actor reaches a tenant's data.
type Basis string

// The bases in use. Support grants and legal orders join in the processor
// boundary work; each new basis gets a constructor below, never a literal.
const (
	// BasisMember: a member of the tenant acting within their own tenant,
	// limited further by their roles.
	BasisMember Basis = "member"
	// BasisAuthentication: checking a credential the caller presented; reads
	// only credential and account-state rows.
	BasisAuthentication Basis = "authentication"
	// BasisContract: the processor carrying out the controller's documented
	// instruction under the contract (provisioning a tenant, contract end).
	BasisContract Basis = "contract"
	// BasisSystem: a platform job applying the tenant's own settings
	// (session expiry, retention).
	BasisSystem Basis = "system"
	// BasisSupport: processor support staff reading under a grant the
	// tenant approved: read-only, limited to the grant's areas, courses
	// and people, until it ends or is revoked.
	BasisSupport Basis = "support-grant"
	// BasisLegal: an operator reading under a recorded legal obligation
	// (court order): read-only, limited to the order's areas and time.
	BasisLegal Basis = "legal-obligation"
	// BasisIntegration: a program the school's admin registered (an OAuth2
	// client) reading under the scopes it was given: read-only, what a
	// whole-tenant admin would see of the areas its scopes cover.
	BasisIntegration Basis = "integration"
)

// ActorKind says who is acting.
type ActorKind string

// Actor kinds. Members and staff never mix.
const (
	ActorMember ActorKind = "member"
	ActorStaff  ActorKind = "staff"
	ActorSystem ActorKind = "system"
	// ActorIntegration is a registered integration: no person acts.
	ActorIntegration ActorKind = "integration"
)

// Actor is who acts. ID is the person, the staff member, or uuid.Nil for
// a system job (Ref then names the job).
type Actor struct {
	Kind ActorKind
	ID   uuid.UUID
}

func (a Actor) String() string { return string(a.Kind) + ":" + a.ID.String() }

// Scope is permission to touch one tenant's data. Its fields are private so a
// Scope can only come from the constructors, each of which states its basis.
type Scope struct {
	tenant uuid.UUID
	actor  Actor
	basis  Basis
	ref    string // ticket, order, contract or job reference
	// schools, when non-nil, limits the actor to people and objects of
	// these schools: their role is scoped to schools, not the tenant.
	schools []uuid.UUID
	// readOnly scopes run in READ ONLY transactions: PostgreSQL refuses any
	// write, whatever the code path.
	readOnly bool
	// reader scopes belong to someone who is not a member of the tenant (a
	// support grant, a legal order, an integration): services show them
	// what an admin of the whole tenant would see, within their limits.
	reader bool
	// courses and people, when non-nil, limit a reader to these courses and
	// these people (a support grant's optional narrowing).
	courses, people []uuid.UUID
}

// WithinSchools returns s limited to the given schools (nil: no limit).
func (s Scope) WithinSchools(ids []uuid.UUID) Scope {
	s.schools = ids
	return s
}

// TenantWide reports a scope not limited to some schools: matters of the
// whole tenant (support access, the access log, data use, sub-processors)
// need it.
func (s Scope) TenantWide() bool { return s.schools == nil }

// Schools is the school limit; limited is false for the whole tenant.
func (s Scope) Schools() (ids []uuid.UUID, limited bool) { return s.schools, s.schools != nil }

// ErrNoScope is returned for a zero Scope; it is a programming error.
var ErrNoScope = errors.New("access: no tenant scope")

// setScopeSQL sets the scope for the current transaction ($1 tenant,
// $2 actor, $3 basis). Transact sends the same settings inlined (scopeSQL).
const setScopeSQL = `SELECT set_config('app.tenant_id', $1, true), set_config('app.actor', $2, true), set_config('app.basis', $3, true)`

func (s Scope) valid() bool { return s.tenant != uuid.Nil && s.basis != "" }

// args are setScopeSQL's parameters.
func (s Scope) args() []any { return []any{s.tenant.String(), s.actor.String(), string(s.basis)} }

// Member is a tenant member's own scope; the caller must have authenticated
// the person as a member of tenant.
func Member(tenant, person uuid.UUID) Scope {
	return Scope{tenant: tenant, actor: Actor{ActorMember, person}, basis: BasisMember}
}

// Authentication is the scope for checking a presented credential or
// password within tenant, before the actor is known.
func Authentication(tenant uuid.UUID) Scope {
	return Scope{tenant: tenant, actor: Actor{Kind: ActorSystem}, basis: BasisAuthentication, ref: "authentication"}
}

// Contract is the processor acting on the controller's instruction recorded
// in the contract (e.g. provisioning from a manifest). staff is who acts;
// uuid.Nil when the instruction is applied by the `lms tenants apply` CLI.
func Contract(tenant, staff uuid.UUID, ref string) Scope {
	return Scope{tenant: tenant, actor: Actor{ActorStaff, staff}, basis: BasisContract, ref: ref}
}

// Support is processor support staff reading tenant under an approved
// grant. The caller (the support package) has checked that the grant is
// approved, unexpired and unrevoked, and covers the request; ref is the
// grant's id. courses and people, when non-nil, narrow what may be read.
func Support(tenant, staff, grant uuid.UUID, courses, people []uuid.UUID) Scope {
	return Scope{tenant: tenant, actor: Actor{ActorStaff, staff}, basis: BasisSupport, ref: grant.String(), readOnly: true, reader: true, courses: courses, people: people}
}

// Legal is an operator reading tenant under a recorded legal order; the
// caller (the support package) has checked the order covers the request.
func Legal(tenant, staff, order uuid.UUID) Scope {
	return Scope{tenant: tenant, actor: Actor{ActorStaff, staff}, basis: BasisLegal, ref: order.String(), readOnly: true, reader: true}
}

// Integration is a registered integration of tenant acting under its
// scopes; the caller (internal/integration) has checked its access token,
// that it is not revoked and that a scope covers the request, and logged
// the call for the tenant. Its transactions are read-only unless it holds
// a scope that writes (courses:write): the authorizer then has checked the
// route's object and action against its scopes, as a member's roles are.
func Integration(tenant, integration uuid.UUID, writes bool) Scope {
	return Scope{tenant: tenant, actor: Actor{ActorIntegration, integration}, basis: BasisIntegration, ref: integration.String(), readOnly: !writes, reader: true}
}

// Reader reports the scope of a reader who is not a member (a support
// grant, a legal order, an integration): services show it what an admin of
// the whole tenant would see, within its limits. PostgreSQL refuses its
// writes unless it is an integration holding a scope that writes
// (ReadOnly).
func (s Scope) Reader() bool { return s.reader }

// ReadOnly reports a scope whose transactions PostgreSQL keeps read-only.
func (s Scope) ReadOnly() bool { return s.readOnly }

// Courses is a reader's course limit; limited is false for every course.
func (s Scope) Courses() (ids []uuid.UUID, limited bool) { return s.courses, s.courses != nil }

// People is a reader's person limit; limited is false for everyone.
func (s Scope) People() (ids []uuid.UUID, limited bool) { return s.people, s.people != nil }

// System is a platform job acting for tenant under the tenant's settings.
func System(tenant uuid.UUID, job string) Scope {
	return Scope{tenant: tenant, actor: Actor{Kind: ActorSystem}, basis: BasisSystem, ref: job}
}

// Tenant is the scoped tenant.
func (s Scope) Tenant() uuid.UUID { return s.tenant }

// Actor is who acts.
func (s Scope) Actor() Actor { return s.actor }

// Basis is the legal basis.
func (s Scope) Basis() Basis { return s.basis }

// Ref is the ticket, order, contract or job reference, if any.
func (s Scope) Ref() string { return s.ref }

// Transact runs fn in a transaction that sees only s's tenant. The tenant and
// actor are set with set_config(..., true), which lasts exactly this
// transaction, so a pooled connection never carries them into the next one.
//
// BEGIN and the settings go to the server as one simple-protocol message (one
// round trip instead of two). The values are a UUID and fixed words, never
// input, so inlining them is safe; scopeSQL checks that anyway.
func Transact(ctx context.Context, db *database.DB, s Scope, fn func(tx *gorm.DB) error) (err error) {
	if !s.valid() {
		return ErrNoScope
	}
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("access: connection: %w", err)
	}
	defer conn.Close()
	beginSQL := "BEGIN; "
	if s.readOnly {
		beginSQL = "BEGIN READ ONLY; "
	}
	begin, err := scopeSQL(beginSQL, s)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("access: begin scope: %w", err)
	}
	done := false
	defer func() {
		if !done { // fn failed or panicked: undo everything
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	tx := db.Gorm.Session(&gorm.Session{NewDB: true, Context: ctx})
	tx.Statement.ConnPool = inTx{conn}
	if err := refuseDeleted(tx, s); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	done = true
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("access: commit: %w", err)
	}
	return nil
}

// inTx presents the pinned connection to gorm as a transaction, so a nested
// tx.Transaction(...) inside fn uses savepoints instead of issuing its own
// BEGIN and COMMIT. Commit and Rollback belong to Transact alone.
type inTx struct{ *sql.Conn }

func (inTx) Commit() error {
	return errors.New("access: the scope's transaction is committed by Transact")
}
func (inTx) Rollback() error {
	return errors.New("access: the scope's transaction is rolled back by Transact")
}

func scopeSQL(prefix string, s Scope) (string, error) {
	vals := []string{s.tenant.String(), s.actor.String(), string(s.basis)}
	for _, v := range vals {
		if strings.ContainsAny(v, `'\`) {
			return "", fmt.Errorf("access: refusing scope value %q", v)
		}
	}
	return fmt.Sprintf(`%sSELECT set_config('app.tenant_id', '%s', true), set_config('app.actor', '%s', true), set_config('app.basis', '%s', true)`,
		prefix, vals[0], vals[1], vals[2]), nil
}

// Enter puts an already open transaction into scope s, for work that must
// change platform tables and one tenant's tables atomically (creating a
// tenant from its manifest). The scope lasts until the transaction ends.
func Enter(tx *gorm.DB, s Scope) error {
	if !s.valid() {
		return ErrNoScope
	}
	if err := tx.Exec(setScopeSQL, s.args()...).Error; err != nil {
		return fmt.Errorf("access: set scope: %w", err)
	}
	return refuseDeleted(tx, s)
}

// refuseDeleted stops the processor acting for a tenant whose data was
// deleted at contract end (grant, order or contract scopes): nothing may be
// read or written under its id again. Members' and system scopes pay
// nothing for it; a deleted tenant has no members left.
func refuseDeleted(tx *gorm.DB, s Scope) error {
	if s.basis != BasisContract && s.basis != BasisSupport && s.basis != BasisLegal {
		return nil
	}
	var deleted int64
	if err := tx.Raw(`SELECT count(*) FROM contracts WHERE tenant_id = ? AND status = 'deleted'`, s.tenant).Scan(&deleted).Error; err != nil {
		return err
	}
	if deleted > 0 {
		return errs.New(errs.ErrNotFound, "tenant %s: its data was deleted at contract end", s.tenant)
	}
	return nil
}
