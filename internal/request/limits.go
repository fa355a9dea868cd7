package request

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/schoolcloud/lms/internal/identity"
)

// Rate limits are announced the way the IETF draft "RateLimit header
// fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-09) asks:
// RateLimit-Policy names each quota and its window (`"token";q=600;w=60`),
// RateLimit what is left of it and in how many seconds it is whole again
// (`"token";r=599;t=1`). Past the limit the answer is 429 with
// Retry-After.
//
// Bearer calls (a person's API token or an integration's access token)
// are limited per token, or per integration across its tokens, to
// LMS_TOKEN_RATE_PER_MINUTE (600 by default) by a token bucket: the quota
// refills steadily, so a client that keeps under the rate is never cut
// off. The buckets live in each API process's memory, so the limit is per
// process: behind a load balancer spreading a client over N replicas it
// may send up to N times as much. Browser sessions are not limited; the
// sign-in routes are, per client address, across replicas (throttleLogin).

// Policy names in RateLimit-Policy and RateLimit.
const (
	policyToken  = "token"
	policySignIn = "sign-in"
)

// tokenLimits holds one bucket per token or integration.
type tokenLimits struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[string]*bucket
	swept     time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newTokenLimits(perMinute int) *tokenLimits {
	return &tokenLimits{perMinute: perMinute, buckets: map[string]*bucket{}}
}

// take spends one request of key's quota if it has one: ok, what is left,
// and the seconds until the bucket is full again (ok) or until the next
// request is allowed (not ok).
func (l *tokenLimits) take(key string, now time.Time) (ok bool, left int, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// A bucket untouched for a minute is full again: forget it (a new one
	// is the same), so the map holds only the recently active.
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.buckets[key] = b
	}
	b.seen = now
	perSecond := float64(l.perMinute) / 60
	if b.lim.AllowN(now, 1) {
		tokens := b.lim.TokensAt(now)
		return true, int(math.Floor(tokens)), seconds((float64(l.perMinute) - tokens) / perSecond)
	}
	return false, 0, seconds((1 - b.lim.TokensAt(now)) / perSecond)
}

// seconds rounds s up to whole seconds, as the headers count.
func seconds(s float64) time.Duration { return time.Duration(math.Ceil(s)) * time.Second }

// limitToken counts a bearer call against its token's (or integration's)
// quota, announces what is left, and refuses it past the limit.
func (k *Kernel) limitToken(c *gin.Context) {
	p := Principal(c)
	if p.ViaCookie {
		c.Next()
		return
	}
	key := "token:" + p.CredentialID.String()
	if p.Kind == identity.KindIntegration {
		key = "integration:" + p.ID.String()
	}
	ok, left, wait := k.conv.tokens.take(key, time.Now())
	announce(c, policyToken, k.conv.tokens.perMinute, left, wait)
	if !ok {
		retry := strconv.Itoa(int(wait.Seconds()))
		c.Header("Retry-After", retry)
		problem(c, http.StatusTooManyRequests, "rate-limited", fmt.Sprintf(
			"Too many requests with this token: at most %d a minute. Wait %s seconds and try again.", k.conv.tokens.perMinute, retry))
		return
	}
	c.Next()
}

// announce writes the RateLimit-Policy and RateLimit headers of a quota
// of limit requests a minute with left remaining, whole again after reset.
func announce(c *gin.Context, policy string, limit, left int, reset time.Duration) {
	c.Header("RateLimit-Policy", fmt.Sprintf("%q;q=%d;w=60", policy, limit))
	c.Header("RateLimit", fmt.Sprintf("%q;r=%d;t=%d", policy, left, int(math.Ceil(reset.Seconds()))))
}
