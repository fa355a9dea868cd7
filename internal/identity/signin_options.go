package identity

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// signInOptions keeps, for half a minute, what a school's sign-in page
// offers: the tenant its sign-in name finds and the school's sign-in
// providers. At nine o'clock a whole school opens that page; from memory
// it costs no query. This process forgets at once when a provider is
// connected or removed here; another process sees it within the half
// minute. Signing in itself always reads the tenant afresh.
type signInOptions struct {
	mu sync.Mutex
	m  map[string]optionsEntry
}

type optionsEntry struct {
	tenant    uuid.UUID
	providers []Provider
	exp       time.Time
}

const signInOptionsTTL = 30 * time.Second

// SignInOptions is the tenant a sign-in name finds and the providers its
// sign-in page offers (callers must not change the slice). An unknown
// name is ErrNotFound, and is not remembered.
func (s *Service) SignInOptions(ctx context.Context, slug string) (uuid.UUID, []Provider, error) {
	key := strings.ToLower(strings.TrimSpace(slug))
	s.options.mu.Lock()
	e, ok := s.options.m[key]
	s.options.mu.Unlock()
	if ok && time.Now().Before(e.exp) {
		return e.tenant, e.providers, nil
	}
	tenant, err := s.rules.TenantID(ctx, key)
	if err != nil {
		return uuid.Nil, nil, err
	}
	ps, err := s.SignInProviders(ctx, tenant)
	if err != nil {
		return uuid.Nil, nil, err
	}
	s.options.mu.Lock()
	if s.options.m == nil || len(s.options.m) > 100_000 {
		s.options.m = map[string]optionsEntry{}
	}
	s.options.m[key] = optionsEntry{tenant, ps, time.Now().Add(signInOptionsTTL)}
	s.options.mu.Unlock()
	return tenant, ps, nil
}

// forgetSignInOptions makes every sign-in page read its options again.
func (s *Service) forgetSignInOptions() {
	s.options.mu.Lock()
	s.options.m = nil
	s.options.mu.Unlock()
}
