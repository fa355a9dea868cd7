package request

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
)

// Principal is the signed-in caller of a route.
func Principal(c *gin.Context) identity.Principal {
	p, _ := c.Get(ctxPrincipal)
	pp, _ := p.(identity.Principal)
	return pp
}

// Scope is the member's own scope in the tenant of the URL, limited to
// the schools of their role when it is scoped to schools, or the scope
// processor staff read under (a support grant or legal order).
func Scope(c *gin.Context) access.Scope {
	if v, ok := c.Get(ctxScope); ok {
		return v.(access.Scope)
	}
	sc := access.Member(c.MustGet(ctxTenant).(uuid.UUID), Principal(c).ID)
	v, _ := c.Get(ctxSchools)
	if ids, _ := v.([]uuid.UUID); ids != nil {
		sc = sc.WithinSchools(ids)
	}
	return sc
}

// Tenant is the tenant of the URL (tenant routes).
func Tenant(c *gin.Context) uuid.UUID { return c.MustGet(ctxTenant).(uuid.UUID) }

// RequestID is the request's id, as logged.
func RequestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// Client describes the caller's user agent and address for the session log.
func Client(c *gin.Context) identity.Client {
	return identity.Client{UserAgent: c.Request.UserAgent(), IP: c.ClientIP()}
}
