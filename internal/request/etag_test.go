package request_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every 200 to an API GET carries a strong ETag of the bytes written; a
// conditional GET that lists it is a bodiless 304; a change gives a new
// tag. An update's If-Match is compared with the GET's current tag: stale
// is 412 (problem+json), current goes through, and of two updates racing
// with the same tag only one wins. A route with no GET of its path
// refuses If-Match rather than ignore it.
func TestETagsAndIfMatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := do(t, b.a, http.StatusCreated, "POST", b.pathA+"/things", map[string]any{"title": "one"}, nil)
	path := r.Header.Get("Location")

	first := do(t, b.a, http.StatusOK, "GET", path, nil, nil)
	tag := first.Header.Get("ETag")
	require.Regexp(t, `^"[A-Za-z0-9_-]{22}"$`, tag, "a strong ETag")
	require.Equal(t, tag, do(t, b.a, http.StatusOK, "GET", path, nil, nil).Header.Get("ETag"), "the same bytes, the same tag")

	t.Run("IfNoneMatch", func(t *testing.T) {
		r := do(t, b.a, http.StatusNotModified, "GET", path, nil, map[string]string{"If-None-Match": `"other", W/` + tag})
		require.Empty(t, r.Body)
		require.Equal(t, tag, r.Header.Get("ETag"))
		do(t, b.a, http.StatusOK, "GET", path, nil, map[string]string{"If-None-Match": `"other"`})
	})

	t.Run("IfMatch", func(t *testing.T) {
		fresh := do(t, b.a, http.StatusOK, "GET", path, nil, nil).Header.Get("ETag")
		r := do(t, b.a, http.StatusOK, "PATCH", path, map[string]any{"title": "two"}, map[string]string{"If-Match": fresh})
		require.NotEqual(t, fresh, do(t, b.a, http.StatusOK, "GET", path, nil, nil).Header.Get("ETag"), "a change, a new tag")

		r = do(t, b.a, http.StatusPreconditionFailed, "PATCH", path, map[string]any{"title": "three"}, map[string]string{"If-Match": fresh})
		require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
		require.Equal(t, "/problems/precondition-failed", r.JSON()["type"])
		require.Contains(t, r.JSON()["detail"], "changed since you read it")
		require.Equal(t, "two", do(t, b.a, http.StatusOK, "GET", path, nil, nil).JSON()["title"], "the stale change was not made")

		do(t, b.a, http.StatusOK, "PATCH", path, map[string]any{"title": "four"}, map[string]string{"If-Match": "*"})
		do(t, b.a, http.StatusOK, "PATCH", path, map[string]any{"title": "five"}, nil) // no If-Match: no check
	})

	t.Run("RacingUpdatesOneWins", func(t *testing.T) {
		tag := do(t, b.a, http.StatusOK, "GET", path, nil, nil).Header.Get("ETag")
		var wg sync.WaitGroup
		got := make([]int, 2)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The handler takes 400 ms: without the lock both would
				// pass the comparison before either wrote.
				got[i] = b.a.DoWith("PATCH", path, map[string]any{"title": "race", "slow": true}, map[string]string{"If-Match": tag}).Status
			}()
		}
		wg.Wait()
		require.ElementsMatch(t, []int{http.StatusOK, http.StatusPreconditionFailed}, got)
	})

	t.Run("NoGETOfThePath", func(t *testing.T) {
		r := do(t, b.a, http.StatusBadRequest, "PUT", path+"/tags/x", nil, map[string]string{"If-Match": tag})
		require.Contains(t, r.Text(), "If-Match")
		do(t, b.a, http.StatusNoContent, "PUT", path+"/tags/x", nil, nil)
	})

	t.Run("OtherTenant", func(t *testing.T) {
		// B's admin names A's thing under B: not found, with or without a tag.
		other := b.pathB + path[len(b.pathA):]
		do(t, b.b, http.StatusNotFound, "PATCH", other, map[string]any{"title": "x"}, map[string]string{"If-Match": tag})
	})
}
