// Package memo keeps values in a process's memory for a short while, so a
// hot path reads them without a query: a tenant's id by its slug, its
// contract, a school's sign-in options. Each process forgets at once what
// it changes itself; other processes see a change when the entry expires,
// which is why every cache says how long that is.
package memo

import (
	"sync"
	"time"
)

// maxEntries bounds a cache's memory: past it the cache starts afresh
// (tens of thousands of tenants fit; a flood of distinct keys cannot grow
// it without end).
const maxEntries = 100_000

// Cache holds values by key for TTL. The zero value holds nothing; set
// TTL before use.
type Cache[K comparable, V any] struct {
	TTL time.Duration
	mu  sync.Mutex
	m   map[K]entry[V]
}

type entry[V any] struct {
	v   V
	exp time.Time
}

// Get is the value of k while it is fresh.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok || !time.Now().Before(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put keeps v for k for TTL.
func (c *Cache[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxEntries {
		c.m = map[K]entry[V]{}
	}
	c.m[k] = entry[V]{v, time.Now().Add(c.TTL)}
}

// Forget drops k.
func (c *Cache[K, V]) Forget(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// Clear drops everything.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
