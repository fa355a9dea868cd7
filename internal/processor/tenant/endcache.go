package tenant

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// endCacheTTL is how long a tenant's contract is remembered, so the
// contract-end rule every request of a member passes costs no query on
// most requests. This process forgets a tenant at once when its contract
// is set here; another process sees the change within the half minute.
const endCacheTTL = 30 * time.Second

// CurrentContract is a member's tenant's contract, from the cache when it
// is fresh.
func (s *Service) CurrentContract(ctx context.Context, id uuid.UUID) (Contract, error) {
	if c, ok := s.ends.Get(id); ok {
		return c, nil
	}
	_, c, err := s.ForMember(ctx, id)
	if err != nil {
		return c, err
	}
	s.ends.Put(id, c)
	return c, nil
}

// Forget makes the next CurrentContract read the tenant's contract again
// (called wherever a contract changes; tests that change one in SQL call it).
func (s *Service) Forget(id uuid.UUID) { s.ends.Forget(id) }
