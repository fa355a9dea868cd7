package tenant

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
)

// endCache remembers each tenant's contract for half a minute, so the
// contract-end rule every request of a member passes costs no query on
// most requests. This process forgets a tenant at once when its contract
// is set here; another process sees the change within the half minute.
type endCache struct {
	mu sync.Mutex
	m  map[uuid.UUID]endEntry
}

type endEntry struct {
	contract Contract
	exp      time.Time
}

const endCacheTTL = 30 * time.Second

// CurrentContract is a member's tenant's contract, from the cache when it
// is fresh.
func (s *Service) CurrentContract(ctx context.Context, id uuid.UUID) (Contract, error) {
	s.ends.mu.Lock()
	e, ok := s.ends.m[id]
	s.ends.mu.Unlock()
	if ok && time.Now().Before(e.exp) {
		return e.contract, nil
	}
	_, c, err := s.ForMember(ctx, id)
	if err != nil {
		return c, err
	}
	s.ends.mu.Lock()
	if s.ends.m == nil || len(s.ends.m) > 100_000 {
		s.ends.m = map[uuid.UUID]endEntry{}
	}
	s.ends.m[id] = endEntry{c, time.Now().Add(endCacheTTL)}
	s.ends.mu.Unlock()
	return c, nil
}

// Forget makes the next CurrentContract read the tenant's contract again
// (called wherever a contract changes; tests that change one in SQL call it).
func (s *Service) Forget(id uuid.UUID) {
	s.ends.mu.Lock()
	delete(s.ends.m, id)
	s.ends.mu.Unlock()
}
