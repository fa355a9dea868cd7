package request

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// slugCache remembers slug → tenant id for a minute; slugs never change, so
// the only staleness is a tenant deleted less than a minute ago, whose data
// is gone by then anyway.
type slugCache struct {
	mu sync.Mutex
	m  map[string]slugEntry
}

type slugEntry struct {
	id  uuid.UUID
	exp time.Time
}

func newSlugCache() *slugCache { return &slugCache{m: map[string]slugEntry{}} }

func (sc *slugCache) resolve(ctx context.Context, ts *tenant.Service, key string) (uuid.UUID, error) {
	if id, err := uuid.Parse(key); err == nil {
		return id, nil
	}
	sc.mu.Lock()
	e, ok := sc.m[key]
	sc.mu.Unlock()
	if ok && time.Now().Before(e.exp) {
		return e.id, nil
	}
	t, err := ts.BySlug(ctx, key)
	if err != nil {
		return uuid.Nil, err
	}
	sc.mu.Lock()
	if len(sc.m) > 100_000 {
		sc.m = map[string]slugEntry{}
	}
	sc.m[key] = slugEntry{t.ID, time.Now().Add(time.Minute)}
	sc.mu.Unlock()
	return t.ID, nil
}
