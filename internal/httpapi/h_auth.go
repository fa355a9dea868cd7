package httpapi

import (
	"errors"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// LoginRequest signs a member in. Tenant is the tenant's slug.
type LoginRequest struct {
	Tenant   string `json:"tenant" binding:"required,max=63"`
	Username string `json:"username" binding:"required,max=254"`
	Password string `json:"password" binding:"required,max=1024"`
	// Code is the second step, for an account with two-step sign-in: the
	// authenticator app's current code, or a recovery code.
	Code string `json:"code,omitempty" binding:"max=40"`
}

// StaffLoginRequest signs processor staff in.
type StaffLoginRequest struct {
	Email    string `json:"email" binding:"required,max=254"`
	Password string `json:"password" binding:"required,max=1024"`
	Code     string `json:"code,omitempty" binding:"max=40"` // the second step (see LoginRequest)
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

func (s *Server) setSession(c *gin.Context, secret string) {
	request.SetSessionCookie(c, secret, !s.Config.IsDev())
}

func (s *Server) login(c *gin.Context) (any, error) {
	var in LoginRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	iss, p, err := s.Identity.SignIn(c.Request.Context(), in.Tenant, in.Username, in.Password, request.Client(c))
	if err == nil {
		err = s.secondStep(c, identity.Principal{Kind: identity.KindMember, ID: p.ID, TenantID: p.TenantID}, iss, in.Code)
	}
	if err != nil {
		return nil, err
	}
	s.setSession(c, iss.Secret)
	return LoginReply{Kind: "member", ID: p.ID.String(), Name: p.DisplayName, ExpiresAt: iss.ExpiresAt, CSRFToken: identity.CSRFToken(iss.Secret)}, nil
}

func (s *Server) staffLogin(c *gin.Context) (any, error) {
	var in StaffLoginRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	iss, st, err := s.Identity.StaffLogin(c.Request.Context(), in.Email, in.Password, request.Client(c))
	if err == nil {
		err = s.secondStep(c, identity.Principal{Kind: identity.KindStaff, ID: st.ID}, iss, in.Code)
	}
	if err != nil {
		return nil, err
	}
	s.setSession(c, iss.Secret)
	return LoginReply{Kind: "staff", ID: st.ID.String(), Name: st.DisplayName, ExpiresAt: iss.ExpiresAt, CSRFToken: identity.CSRFToken(iss.Secret)}, nil
}

// secondStep finishes, in the same request, a sign-in that owes a second
// step: with the code sent, or not at all (the new session is ended, so
// no half-signed-in session is left behind by the API).
func (s *Server) secondStep(c *gin.Context, p identity.Principal, iss identity.Issued, code string) error {
	if iss.SecondFactor == "" {
		return nil
	}
	ctx := c.Request.Context()
	p.CredentialID, p.SecondFactor = iss.ID, iss.SecondFactor
	var err error
	switch {
	case iss.SecondFactor == identity.SecondStepSetup:
		err = errs.New(errs.ErrForbidden, "This account must sign in in two steps: set it up in the browser (Two-step sign-in), then sign in again with code.")
	case code == "":
		err = errs.New(errs.ErrUnauthenticated, "This account signs in in two steps: send the authenticator app's current code (or a recovery code) as code.")
	default:
		err = s.Identity.SecondStep(ctx, p, code, request.Client(c))
	}
	if err != nil {
		if lerr := s.Identity.Logout(ctx, p); lerr != nil && !errors.Is(lerr, errs.ErrNotFound) {
			return errors.Join(err, lerr)
		}
	}
	return err
}

func (s *Server) logout(c *gin.Context) (any, error) {
	if err := s.Identity.Logout(c.Request.Context(), request.Principal(c)); err != nil && !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	s.setSession(c, "")
	return nil, nil
}

// Me describes the caller.
type Me struct {
	Kind      string                    `json:"kind"`
	ID        string                    `json:"id"`
	Name      string                    `json:"display_name"`
	TenantID  string                    `json:"tenant_id,omitempty"`
	Roles     []identity.RoleAssignment `json:"roles,omitempty"`
	StaffRole identity.StaffRole        `json:"staff_role,omitempty"`
	CSRFToken string                    `json:"csrf_token,omitempty"`
}

func (s *Server) me(c *gin.Context) (any, error) {
	p := request.Principal(c)
	out := Me{Kind: string(p.Kind), ID: p.ID.String(), CSRFToken: p.CSRF, StaffRole: p.StaffRole}
	ctx := c.Request.Context()
	if p.Kind == identity.KindMember {
		sc := access.Member(p.TenantID, p.ID)
		person, err := s.Identity.GetPerson(ctx, sc, p.ID)
		if err != nil {
			return nil, err
		}
		roles, err := s.Identity.Roles(ctx, sc, p.ID, database.Page{})
		if err != nil {
			return nil, err
		}
		out.Name, out.TenantID, out.Roles = person.DisplayName, p.TenantID.String(), roles
	} else {
		st, err := s.Identity.StaffByID(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out.Name = st.DisplayName
	}
	return out, nil
}

func (s *Server) myCredentials(c *gin.Context) (any, error) {
	return request.ListedAt(c, identity.Credential.At, func(p database.Page) ([]identity.Credential, error) {
		return s.Identity.MyCredentials(c.Request.Context(), request.Principal(c), p)
	})
}

func (s *Server) revokeMine(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err == nil {
		err = s.Identity.RevokeMine(c.Request.Context(), request.Principal(c), id)
	}
	return nil, err
}

// TokenRequest creates a personal API token.
type TokenRequest struct {
	Name          string `json:"name" binding:"required,max=100"`
	ExpiresInDays int    `json:"expires_in_days" binding:"omitempty,min=1,max=36500"`
}

func (s *Server) createToken(c *gin.Context) (any, error) {
	var in TokenRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Identity.CreateToken(c.Request.Context(), request.Principal(c), in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour)
}
