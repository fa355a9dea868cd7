package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// endCache remembers each tenant's contract end date for half a minute
// (this process forgets it at once when an operator changes it here), so
// the check below costs no query on most requests.
type endCache struct {
	mu sync.Mutex
	m  map[uuid.UUID]endEntry
}

type endEntry struct {
	contract tenant.Contract
	exp      time.Time
}

const endCacheTTL = 30 * time.Second

// contractEnds is this process's cache: one per process, so a change made
// through a page is seen by the API's check too.
var contractEnds = &endCache{m: map[uuid.UUID]endEntry{}}

// ContractChanged makes this process read tenant's contract end again on
// its next request (called wherever an end date is set).
func ContractChanged(tenant uuid.UUID) { contractEnds.forget(tenant) }

func (ec *endCache) contract(ctx context.Context, ts *tenant.Service, id uuid.UUID) (tenant.Contract, error) {
	ec.mu.Lock()
	e, ok := ec.m[id]
	ec.mu.Unlock()
	if ok && time.Now().Before(e.exp) {
		return e.contract, nil
	}
	_, c, err := ts.ForMember(ctx, id)
	if err != nil {
		return c, err
	}
	ec.mu.Lock()
	if len(ec.m) > 100_000 {
		ec.m = map[uuid.UUID]endEntry{}
	}
	ec.m[id] = endEntry{c, time.Now().Add(endCacheTTL)}
	ec.mu.Unlock()
	return c, nil
}

func (ec *endCache) forget(id uuid.UUID) {
	ec.mu.Lock()
	delete(ec.m, id)
	ec.mu.Unlock()
}

// afterContractEnd enforces the end of a school's contract: from its end
// date the tenant is closed to everyone but its admins (their own account
// routes included), and read-only for them, but for the routes that return
// the data (AfterEnd) and their own account's. It reports whether the
// request may go on.
func (s *Server) afterContractEnd(c *gin.Context, rt Route, tenantID uuid.UUID) bool {
	p := principal(c)
	if p.Kind != identity.KindMember {
		return true
	}
	ctx := c.Request.Context()
	ct, err := contractEnds.contract(ctx, s.Tenants, tenantID)
	if err != nil {
		fail(c, err)
		return false
	}
	if !ct.Ended(time.Now()) {
		return true
	}
	admin, err := s.Authz.IsAdmin(ctx, tenantID, p.ID)
	if err != nil {
		fail(c, err)
		return false
	}
	if !admin {
		problem(c, http.StatusForbidden, "contract-ended", "Your school's contract with this service ended on "+ct.EndsOn.Format("2 January 2006")+
			". Only its administrators can still sign in, to take the school's data back.")
		return false
	}
	if rt.Area == AreaTenant && rt.Action != "read" && !rt.AfterEnd {
		problem(c, http.StatusConflict, "read-only", "Your school's contract ended on "+ct.EndsOn.Format("2 January 2006")+
			": its data can be read and exported, not changed.")
		return false
	}
	return true
}

// ErrContractEnded refuses a sign-in, or a request, by someone other than
// an admin of a school whose contract has ended.
var ErrContractEnded = fmt.Errorf("the school's contract with this service has ended: only its administrators can still sign in, to take its data back: %w", errs.ErrForbidden)

// AfterSignIn checks a member's fresh sign-in against the school's
// contract: once it has ended only admins may sign in, and anyone else's
// new session is ended at once.
func AfterSignIn(ctx context.Context, d Deps, person identity.Person, iss identity.Issued) error {
	p := identity.Principal{Kind: identity.KindMember, ID: person.ID, TenantID: person.TenantID, CredentialID: iss.ID}
	_, c, err := d.Tenants.ForMember(ctx, p.TenantID)
	if err != nil {
		return err
	}
	if !c.Ended(time.Now()) {
		return nil
	}
	admin, err := d.Authz.IsAdmin(ctx, p.TenantID, p.ID)
	if err != nil || admin {
		return err
	}
	if err := d.Identity.Logout(ctx, p); err != nil && !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	return ErrContractEnded
}
