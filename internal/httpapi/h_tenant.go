package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// TenantView is what a member sees of their tenant.
type TenantView struct {
	tenant.Tenant
	ContractStatus string       `json:"contract_status"`
	ContractEnds   *tenant.Date `json:"contract_ends_on"`
}

func (s *Server) tenantInfo(c *gin.Context) {
	t, ct, err := s.Tenants.ForMember(c.Request.Context(), scope(c).Tenant())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, TenantView{Tenant: t, ContractStatus: ct.Status, ContractEnds: ct.EndsOn})
}

func (s *Server) schools(c *gin.Context) {
	out, err := s.Tenants.Schools(c.Request.Context(), scope(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) listPeople(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Identity.ListPeople(c.Request.Context(), scope(c), after, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(out, limit, func(p identity.Person) uuid.UUID { return p.ID }))
}

func (s *Server) createPerson(c *gin.Context) {
	var in identity.NewPerson
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	p, err := s.Identity.CreatePerson(c.Request.Context(), scope(c), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

func (s *Server) getPerson(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.Identity.GetPerson(c.Request.Context(), scope(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// sendPasswordLink records a set-password link for the person and starts
// the email; the link itself is never in a reply.
func (s *Server) sendPasswordLink(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := s.Identity.SendPasswordLink(c.Request.Context(), scope(c), id); err != nil {
		fail(c, err)
		return
	}
	s.Comms.QueueDelivery(c.Request.Context(), scope(c).Tenant())
	c.Status(http.StatusAccepted)
}

func (s *Server) updatePerson(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in identity.PersonPatch
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	p, err := s.Identity.UpdatePerson(c.Request.Context(), scope(c), id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) roles(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Identity.Roles(c.Request.Context(), scope(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// RoleRequest gives a role, for one school or (no school_id) the whole tenant.
type RoleRequest struct {
	Role     string     `json:"role" binding:"required,oneof=admin teacher learner approver guardian tutor"`
	SchoolID *uuid.UUID `json:"school_id"`
}

func (s *Server) assignRole(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in RoleRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	sc := scope(c)
	ra, err := s.Identity.AssignRole(c.Request.Context(), sc, id, in.Role, in.SchoolID)
	if err != nil {
		fail(c, err)
		return
	}
	s.Authz.Invalidate(sc.Tenant())
	c.JSON(http.StatusCreated, ra)
}

func (s *Server) removeRole(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	roleID, err := pathID(c, "role")
	if err != nil {
		fail(c, err)
		return
	}
	sc := scope(c)
	if err := s.Identity.RemoveRole(c.Request.Context(), sc, id, roleID); err != nil {
		fail(c, err)
		return
	}
	s.Authz.Invalidate(sc.Tenant())
	c.Status(http.StatusNoContent)
}

func (s *Server) personCredentials(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Identity.PersonCredentials(c.Request.Context(), scope(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) revokePersonCredential(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	cred, err := pathID(c, "cred")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Identity.RevokePersonCredential(c.Request.Context(), scope(c), id, cred); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
