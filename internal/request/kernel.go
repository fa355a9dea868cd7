// Package request is the request kernel both front ends stand on: the API
// (internal/httpapi) and the pages (internal/web) are siblings over it and
// neither imports the other. It holds the route table's row type, builds
// the gin engine from the rows, and runs every request through the same
// chain: request id, input check, sign-in (cookie or bearer token), CSRF,
// the tenant of the URL, casbin, the contract-end rule, and then the
// route's handler. Handlers return; the kernel writes (API: JSON or
// problem+json; pages: web's adapter renders).
//
// A request, route row to SQL: the row names (object, action) → chain
// authorizes and opens the caller's access.Scope → the handler binds its
// input (BindJSON, PathID, PageParams) and calls a domain service with
// Scope(c) → the service runs access.Transact, which sets the tenant for
// that transaction and row-level security filters every table.
package request

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/memo"
	"github.com/schoolcloud/lms/internal/platform/ratelimit"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/usage"
)

// Deps are what the kernel needs to decide who may do what.
type Deps struct {
	Config   config.Config
	DB       *database.DB
	Identity *identity.Service
	Authz    *authz.Authorizer
	Tenants  *tenant.Service
	Support  *support.Service
	// Integrations recognises integrations' access tokens.
	Integrations *integration.Service
	Usage        *usage.Counter
	Registry     *prometheus.Registry
}

// Pages renders the error page of page routes (internal/web).
type Pages interface {
	Error(c *gin.Context, status int, detail string)
}

// Kernel runs the chain every route passes through.
type Kernel struct {
	Deps
	slugs   *memo.Cache[string, uuid.UUID] // slugs.go
	logins  *ratelimit.Limiter
	metrics *metrics
	pages   Pages
	uploads map[string]bool // page routes that take multipart, by path
	// crossSite are the public page routes that take a form from another
	// site (a SAML answer), by path.
	crossSite map[string]bool
	routes    []Route
	conv      conventions // the API's HTTP conventions (conventions.go)
}

// New builds the kernel; pages renders page routes' errors (nil: no pages).
func New(d Deps, pages Pages) *Kernel {
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.Usage == nil {
		d.Usage = usage.New(d.DB)
	}
	return &Kernel{Deps: d, slugs: &memo.Cache[string, uuid.UUID]{TTL: slugTTL}, metrics: newMetrics(d.Registry), pages: pages,
		logins: ratelimit.New(d.DB, "login", d.Config.LoginRatePerMinute, time.Minute), conv: newConventions(d)}
}

// Engine builds the gin engine from the route tables of both front ends.
func (k *Kernel) Engine(tables ...[]Route) *gin.Engine {
	k.routes, k.uploads, k.crossSite = nil, map[string]bool{}, map[string]bool{}
	for _, t := range tables {
		k.routes = append(k.routes, t...)
	}
	for _, rt := range k.routes {
		if rt.Upload {
			k.uploads[rt.Path] = true
		}
		if rt.CrossSite && rt.Public {
			k.crossSite[rt.Path] = true
		}
	}
	k.conv.index(k.routes)
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	// Believe X-Forwarded-For only from configured load balancers; otherwise
	// a client could pick its own address and dodge the sign-in throttle.
	if err := e.SetTrustedProxies(k.Config.TrustedProxies); err != nil {
		panic(fmt.Sprintf("LMS_TRUSTED_PROXIES: %v", err)) // validated by config.Load
	}
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash, e.RedirectFixedPath = false, false // a wrong path is a 404 problem, not a bare redirect
	e.Use(k.requestID, k.recoverer, k.securityHeaders, k.observe, k.watchBody)
	e.NoRoute(func(c *gin.Context) {
		if k.pages != nil && !strings.HasPrefix(c.Request.URL.Path, "/api/") {
			k.markPage(c)
		}
		problem(c, http.StatusNotFound, "not-found", "No such page or resource.")
	})
	e.NoMethod(func(c *gin.Context) {
		problem(c, http.StatusMethodNotAllowed, "method-not-allowed", "That method is not allowed here.")
	})
	for _, rt := range k.routes {
		h := rt.Handler
		if rt.API != nil {
			h = k.api(rt)
		}
		e.Handle(rt.Method, rt.Path, append(k.chain(rt), h)...)
	}
	return e
}

// Routes is every route of the engine, API and pages (for tests and the
// OpenAPI document).
func (k *Kernel) Routes() []Route { return k.routes }

// FlushUsage writes the usage counted so far (tests, and shutdown).
func (k *Kernel) FlushUsage(ctx context.Context) error { return k.Usage.Flush(ctx) }

// chain is the middleware a route runs before its handler.
func (k *Kernel) chain(rt Route) []gin.HandlerFunc {
	var hs []gin.HandlerFunc
	if rt.Page {
		hs = append(hs, k.markPage)
	}
	hs = append(hs, checkInput)
	if rt.Throttled {
		return append(append(hs, k.throttleLogin), k.apply(rt)...)
	}
	if rt.Public {
		return append(hs, k.apply(rt)...)
	}
	hs = append(hs, k.authenticate, k.limitToken, k.secondStep(rt), k.csrf)
	if rt.Area == AreaTenant {
		hs = append(hs, k.resolveTenant)
	}
	return append(append(hs, k.authorize(rt)), k.apply(rt)...)
}

// Listen serves until ctx ends, then shuts down gracefully.
func Listen(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
