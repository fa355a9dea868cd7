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

func (s *Server) schools(c *gin.Context) (any, error) {
	out, err := s.Tenants.Schools(c.Request.Context(), request.Scope(c))
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) listPeople(c *gin.Context) (any, error) {
	after, limit, err := request.PageParams(c)
	if err != nil {
		return nil, err
	}
	out, err := s.Identity.ListPeople(c.Request.Context(), request.Scope(c), after, limit)
	if err != nil {
		return nil, err
	}
	return request.NewPage(out, limit, func(p identity.Person) uuid.UUID { return p.ID }), nil
}

func (s *Server) createPerson(c *gin.Context) (any, error) {
	var in identity.NewPerson
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	p, err := s.Identity.CreatePerson(c.Request.Context(), request.Scope(c), in)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) getPerson(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	p, err := s.Identity.GetPerson(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return nil, err
	}
	return p, nil
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

func (s *Server) updatePerson(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	var in identity.PersonPatch
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	p, err := s.Identity.UpdatePerson(c.Request.Context(), request.Scope(c), id, in)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) roles(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	out, err := s.Identity.Roles(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RoleRequest gives a role, for one school or (no school_id) the whole tenant.
type RoleRequest struct {
	Role     identity.Role `json:"role" binding:"required,oneof=admin teacher learner approver guardian tutor"`
	SchoolID *uuid.UUID    `json:"school_id"`
}

func (s *Server) assignRole(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	var in RoleRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	sc := request.Scope(c)
	ra, err := s.Identity.AssignRole(c.Request.Context(), sc, id, in.Role, in.SchoolID)
	if err != nil {
		return nil, err
	}
	s.Authz.Invalidate(sc.Tenant())
	return ra, nil
}

func (s *Server) removeRole(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	roleID, err := request.PathID(c, "role")
	if err != nil {
		return nil, err
	}
	sc := request.Scope(c)
	if err := s.Identity.RemoveRole(c.Request.Context(), sc, id, roleID); err != nil {
		return nil, err
	}
	s.Authz.Invalidate(sc.Tenant())
	return nil, nil
}

func (s *Server) personCredentials(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	out, err := s.Identity.PersonCredentials(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) revokePersonCredential(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	cred, err := request.PathID(c, "cred")
	if err != nil {
		return nil, err
	}
	if err := s.Identity.RevokePersonCredential(c.Request.Context(), request.Scope(c), id, cred); err != nil {
		return nil, err
	}
	return nil, nil
}
