package identity

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
)

// signInOptions is what a school's sign-in page offers: the tenant its
// sign-in name finds and the school's sign-in providers. They are kept for
// signInOptionsTTL: at nine o'clock a whole school opens that page, and
// from memory it costs no query. This process forgets at once when a
// provider is connected or removed here; another process sees it within
// the half minute. Signing in itself always reads the tenant afresh.
type signInOptions struct {
	tenant    uuid.UUID
	providers []Provider
}

const signInOptionsTTL = 30 * time.Second

// SignInOptions is the tenant a sign-in name finds and the providers its
// sign-in page offers (callers must not change the slice). An unknown
// name is ErrNotFound, and is not remembered.
func (s *Service) SignInOptions(ctx context.Context, slug string) (uuid.UUID, []Provider, error) {
	key := strings.ToLower(strings.TrimSpace(slug))
	if o, ok := s.options.Get(key); ok {
		return o.tenant, o.providers, nil
	}
	tenant, err := s.rules.TenantID(ctx, key)
	if err != nil {
		return uuid.Nil, nil, err
	}
	ps, err := s.SignInProviders(ctx, tenant)
	if err != nil {
		return uuid.Nil, nil, err
	}
	s.options.Put(key, signInOptions{tenant, ps})
	return tenant, ps, nil
}
