package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/tenant"
)

func (s *Server) platformTenants(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tenants.List(c.Request.Context(), after, limit, principal(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(out, limit, func(t tenant.Summary) uuid.UUID { return t.ID }))
}

func (s *Server) platformTenant(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tenants.Get(c.Request.Context(), id, principal(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) applyTenant(c *gin.Context) {
	var m tenant.Manifest
	if err := bindJSON(c, &m); err != nil {
		fail(c, err)
		return
	}
	res, err := s.Tenants.Apply(c.Request.Context(), m, principal(c).ID)
	if err == nil {
		ContractChanged(res.TenantID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

func (s *Server) setContractEnd(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in tenant.ContractPatch
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tenants.SetContractEnd(c.Request.Context(), id, in)
	ContractChanged(id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
