package httpapi

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

func (s *Server) platformTenants(c *gin.Context) (any, error) {
	return request.Listed(c, func(t tenant.Summary) uuid.UUID { return t.ID }, func(after uuid.UUID, limit int) ([]tenant.Summary, error) {
		return s.Tenants.List(c.Request.Context(), after, limit, request.Principal(c).ID)
	})
}

func (s *Server) platformTenant(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Tenants.Get(c.Request.Context(), id, request.Principal(c).ID)
}

func (s *Server) applyTenant(c *gin.Context) (any, error) {
	var m tenant.Manifest
	if err := request.BindJSON(c, &m); err != nil {
		return nil, err
	}
	res, err := s.Tenants.Apply(c.Request.Context(), m, request.Principal(c).ID)
	if err != nil {
		return nil, err
	}
	return request.Created{New: res.Created, Reply: res}, nil
}

func (s *Server) setContractEnd(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[tenant.ContractPatch](c, "id")
	if err != nil {
		return nil, err
	}
	return s.Tenants.SetContractEnd(c.Request.Context(), id, in)
}
