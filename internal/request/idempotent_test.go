package request_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A POST sent twice with the same Idempotency-Key creates once and answers
// the second time with the first answer (status, body, Location); the
// same key with another body is 422; a second request while the first
// still runs is 409; a failed first request lets the key go; a key is its
// caller's and its tenant's alone; a route that keeps no answers refuses
// the header.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	key := map[string]string{"Idempotency-Key": "2b9f3c3e-create-one"}

	first := do(t, b.a, http.StatusCreated, "POST", b.pathA+"/things", map[string]any{"title": "one"}, key)
	again := do(t, b.a, http.StatusCreated, "POST", b.pathA+"/things", map[string]any{"title": "one"}, key)
	require.Equal(t, 1, b.things.count(), "one thing made")
	require.Equal(t, first.Text(), again.Text())
	require.NotEmpty(t, first.Header.Get("Location"))
	require.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"))
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Empty(t, first.Header.Get("Idempotent-Replayed"))

	t.Run("DifferentBody", func(t *testing.T) {
		r := do(t, b.a, http.StatusUnprocessableEntity, "POST", b.pathA+"/things", map[string]any{"title": "two"}, key)
		require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
		require.Contains(t, r.JSON()["detail"], "already used for a different request")
		require.Equal(t, 1, b.things.count())
	})

	t.Run("TheCallersAndTenantsOwn", func(t *testing.T) {
		// B's admin with the same key and body makes B's own thing; the
		// cookie session of A's admin is the same person as A's token,
		// so it gets A's answer.
		r := do(t, b.b, http.StatusCreated, "POST", b.pathB+"/things", map[string]any{"title": "one"}, key)
		require.NotEqual(t, first.JSON()["id"], r.JSON()["id"])
		r = do(t, b.aCookie, http.StatusCreated, "POST", b.pathA+"/things", map[string]any{"title": "one"}, key)
		require.Equal(t, first.JSON()["id"], r.JSON()["id"])
		require.Equal(t, 2, b.things.count())
	})

	t.Run("FailureLetsTheKeyGo", func(t *testing.T) {
		k := map[string]string{"Idempotency-Key": "fails-first"}
		do(t, b.a, http.StatusConflict, "POST", b.pathA+"/things", map[string]any{"title": "f", "fail": true}, k)
		n := b.things.count()
		do(t, b.a, http.StatusConflict, "POST", b.pathA+"/things", map[string]any{"title": "f", "fail": true}, k)
		// The failure was not replayed from a store: the handler ran again
		// (and still made nothing).
		require.Equal(t, n, b.things.count())
	})

	t.Run("WhileTheFirstRuns", func(t *testing.T) {
		k := map[string]string{"Idempotency-Key": "slow-one"}
		body := map[string]any{"title": "slow", "slow": true}
		var wg sync.WaitGroup
		var slow int
		wg.Add(1)
		go func() {
			defer wg.Done()
			slow = b.a.DoWith("POST", b.pathA+"/things", body, k).Status
		}()
		time.Sleep(150 * time.Millisecond)
		r := do(t, b.a, http.StatusConflict, "POST", b.pathA+"/things", body, k)
		require.Equal(t, "1", r.Header.Get("Retry-After"))
		wg.Wait()
		require.Equal(t, http.StatusCreated, slow)
		do(t, b.a, http.StatusCreated, "POST", b.pathA+"/things", body, k) // then the answer
	})

	t.Run("Refused", func(t *testing.T) {
		r := do(t, b.a, http.StatusBadRequest, "POST", "/api/v1/me/notes", nil, key)
		require.Contains(t, r.Text(), "Idempotency-Key")
		do(t, b.a, http.StatusBadRequest, "POST", b.pathA+"/things", map[string]any{"title": "x"}, map[string]string{"Idempotency-Key": "has space"})
	})
}
