package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// LoginRequest signs a member in. Tenant is the tenant's slug.
type LoginRequest struct {
	Tenant   string `json:"tenant" binding:"required,max=63"`
	Username string `json:"username" binding:"required,max=254"`
	Password string `json:"password" binding:"required,max=1024"`
}

// StaffLoginRequest signs processor staff in.
type StaffLoginRequest struct {
	Email    string `json:"email" binding:"required,max=254"`
	Password string `json:"password" binding:"required,max=1024"`
}

// LoginReply confirms a sign-in. The session itself is the cookie; send
// CSRFToken as X-CSRF-Token on unsafe requests made with it.
type LoginReply struct {
	Kind      string    `json:"kind"`
	ID        string    `json:"id"`
	Name      string    `json:"display_name"`
	ExpiresAt time.Time `json:"expires_at"`
	CSRFToken string    `json:"csrf_token"`
}

func client(c *gin.Context) identity.Client {
	return identity.Client{UserAgent: c.Request.UserAgent(), IP: c.ClientIP()}
}

func (s *Server) setSession(c *gin.Context, secret string) {
	SetSessionCookie(c, secret, !s.Config.IsDev())
}

func (s *Server) login(c *gin.Context) {
	var in LoginRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	t, err := s.Tenants.BySlug(c.Request.Context(), in.Tenant)
	if errors.Is(err, errs.ErrNotFound) {
		// Do not reveal which part was wrong, not even by answering faster.
		identity.SpendPasswordCheck(in.Password)
		err = errs.ErrUnauthenticated
	}
	if err != nil {
		fail(c, err)
		return
	}
	iss, p, err := s.Identity.Login(c.Request.Context(), t.ID, in.Username, in.Password, client(c))
	if err != nil {
		fail(c, err)
		return
	}
	if err := AfterSignIn(c.Request.Context(), s.Deps, p, iss); err != nil {
		fail(c, err)
		return
	}
	s.setSession(c, iss.Secret)
	c.JSON(http.StatusOK, LoginReply{Kind: "member", ID: p.ID.String(), Name: p.DisplayName, ExpiresAt: iss.ExpiresAt, CSRFToken: identity.CSRFToken(iss.Secret)})
}

func (s *Server) staffLogin(c *gin.Context) {
	var in StaffLoginRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	iss, st, err := s.Identity.StaffLogin(c.Request.Context(), in.Email, in.Password, client(c))
	if err != nil {
		fail(c, err)
		return
	}
	s.setSession(c, iss.Secret)
	c.JSON(http.StatusOK, LoginReply{Kind: "staff", ID: st.ID.String(), Name: st.DisplayName, ExpiresAt: iss.ExpiresAt, CSRFToken: identity.CSRFToken(iss.Secret)})
}

func (s *Server) logout(c *gin.Context) {
	if err := s.Identity.Logout(c.Request.Context(), principal(c)); err != nil && !errors.Is(err, errs.ErrNotFound) {
		fail(c, err)
		return
	}
	s.setSession(c, "")
	c.Status(http.StatusNoContent)
}

// Me describes the caller.
type Me struct {
	Kind      string                    `json:"kind"`
	ID        string                    `json:"id"`
	Name      string                    `json:"display_name"`
	TenantID  string                    `json:"tenant_id,omitempty"`
	Roles     []identity.RoleAssignment `json:"roles,omitempty"`
	StaffRole string                    `json:"staff_role,omitempty"`
	CSRFToken string                    `json:"csrf_token,omitempty"`
}

func (s *Server) me(c *gin.Context) {
	p := principal(c)
	out := Me{Kind: string(p.Kind), ID: p.ID.String(), CSRFToken: p.CSRF, StaffRole: p.StaffRole}
	ctx := c.Request.Context()
	if p.Kind == identity.KindMember {
		sc := access.Member(p.TenantID, p.ID)
		person, err := s.Identity.GetPerson(ctx, sc, p.ID)
		if err != nil {
			fail(c, err)
			return
		}
		roles, err := s.Identity.Roles(ctx, sc, p.ID)
		if err != nil {
			fail(c, err)
			return
		}
		out.Name, out.TenantID, out.Roles = person.DisplayName, p.TenantID.String(), roles
	} else {
		st, err := s.Identity.StaffByID(ctx, p.ID)
		if err != nil {
			fail(c, err)
			return
		}
		out.Name = st.DisplayName
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) myCredentials(c *gin.Context) {
	out, err := s.Identity.MyCredentials(c.Request.Context(), principal(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) revokeMine(c *gin.Context) {
	id, err := pathID(c, "id")
	if err == nil {
		err = s.Identity.RevokeMine(c.Request.Context(), principal(c), id)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// TokenRequest creates a personal API token.
type TokenRequest struct {
	Name          string `json:"name" binding:"required,max=100"`
	ExpiresInDays int    `json:"expires_in_days" binding:"omitempty,min=1,max=36500"`
}

func (s *Server) createToken(c *gin.Context) {
	var in TokenRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	iss, err := s.Identity.CreateToken(c.Request.Context(), principal(c), in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, iss)
}
