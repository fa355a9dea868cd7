package httpapi

import (
	"net/http"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

const (
	v1 = "/api/v1"
	tp = v1 + "/t/:tenant"
	pp = v1 + "/platform"
)

// table is every route the service answers. Nothing is registered
// elsewhere: each area's routes live next to its handlers (h_*.go) and are
// gathered here.
func (s *Server) table() []request.Route {
	var all []request.Route
	for _, area := range [][]request.Route{
		s.platformRoutes(),
		s.courseRoutes(),
		s.copyRoutes(),
		s.assignmentRoutes(),
		s.quizRoutes(),
		s.gradebookRoutes(),
		s.surveyRoutes(),
		s.peerRoutes(),
		s.tutorRoutes(),
		s.mediaRoutes(),
		s.commsRoutes(),
		s.usageRoutes(),
		s.discussionRoutes(),
		s.enrolRoutes(),
		s.engagementRoutes(),
		s.rosterRoutes(),
		s.rosterSyncRoutes(),
		s.integrationRoutes(),
		s.supportRoutes(),
		s.boundaryRoutes(),
		s.dataUseRoutes(),
		s.controllerRoutes(),
		s.lifecycleRoutes(),
		s.promiseRoutes(),
		s.problemRoutes(),
	} {
		all = append(all, area...)
	}
	return all
}

// platformRoutes are health, sign-in, the caller's own account, people and
// roles, and the processor's tenant administration.
func (s *Server) platformRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/healthz", Summary: "Liveness: the process is up", Area: request.AreaPublic,
			Public: true, Reply: Health{}, API: s.healthz},
		{Method: "GET", Path: "/readyz", Summary: "Readiness: database and object store answer",
			Area: request.AreaPublic, Public: true, Reply: Health{}, API: s.readyz},
		{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics", Area: request.AreaPublic,
			Public: true, API: s.metricsHandler()},
		{Method: "GET", Path: v1 + "/openapi.json", Summary: "This API's OpenAPI 3.1 document",
			Area: request.AreaPublic, Public: true, API: docHandler(s.OpenAPIJSON)},
		{Method: "GET", Path: v1 + "/openapi-3.0.json", Summary: "The same document in OpenAPI 3.0.3, for generators that read only 3.0 (oapi-codegen)",
			Area: request.AreaPublic, Public: true, API: docHandler(s.OpenAPI30JSON)},

		{Method: "POST", Path: v1 + "/auth/login", Summary: "Sign in as a member of a tenant",
			Area: request.AreaPublic, Public: true, Throttled: true, Request: LoginRequest{},
			Reply: LoginReply{}, API: s.login},
		{Method: "POST", Path: v1 + "/auth/staff/login", Summary: "Sign in as processor staff",
			Area: request.AreaPublic, Public: true, Throttled: true, Request: StaffLoginRequest{},
			Reply: LoginReply{}, API: s.staffLogin},
		{Method: "POST", Path: v1 + "/auth/logout", Summary: "End the current session",
			Area: request.AreaSelf, Object: "self", Action: "write", Status: http.StatusNoContent, SecondStep: true,
			API: s.logout},

		{Method: "GET", Path: v1 + "/me", Summary: "Who am I", Area: request.AreaSelf, Object: "self",
			Action: "read", Reply: Me{}, API: s.me},
		{Method: "GET", Path: v1 + "/me/credentials", Summary: "My live sessions and API tokens",
			Area: request.AreaSelf, Object: "self", Action: "read", Reply: request.Page[identity.Credential]{},
			API: s.myCredentials},
		{Method: "DELETE", Path: v1 + "/me/credentials/:id",
			Summary: "End one of my sessions or revoke a token", Area: request.AreaSelf, Object: "self",
			Action: "write", Status: http.StatusNoContent, API: s.revokeMine},
		{Method: "DELETE", Path: v1 + "/me/sessions/others", Summary: "End all my other sessions (my API tokens stay)",
			Area: request.AreaSelf, Object: "self", Action: "write", Status: http.StatusNoContent, API: s.endOtherSessions},
		{Method: "POST", Path: v1 + "/me/tokens", Summary: "Create a personal API token (shown once)",
			Area: request.AreaSelf, Object: "self", Action: "write", Status: http.StatusCreated,
			Request: TokenRequest{}, Reply: identity.Issued{}, API: s.createToken},

		{Method: "GET", Path: tp, Summary: "The tenant and its contract status", Area: request.AreaTenant,
			Object: "tenant", Action: "read", Reply: TenantView{}, API: s.tenantInfo},
		{Method: "GET", Path: tp + "/schools", Summary: "The tenant's schools", Area: request.AreaTenant,
			Object: "school", Action: "read", Reply: request.Page[tenant.School]{},
			API: request.WholeScoped(schoolAt, s.Tenants.Schools)},
		{Method: "GET", Path: tp + "/people", Summary: "List people (paged by cursor)",
			Area: request.AreaTenant, Object: "person", Action: "read", Reply: request.Page[identity.Person]{},
			API: s.listPeople},
		{Method: "POST", Path: tp + "/people", Summary: "Add a person", Area: request.AreaTenant,
			Object: "person", Action: "write", Status: http.StatusCreated, Request: identity.NewPerson{},
			Reply: identity.Person{}, API: request.FromBody(s.Identity.CreatePerson)},
		{Method: "GET", Path: tp + "/people/:id", Summary: "One person", Area: request.AreaTenant,
			Object: "person", Action: "read", Reply: identity.Person{}, API: request.ByID("id", s.Identity.GetPerson)},
		{Method: "PATCH", Path: tp + "/people/:id",
			Summary: "Change a person (suspending ends their sessions)", Area: request.AreaTenant,
			Object: "person", Action: "write", Request: identity.PersonPatch{}, Reply: identity.Person{},
			API: request.ByIDFromBody("id", s.Identity.UpdatePerson)},
		{Method: "GET", Path: tp + "/people/:id/roles", Summary: "A person's roles",
			Area: request.AreaTenant, Object: "role", Action: "read", Reply: request.Page[identity.RoleAssignment]{},
			API: request.PagedByID("id", identity.RoleAssignment.At, s.Identity.Roles)},
		{Method: "POST", Path: tp + "/people/:id/roles", Summary: "Give a person a role",
			Area: request.AreaTenant, Object: "role", Action: "write", Status: http.StatusCreated,
			Request: RoleRequest{}, Reply: identity.RoleAssignment{}, API: s.assignRole},
		{Method: "DELETE", Path: tp + "/people/:id/roles/:role", Summary: "Take a role away",
			Area: request.AreaTenant, Object: "role", Action: "write", Status: http.StatusNoContent,
			API: s.removeRole},
		{Method: "GET", Path: tp + "/people/:id/credentials",
			Summary: "A person's live sessions and tokens", Area: request.AreaTenant, Object: "session",
			Action: "read", Reply: request.Page[identity.Credential]{},
			API: request.PagedByID("id", identity.Credential.At, s.Identity.PersonCredentials)},
		{Method: "DELETE", Path: tp + "/people/:id/credentials",
			Summary: "End all of a person's sessions and revoke their tokens", Area: request.AreaTenant, Object: "session",
			Action: "write", Status: http.StatusNoContent, API: request.DoByID("id", s.Identity.EndPersonSessions)},
		{Method: "DELETE", Path: tp + "/people/:id/credentials/:cred",
			Summary: "End a person's session or revoke a token", Area: request.AreaTenant, Object: "session",
			Action: "write", Status: http.StatusNoContent, API: request.DoByIDs("id", "cred", s.Identity.RevokePersonCredential)},
		{Method: "POST", Path: tp + "/people/:id/password-link",
			Summary: "Email a person a link to set their own password (works once, for 72 hours)",
			Area:    request.AreaTenant, Object: "person", Action: "write", Status: http.StatusAccepted,
			API: s.sendPasswordLink},

		{Method: "GET", Path: pp + "/tenants",
			Summary: "Tenants with contract and operational figures (no personal data)",
			Area:    request.AreaPlatform, Object: "platform-tenant", Action: "read",
			Reply: request.Page[tenant.Summary]{}, API: s.platformTenants},
		{Method: "POST", Path: pp + "/tenants", Summary: "Create or update a tenant from a manifest",
			Upsert: true, Area: request.AreaPlatform, Object: "platform-tenant", Action: "write", Request: tenant.Manifest{},
			Reply: tenant.Result{}, API: s.applyTenant},
		{Method: "GET", Path: pp + "/tenants/:id", Summary: "One tenant (no personal data)",
			Area: request.AreaPlatform, Object: "platform-tenant", Action: "read", Reply: tenant.Summary{},
			API: s.platformTenant},
		{Method: "PATCH", Path: pp + "/tenants/:id/contract", Summary: "Set or clear the contract end date",
			Area: request.AreaPlatform, Object: "contract", Action: "write", Request: tenant.ContractPatch{},
			Reply: tenant.Contract{}, API: s.setContractEnd},
	}
}
