package request

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/memo"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// slugTTL is how long slug → tenant id is remembered; slugs never change,
// so the only staleness is a tenant deleted less than a minute ago, whose
// data is gone by then anyway.
const slugTTL = time.Minute

// resolveTenant is the tenant a path's {tenant} names: its id, or its slug
// through the kernel's cache.
func resolveTenant(ctx context.Context, slugs *memo.Cache[string, uuid.UUID], ts *tenant.Service, key string) (uuid.UUID, error) {
	if id, err := uuid.Parse(key); err == nil {
		return id, nil
	}
	if id, ok := slugs.Get(key); ok {
		return id, nil
	}
	t, err := ts.BySlug(ctx, key)
	if err != nil {
		return uuid.Nil, err
	}
	slugs.Put(key, t.ID)
	return t.ID, nil
}
