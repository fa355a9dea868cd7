package request

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/idempotency"
)

// The API's HTTP conventions, one way on every route, kept by the kernel
// from the route table so no handler writes a header of its own:
//   - ETag on every 200 to a GET, 304 on If-None-Match (reply.go, etag.go);
//   - If-Match on updates, 412 when stale (conditional.go);
//   - Idempotency-Key on creates (idempotent.go);
//   - Location on every 201 (location.go);
//   - RateLimit headers and 429 for bearer tokens and sign-in (limits.go).

// conventions is the kernel's state for them.
type conventions struct {
	tokens  *tokenLimits
	replies *idempotency.Store
	// versions holds a slot per If-Match lock this process holds.
	versions  chan struct{}
	twins     map[string]Route   // update route → the GET of its path
	locations map[string]locator // create route → how its Location is made
}

func newConventions(d Deps) conventions {
	slots := 1
	if d.DB != nil {
		slots = max(1, int(d.DB.Pool.Config().MaxConns)/4)
	}
	return conventions{tokens: newTokenLimits(d.Config.TokenRatePerMinute), replies: idempotency.New(d.DB),
		versions: make(chan struct{}, slots)}
}

// index reads the route table.
func (cv *conventions) index(routes []Route) {
	cv.twins, cv.locations = twinsOf(routes), locators(routes)
}

// apply is the convention middleware of rt, after authorization.
func (k *Kernel) apply(rt Route) []gin.HandlerFunc {
	switch {
	case rt.API == nil || rt.Page:
		return nil
	case rt.Method == http.MethodPost:
		return []gin.HandlerFunc{k.idempotent(rt)}
	case updates(rt):
		return []gin.HandlerFunc{k.ifMatch(rt)}
	}
	return nil
}

// RouteConventions says which conventions a route follows, for the
// OpenAPI document.
type RouteConventions struct {
	ETag           bool // a GET whose 200 carries ETag (304 on If-None-Match)
	IfMatch        bool // an update that takes If-Match (412 when stale)
	IdempotencyKey bool // a create that takes Idempotency-Key (422 on reuse, 409 while the first runs)
	// Location is the path pattern of the GET a 201's Location names: the
	// thing made, or where no route reads it alone, the list holding it
	// (then the pattern is the create's own path); "" for none.
	Location      string
	RateLimited   bool // bearer calls carry RateLimit headers and may get 429
	SignInLimited bool // sign-in: RateLimit headers per client address, 429
}

// Conventions says which conventions each route of table follows, by
// "METHOD path" (e.g. "PATCH /api/v1/t/:tenant/courses/:course").
func Conventions(table []Route) map[string]RouteConventions {
	twins, locs := twinsOf(table), locators(table)
	out := make(map[string]RouteConventions, len(table))
	for _, rt := range table {
		api := rt.API != nil && !rt.Page
		_, ifMatch := twins[routeKey(rt)]
		out[routeKey(rt)] = RouteConventions{
			ETag:           api && rt.Method == http.MethodGet,
			IfMatch:        ifMatch,
			IdempotencyKey: api && idempotentWhyNot(rt) == "",
			Location:       locs[routeKey(rt)].get,
			RateLimited:    api && !rt.Public,
			SignInLimited:  rt.Throttled,
		}
	}
	return out
}
