package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/request"
)

// TokenReply is the token endpoint's answer (RFC 6749 §5.1).
type TokenReply struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type" example:"bearer"`
	ExpiresIn   int    `json:"expires_in" example:"3599"`
	Scope       string `json:"scope" example:"courses:read grades:read"`
}

// TokenError is the token endpoint's error (RFC 6749 §5.2): OAuth2's own
// JSON, not a problem document, so OAuth2 client libraries read it.
type TokenError struct {
	Error       string `json:"error" enum:"invalid_request,invalid_client,invalid_grant,unauthorized_client,unsupported_grant_type,invalid_scope" example:"invalid_client"`
	Description string `json:"error_description,omitempty" example:"Client authentication failed."`
	Hint        string `json:"error_hint,omitempty"`
}

// integrationRoutes are the OAuth2 token endpoint integrations sign in
// at, and the admin's registration, list and revocation of them.
func (s *Server) integrationRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: integration.TokenPath,
			Summary: "OAuth2 token endpoint (client credentials grant only): a form-encoded grant_type=client_credentials with the integration's client id and secret (HTTP Basic or client_id/client_secret in the form), optional scope; the access token lasts an hour and is sent as `Authorization: Bearer <token>`",
			Area:    request.AreaPublic, Public: true, Reply: TokenReply{}, API: s.oauthToken},
		{Method: "GET", Path: tp + "/integrations",
			Summary: "The school's integrations (programs that call the API without a person), newest first, revoked ones included",
			Area:    request.AreaTenant, Object: "integration", Action: "read", Reply: request.Page[integration.Integration]{},
			API: s.listIntegrations},
		{Method: "POST", Path: tp + "/integrations",
			Summary: "Register an integration with scopes (courses:read, people:read, grades:read, roster:write); the answer holds its client secret, shown once",
			Area:    request.AreaTenant, Object: "integration", Action: "write", Status: http.StatusCreated,
			Request: integration.NewIntegration{}, Reply: integration.Registered{}, API: request.FromBody(s.Integrations.Register)},
		{Method: "POST", Path: tp + "/integrations/:integration/revoke",
			Summary: "Revoke an integration: it gets no more tokens and its live tokens are refused from its next call",
			Area:    request.AreaTenant, Object: "integration", Action: "write", Reply: integration.Integration{},
			API: request.ByID("integration", s.Integrations.Revoke)},
	}
}

// oauthToken hands the request to fosite, which writes the token or the
// OAuth2 error itself (RFC 6749 §5.2 bodies, not problem+json).
func (s *Server) oauthToken(*gin.Context) (any, error) { return tokenWriter{s.Integrations}, nil }

// tokenWriter is the token endpoint's answer, written by fosite.
type tokenWriter struct{ svc *integration.Service }

// Write serves the token request.
func (t tokenWriter) Write(c *gin.Context) { t.svc.Token(c.Writer, c.Request) }

func (s *Server) listIntegrations(c *gin.Context) (any, error) {
	return request.Listed(c, func(in integration.Integration) uuid.UUID { return in.ID }, func(after uuid.UUID, limit int) ([]integration.Integration, error) {
		return s.Integrations.List(c.Request.Context(), request.Scope(c), after, limit)
	})
}
