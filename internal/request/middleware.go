package request

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/logging"
)

// Context keys set by the middleware.
const (
	ctxRequestID = "request_id"
	ctxPrincipal = "principal"
	ctxTenant    = "tenant"
	ctxSchools   = "schools"
	ctxScope     = "scope" // a scope decided in authorize (support grants)
)

// SessionCookie is the only cookie the service sets.
const SessionCookie = "lms_session"

func (k *Kernel) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if !safeRequestID(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Request = c.Request.WithContext(logging.With(c.Request.Context(), slog.String("request_id", id)))
	c.Next()
}

func (k *Kernel) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			Fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

func (k *Kernel) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("Cache-Control", "no-store")
	if k.Config.Env == "prod" {
		// Production is served over HTTPS only (behind the ingress's TLS):
		// browsers must never try plain HTTP, where a session cookie or a
		// set-password link could be read on the way.
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

// observe logs and measures every request by its route pattern.
func (k *Kernel) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	d := time.Since(start)
	k.metrics.observe(c.Request.Method, route, c.Writer.Status(), d)
	if p := Principal(c); p.Kind == identity.KindMember {
		k.Usage.Observe(c.Request, p.TenantID, c.FullPath(), c.Writer.Status())
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	if route == "/healthz" || route == "/readyz" || route == "/metrics" {
		level = slog.LevelDebug
	}
	slog.Log(c.Request.Context(), level, "request", "method", c.Request.Method, "route", route,
		"status", c.Writer.Status(), "duration_ms", float64(d.Microseconds())/1000)
}

// throttleLogin limits failed sign-ins per client address, so one client
// cannot spray passwords across many accounts below each one's lockout.
// Only failures (401: a wrong school, name, password or code) count: a
// school's pupils all come from its one public address, and a thousand of
// them signing in at nine must not be refused for being many. Checking
// the count reads one row; only a failure writes.
func (k *Kernel) throttleLogin(c *gin.Context) {
	ip := c.ClientIP()
	r, err := k.logins.Peek(c.Request.Context(), ip)
	if err != nil {
		Fail(c, err)
		return
	}
	announce(c, policySignIn, k.logins.Limit, r.Remaining, r.Reset)
	if !r.Allowed {
		c.Header("Retry-After", strconv.Itoa(int(r.Reset.Seconds())+1))
		problem(c, http.StatusTooManyRequests, "rate-limited", "Too many failed sign-ins from this address. Wait a minute and try again.")
		return
	}
	c.Next()
	if c.Writer.Status() == http.StatusUnauthorized {
		if _, err := k.logins.Take(context.WithoutCancel(c.Request.Context()), ip); err != nil {
			slog.WarnContext(c.Request.Context(), "sign-in throttle: counting a failure", "err", err)
		}
	}
}

// authenticate accepts a bearer token or the session cookie.
func (k *Kernel) authenticate(c *gin.Context) {
	secret, viaCookie := "", false
	if h := c.GetHeader("Authorization"); h != "" {
		var ok bool
		if secret, ok = strings.CutPrefix(h, "Bearer "); !ok {
			problem(c, http.StatusUnauthorized, "unauthenticated", "Use `Authorization: Bearer <token>`.")
			return
		}
	} else if ck, err := c.Cookie(SessionCookie); err == nil {
		secret, viaCookie = ck, true
	}
	if secret == "" {
		problem(c, http.StatusUnauthorized, "unauthenticated", "Sign in first.")
		return
	}
	var p identity.Principal
	var err error
	if !viaCookie && integration.IsToken(secret) {
		p, err = k.Integrations.Authenticate(c.Request.Context(), secret)
	} else {
		p, err = k.Identity.Authenticate(c.Request.Context(), secret, c.ClientIP())
	}
	if err != nil {
		if errors.Is(err, errs.ErrUnauthenticated) {
			problem(c, http.StatusUnauthorized, "unauthenticated", "The session or token is not valid (expired, revoked or unknown). Sign in again.")
			return
		}
		Fail(c, err)
		return
	}
	p.ViaCookie = viaCookie
	if viaCookie {
		p.CSRF = identity.CSRFToken(secret)
	}
	c.Set(ctxPrincipal, p)
	attrs := []slog.Attr{slog.String("principal", p.Subject())}
	if p.Kind != identity.KindStaff {
		attrs = append(attrs, slog.String("tenant_id", p.TenantID.String()))
	}
	c.Request = c.Request.WithContext(logging.With(c.Request.Context(), attrs...))
	c.Next()
}

// Where a page sends a session that still owes its second step.
const (
	SecondStepCodePage  = "/signin/code"
	SecondStepSetupPage = "/account/two-step"
)

// secondStep refuses a session that passed only the password on every
// route but the second-step ones: a page goes to the code (or set-up)
// page, the API answers 401.
func (k *Kernel) secondStep(rt Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := Principal(c)
		if p.SecondFactor == "" || rt.SecondStep {
			c.Next()
			return
		}
		if _, isPage := asPage(c); isPage {
			to := SecondStepCodePage
			if p.SecondFactor == identity.SecondStepSetup {
				to = SecondStepSetupPage
			}
			c.Redirect(http.StatusSeeOther, to)
			c.Abort()
			return
		}
		msg := "Finish signing in first: enter the code from your authenticator app."
		if p.SecondFactor == identity.SecondStepSetup {
			msg = "Set up two-step sign-in first, on the Two-step sign-in page."
		}
		problem(c, http.StatusUnauthorized, "second-step", msg)
	}
}

