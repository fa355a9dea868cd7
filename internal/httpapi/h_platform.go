package httpapi

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

func (s *Server) platformTenants(c *gin.Context) (any, error) {
	after, limit, err := request.PageParams(c)
	if err != nil {
		return nil, err
	}
	out, err := s.Tenants.List(c.Request.Context(), after, limit, request.Principal(c).ID)
	if err != nil {
		return nil, err
	}
	return request.NewPage(out, limit, func(t tenant.Summary) uuid.UUID { return t.ID }), nil
}

func (s *Server) platformTenant(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	out, err := s.Tenants.Get(c.Request.Context(), id, request.Principal(c).ID)
	if err != nil {
		return nil, err
	}
	return out, nil
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
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	var in tenant.ContractPatch
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	out, err := s.Tenants.SetContractEnd(c.Request.Context(), id, in)
	if err != nil {
		return nil, err
	}
	return out, nil
}
