package memo

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A value is there until it expires or is forgotten; the cache never
// holds more than maxEntries.
func TestCache(t *testing.T) {
	t.Parallel()
	c := Cache[string, int]{TTL: 50 * time.Millisecond}
	_, ok := c.Get("a")
	require.False(t, ok, "the zero value holds nothing")
	c.Put("a", 1)
	v, ok := c.Get("a")
	require.True(t, ok)
	require.Equal(t, 1, v)
	c.Forget("a")
	_, ok = c.Get("a")
	require.False(t, ok, "forgotten")
	c.Put("b", 2)
	c.Clear()
	_, ok = c.Get("b")
	require.False(t, ok, "cleared")
	c.Put("c", 3)
	time.Sleep(60 * time.Millisecond)
	_, ok = c.Get("c")
	require.False(t, ok, "expired")

	big := Cache[int, int]{TTL: time.Minute}
	for i := range maxEntries + 10 {
		big.Put(i, i)
	}
	require.LessOrEqual(t, len(big.m), maxEntries)
}
