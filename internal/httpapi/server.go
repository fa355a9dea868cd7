// Package httpapi is the JSON API under /api/v1 and the health and metrics
// endpoints. Every route comes from one table (routes.go) that says which
// (object, action) it needs or that it is public; the router is built from
// that table, and a test walks the router to prove nothing else was added.
package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/controller/ropa"
	"github.com/schoolcloud/lms/internal/controller/subject"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/media"
	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/lms/survey"
	"github.com/schoolcloud/lms/internal/lms/tutor"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/platform/ratelimit"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/breach"
	"github.com/schoolcloud/lms/internal/processor/datause"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/records"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Deps are what the API needs.
type Deps struct {
	Config   config.Config
	DB       *database.DB
	Store    *objstore.Store
	Identity *identity.Service
	Authz    *authz.Authorizer
	Tenants  *tenant.Service
	// The processor boundary.
	Support  *support.Service
	Alerts   *alert.Service
	Breaches *breach.Service
	Records  *records.Service
	DataUse  *datause.Service
	// Contract end: deletion and its certificate.
	Lifecycle *lifecycle.Service
	Handback  *handback.Service
	Backups   *backup.Service
	// The controller toolkit.
	Subjects  *subject.Service
	Consents  *consent.Service
	Retention *retention.Service
	Ropa      *ropa.Service
	// The learning core.
	Files       *files.Service
	Courses     *course.Service
	Assignments *assignment.Service
	Quizzes     *quiz.Service
	Surveys     *survey.Service
	Peers       *peer.Service
	Tutors      *tutor.Service
	Media       *media.Service
	Comms       *comms.Service
	Discussion  *discussion.Service
	Engagement  *engagement.Service
	Roster      *roster.Service
	Registry    *prometheus.Registry // nil: a fresh one
}

// Server holds the dependencies handlers use.
type Server struct {
	Deps
	slugs   *slugCache
	usage   *usageCounter
	logins  *ratelimit.Limiter
	metrics *metrics
	routes  []Route
	uploads map[string]bool // page routes that take multipart, by path
	doc     openapiDoc
	pages   Pages
}

// New builds the gin engine with every route in the table, and the pages'
// routes when pages is not nil.
func New(d Deps, pages Pages) (*gin.Engine, *Server) {
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{Deps: d, slugs: newSlugCache(), usage: &usageCounter{db: d.DB}, metrics: newMetrics(d.Registry),
		logins: ratelimit.New(d.DB, "login", d.Config.LoginRatePerMinute, time.Minute)}
	s.routes = s.table()
	if pages != nil {
		s.pages = pages
		s.routes = append(s.routes, pages.Routes()...)
	}
	s.uploads = map[string]bool{}
	for _, rt := range s.routes {
		if rt.Upload {
			s.uploads[rt.Path] = true
		}
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	// Believe X-Forwarded-For only from configured load balancers; otherwise
	// a client could pick its own address and dodge the sign-in throttle.
	if err := e.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		panic(fmt.Sprintf("LMS_TRUSTED_PROXIES: %v", err)) // validated by config.Load
	}
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash, e.RedirectFixedPath = false, false // a wrong path is a 404 problem, not a bare redirect
	e.Use(s.requestID, s.recoverer, s.securityHeaders, s.observe, s.watchBody)
	e.NoRoute(func(c *gin.Context) {
		if s.pages != nil && !strings.HasPrefix(c.Request.URL.Path, v1+"/") {
			s.markPage(c)
		}
		problem(c, http.StatusNotFound, "not-found", "No such page or resource.")
	})
	e.NoMethod(func(c *gin.Context) {
		problem(c, http.StatusMethodNotAllowed, "method-not-allowed", "That method is not allowed here.")
	})
	for _, rt := range s.routes {
		e.Handle(rt.Method, rt.Path, append(s.chain(rt), rt.Handler)...)
	}
	return e, s
}

// Routes is the route table (for tests and the OpenAPI document).
func (s *Server) Routes() []Route { return s.routes }

// chain is the middleware a route runs before its handler.
func (s *Server) chain(rt Route) []gin.HandlerFunc {
	var hs []gin.HandlerFunc
	if rt.Page {
		hs = append(hs, s.markPage)
	}
	hs = append(hs, checkInput)
	if rt.Throttled {
		return append(hs, s.throttleLogin)
	}
	if rt.Public {
		return hs
	}
	hs = append(hs, s.authenticate, s.csrf)
	switch rt.Area {
	case AreaTenant:
		hs = append(hs, s.resolveTenant)
	}
	return append(hs, s.authorize(rt))
}

// Listen serves until ctx ends, then shuts down gracefully.
func Listen(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10e9, IdleTimeout: 120e9}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15e9)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
