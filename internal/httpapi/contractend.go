package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
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
	endsOn *time.Time
	exp    time.Time
}

const endCacheTTL = 30 * time.Second

func newEndCache() *endCache { return &endCache{m: map[uuid.UUID]endEntry{}} }

func (ec *endCache) endsOn(ctx context.Context, ts *tenant.Service, id uuid.UUID) (*time.Time, error) {
	ec.mu.Lock()
	e, ok := ec.m[id]
	ec.mu.Unlock()
	if ok && time.Now().Before(e.exp) {
		return e.endsOn, nil
	}
	_, c, err := ts.ForMember(ctx, id)
	if err != nil {
		return nil, err
	}
	var end *time.Time
	if c.EndsOn != nil {
		t := c.EndsOn.Time
		end = &t
	}
	ec.mu.Lock()
	if len(ec.m) > 100_000 {
		ec.m = map[uuid.UUID]endEntry{}
	}
	ec.m[id] = endEntry{end, time.Now().Add(endCacheTTL)}
	ec.mu.Unlock()
	return end, nil
}

func (ec *endCache) forget(id uuid.UUID) {
	ec.mu.Lock()
	delete(ec.m, id)
	ec.mu.Unlock()
}

// afterContractEnd enforces the end of a school's contract: from its end
// date the tenant is closed to everyone but its admins, and read-only for
// them, but for the routes that return the data (AfterEnd). It reports
// whether the request may go on.
func (s *Server) afterContractEnd(c *gin.Context, rt Route, tenantID uuid.UUID) bool {
	p := principal(c)
	if p.Kind != identity.KindMember {
		return true
	}
	ctx := c.Request.Context()
	end, err := s.ends.endsOn(ctx, s.Tenants, tenantID)
	if err != nil {
		fail(c, err)
		return false
	}
	if !lifecycle.Ended(end, time.Now()) {
		return true
	}
	admin, err := s.Authz.IsAdmin(ctx, tenantID, p.ID)
	if err != nil {
		fail(c, err)
		return false
	}
	if !admin {
		problem(c, http.StatusForbidden, "contract-ended", "Your school's contract with this service ended on "+end.Format("2 January 2006")+
			". Only its administrators can still sign in, to take the school's data back.")
		return false
	}
	if rt.Action != "read" && !rt.AfterEnd {
		problem(c, http.StatusConflict, "read-only", "Your school's contract ended on "+end.Format("2 January 2006")+
			": its data can be read and exported, not changed.")
		return false
	}
	return true
}
