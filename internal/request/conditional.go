package request

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// If-Match on updates: a PUT, PATCH or DELETE that sends the ETag it read
// is refused with 412 when the thing has changed since. The version is the
// ETag of the GET route of the same path (its twin), run now in the
// caller's scope, so what If-Match compares is exactly what the caller
// read. A route with no twin refuses the header (400) rather than ignore
// it: a client must not believe it is protected when it is not.

// twinsOf maps each API PUT, PATCH and DELETE route to the GET route of
// the same path.
func twinsOf(routes []Route) map[string]Route {
	gets := map[string]Route{}
	for _, rt := range routes {
		if rt.Method == http.MethodGet && rt.API != nil && !rt.Page {
			gets[rt.Path] = rt
		}
	}
	out := map[string]Route{}
	for _, rt := range routes {
		if updates(rt) {
			if g, ok := gets[rt.Path]; ok {
				out[routeKey(rt)] = g
			}
		}
	}
	return out
}

// updates reports whether rt is an API route that changes or removes a
// resource (where If-Match applies).
func updates(rt Route) bool {
	switch rt.Method {
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		return rt.API != nil && !rt.Page
	}
	return false
}

// ifMatch checks an update's If-Match, when it has one, and runs the
// update while no other conditional update of the same resource can.
//
// Two updates carrying the same, current ETag must not both win: each
// would pass the comparison before either wrote. So the comparison and
// the update run under one advisory lock per resource (lockVersion), held
// until the update has answered: the second waits, then compares against
// what the first wrote and gets 412. An advisory lock rather than a
// version column because the check is the kernel's, generic over every
// route with a GET twin, and needs no change to the services' tables or
// queries; the lock lives in PostgreSQL, so it holds across replicas. It
// orders conditional updates among themselves: an update sent without
// If-Match asked for no check and takes no lock (last writer wins).
func (k *Kernel) ifMatch(rt Route) gin.HandlerFunc {
	twin, hasTwin := k.conv.twins[routeKey(rt)]
	return func(c *gin.Context) {
		h := c.GetHeader("If-Match")
		if h == "" {
			c.Next()
			return
		}
		if !hasTwin {
			Fail(c, errs.Field("If-Match", "is not taken by this route: it has no GET of the same path whose ETag could be compared; send the request without it"))
			return
		}
		unlock, err := k.lockVersion(c, rt)
		if err != nil {
			Fail(c, err)
			return
		}
		defer unlock()
		tag, err := k.currentETag(c, twin)
		if err != nil {
			Fail(c, err)
			return
		}
		if !listed(h, tag, false) {
			problem(c, http.StatusPreconditionFailed, "precondition-failed",
				"This has changed since you read it: the ETag in If-Match is not its current one. Read it again (GET), then send your change with the new ETag.")
			return
		}
		c.Next()
	}
}

// currentETag runs twin (the GET of the update's path) for the caller and
// tags its reply as the API would write it.
func (k *Kernel) currentETag(c *gin.Context, twin Route) (string, error) {
	p := Principal(c)
	if !(p.Kind == identity.KindStaff && twin.Area == AreaTenant) { // staff read a tenant under the grant already checked
		tenant := uuid.Nil
		if twin.Area == AreaTenant {
			tenant = Tenant(c)
		}
		g, err := k.Authz.Decide(c.Request.Context(), p, tenant, twin.Object, twin.Action)
		if err != nil {
			return "", err
		}
		if !g.Allowed {
			return "", errs.New(errs.ErrForbidden, "Your role does not allow reading this, so its version cannot be compared; send the change without If-Match.")
		}
	}
	v, err := twin.API(c)
	if err != nil {
		return "", err
	}
	if cr, ok := v.(Created); ok {
		v = cr.Reply
	}
	if _, isWriter := v.(Writer); isWriter || v == nil {
		return "", errs.Field("If-Match", "is not taken by this route: what it changes is not read as JSON, so it has no ETag")
	}
	enc, err := encode(v)
	return enc.etag, err
}

// lockVersion takes the advisory lock of the resource an update names
// (its route and path values, in its tenant) on a connection of its own,
// in a transaction held open until unlock: a process that dies lets it go
// with its connection. At most a quarter of the pool holds such locks at
// once (versionSlots), so the handlers, which need connections of their
// own, always find some.
func (k *Kernel) lockVersion(c *gin.Context, rt Route) (unlock func(), err error) {
	ctx := c.Request.Context()
	select {
	case k.conv.versions <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	tx, err := k.DB.Pool.Begin(ctx)
	if err == nil {
		// Class 1918 of the two-key form: apart from the tenant write
		// gate's 1917 and every one-key lock.
		_, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock(1918, hashtext($1))`, resourceKey(c, rt))
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}
	if err != nil {
		<-k.conv.versions
		return nil, fmt.Errorf("If-Match: locking the resource: %w", err)
	}
	return func() {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		<-k.conv.versions
	}, nil
}

// resourceKey names the resource an update's path points at: the tenant
// (by id, however the URL named it) or the area, the route's path and its
// path values (ids in canonical form).
func resourceKey(c *gin.Context, rt Route) string {
	var b strings.Builder
	switch rt.Area {
	case AreaTenant:
		b.WriteString(Tenant(c).String())
	case AreaSelf:
		b.WriteString(Principal(c).Subject())
	default:
		b.WriteString("platform")
	}
	b.WriteString(" " + rt.Path)
	for _, p := range c.Params {
		v := p.Value
		if id, err := uuid.Parse(v); err == nil {
			v = id.String()
		}
		if p.Key != "tenant" {
			b.WriteString(" " + v)
		}
	}
	return b.String()
}
