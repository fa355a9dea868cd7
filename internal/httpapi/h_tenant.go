package httpapi

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// TenantView is what a member sees of their tenant.
type TenantView struct {
	tenant.Tenant
	ContractStatus tenant.ContractStatus `json:"contract_status"`
	ContractEnds   *tenant.Date          `json:"contract_ends_on"`
}

func (s *Server) tenantInfo(c *gin.Context) (any, error) {
	t, ct, err := s.Tenants.ForMember(c.Request.Context(), request.Scope(c).Tenant())
	if err != nil {
		return nil, err
	}
	return TenantView{Tenant: t, ContractStatus: ct.Status, ContractEnds: ct.EndsOn}, nil
}

func (s *Server) listPeople(c *gin.Context) (any, error) {
	return request.Listed(c, func(p identity.Person) uuid.UUID { return p.ID }, func(after uuid.UUID, limit int) ([]identity.Person, error) {
		return s.Identity.ListPeople(c.Request.Context(), request.Scope(c), after, limit)
	})
}

// sendPasswordLink records a set-password link for the person and starts
// the email; the link itself is never in a reply.
func (s *Server) sendPasswordLink(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	if _, err := s.Identity.SendPasswordLink(c.Request.Context(), request.Scope(c), id); err != nil {
		return nil, err
	}
	s.Comms.QueueDelivery(c.Request.Context(), request.Scope(c).Tenant())
	return nil, nil
}

// RoleRequest gives a role, for one school or (no school_id) the whole tenant.
type RoleRequest struct {
	Role     identity.Role `json:"role" binding:"required,oneof=admin teacher learner approver guardian tutor"`
	SchoolID *uuid.UUID    `json:"school_id"`
}

// assignRole and removeRole drop the tenant's cached roles (casbin's), so
// the change holds from the next request.
func (s *Server) assignRole(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[RoleRequest](c, "id")
	if err != nil {
		return nil, err
	}
	sc := request.Scope(c)
	ra, err := s.Identity.AssignRole(c.Request.Context(), sc, id, in.Role, in.SchoolID)
	if err == nil {
		s.Authz.Invalidate(sc.Tenant())
	}
	return ra, err
}

func (s *Server) removeRole(c *gin.Context) (any, error) {
	ids, err := request.PathIDs(c, "id", "role")
	if err != nil {
		return nil, err
	}
	sc := request.Scope(c)
	err = s.Identity.RemoveRole(c.Request.Context(), sc, ids[0], ids[1])
	if err == nil {
		s.Authz.Invalidate(sc.Tenant())
	}
	return nil, err
}