// csrf requires the session's anti-forgery token on unsafe methods when the
// caller authenticated with the cookie. Bearer tokens are not sent by
// browsers on their own, so they need none.
func (k *Kernel) csrf(c *gin.Context) {
	p := Principal(c)
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if !p.ViaCookie {
		c.Next()
		return
	}
	got := c.GetHeader("X-CSRF-Token")
	if _, isPage := asPage(c); isPage && got == "" {
		if !pageCSRF(c, p.CSRF) {
			problem(c, http.StatusForbidden, "csrf", "This form has expired. Open the page again and resend it.")
			return
		}
		c.Next()
		return
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) != 1 {
		problem(c, http.StatusForbidden, "csrf", "Missing or wrong X-CSRF-Token header for this session.")
		return
	}
	c.Next()
}

// resolveTenant turns the {tenant} path segment (slug or id) into a tenant
// id. A member asking about any tenant but their own is told it does not
// exist: another tenant's id answers 404, never 403.
func (k *Kernel) resolveTenant(c *gin.Context) {
	p := Principal(c)
	id, err := resolveTenant(c.Request.Context(), k.slugs, k.Tenants, c.Param("tenant"))
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		Fail(c, err)
		return
	}
	// Unknown and foreign tenants get the same answer.
	if err != nil || (p.Kind != identity.KindStaff && id != p.TenantID) {
		problem(c, http.StatusNotFound, "not-found", "No such tenant.")
		return
	}
	c.Set(ctxTenant, id)
	c.Next()
}

// authorize checks the route's (object, action) with casbin.
func (k *Kernel) authorize(rt Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := Principal(c)
		tenant := uuid.Nil
		if rt.Area == AreaTenant {
			tenant = c.MustGet(ctxTenant).(uuid.UUID)
			if p.Kind == identity.KindStaff {
				// Staff read a tenant only under a grant it approved; the
				// look is logged for the tenant before any data is read.
				sc, err := k.Support.Authorize(c.Request.Context(), tenant, p, rt.Object, rt.Action, c.Request.Method+" "+c.Request.URL.RequestURI())
				if err != nil {
					if errors.Is(err, errs.ErrForbidden) {
						problem(c, http.StatusForbidden, "forbidden", strings.TrimSuffix(err.Error(), ": "+errs.ErrForbidden.Error()))
						return
					}
					Fail(c, err)
					return
				}
				c.Set(ctxScope, sc)
				c.Next()
				return
			}
		}
		g, err := k.Authz.Decide(c.Request.Context(), p, tenant, rt.Object, rt.Action)
		if err != nil {
			Fail(c, err)
			return
		}
		c.Set(ctxSchools, g.Schools)
		if p.Kind == identity.KindIntegration {
			k.integrationCall(c, rt, g.Allowed)
			return
		}
		if !g.Allowed {
			detail := fmt.Sprintf("Your role does not allow %s on %s.", rt.Action, rt.Object)
			if rt.Page { // a person reads it: no object or action names
				detail = "Your role here does not include this page."
			}
			problem(c, http.StatusForbidden, "forbidden", detail)
			return
		}
		if p.Kind == identity.KindMember && !k.afterContractEnd(c, rt, p.TenantID) {
			return
		}
		if g.Schools != nil && authz.TenantWideOnly[rt.Object] {
			detail := "This concerns the whole tenant (every school of a trust): it needs a role for the whole tenant, not for some schools."
			if rt.Page {
				detail = "This page is for administrators of the whole trust, not of one of its schools."
			}
			problem(c, http.StatusForbidden, "forbidden", detail)
			return
		}
		c.Next()
	}
}

// integrationCall lets an integration through when one of its scopes
// covers the route, logging the call in its tenant's audit trail under
// its name before any data is read; it reads under a read-only scope.
func (k *Kernel) integrationCall(c *gin.Context, rt Route, allowed bool) {
	if !allowed {
		problem(c, http.StatusForbidden, "forbidden", fmt.Sprintf("This integration's scopes do not allow %s on %s.", rt.Action, rt.Object))
		return
	}
	sc, err := k.Integrations.Call(c.Request.Context(), Principal(c), c.Request.Method+" "+c.Request.URL.RequestURI())
	if err != nil {
		Fail(c, err)
		return
	}
	c.Set(ctxScope, sc)
	c.Next()
}

// safeRequestID accepts a caller's request id only if it is short and plain,
// so it can be echoed in headers, bodies and logs as it is.
func safeRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
