package request_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/config"
)

// Bearer calls carry RateLimit-Policy and RateLimit (IETF draft) and are
// refused with 429 and Retry-After past their token's quota; another
// token's quota is its own, and a browser session is not counted.
func TestTokenRateLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *config.Config) { c.TokenRatePerMinute = 4 })
	path := b.pathA + "/things/" + "00000000-0000-0000-0000-000000000000"
	for i := 3; i >= 0; i-- {
		r := do(t, b.a, http.StatusNotFound, "GET", path, nil, nil)
		require.Equal(t, `"token";q=4;w=60`, r.Header.Get("RateLimit-Policy"))
		require.Regexp(t, `^"token";r=`+strconv.Itoa(i)+`;t=\d+$`, r.Header.Get("RateLimit"))
	}
	r := do(t, b.a, http.StatusTooManyRequests, "GET", path, nil, nil)
	require.Equal(t, "/problems/rate-limited", r.JSON()["type"])
	wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.True(t, wait >= 1 && wait <= 15, "a token comes back every 15 s: %d", wait)
	require.Regexp(t, `^"token";r=0;t=\d+$`, r.Header.Get("RateLimit"))

	do(t, b.b, http.StatusNotFound, "GET", b.pathB+"/things/00000000-0000-0000-0000-000000000000", nil, nil) // B's token: its own quota
	r = do(t, b.aCookie, http.StatusNotFound, "GET", path, nil, nil)
	require.Empty(t, r.Header.Get("RateLimit"), "sessions are not limited")
}
