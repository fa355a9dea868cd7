package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Area says how a route finds its scope.
type Area int

// Areas.
const (
	AreaPublic   Area = iota // no sign-in
	AreaSelf                 // the caller's own account, either kind of principal
	AreaTenant               // /api/v1/t/{tenant}/…: a member in their own tenant
	AreaPlatform             // /api/v1/platform/…: processor staff
)

// Route is one row of the route table.
type Route struct {
	Method  string
	Path    string // gin syntax: /api/v1/t/:tenant/people/:id
	Summary string
	Area    Area
	Public  bool // no authentication or authorization at all
	// Page routes render HTML (internal/web): errors are pages, the CSRF
	// token may come in the form, and they are left out of OpenAPI.
	Page bool
	// Upload routes take multipart/form-data and read it themselves,
	// streaming; every other page route takes only urlencoded forms, and
	// every other API route JSON or nothing.
	Upload bool
	// Throttled routes count attempts per client address (sign-in).
	Throttled bool
	// AfterEnd write routes stay open to a school's admins after its
	// contract ended (taking the data back); every other write is refused.
	AfterEnd bool
	Object   string // casbin object; required unless Public
	Action   string // casbin action: read or write
	Status   int    // success status; 200 when zero
	Request  any    // body prototype for the OpenAPI document, or nil
	Reply    any    // response prototype, or nil for no content
	Handler  gin.HandlerFunc
}

const (
	v1 = "/api/v1"
	tp = v1 + "/t/:tenant"
	pp = v1 + "/platform"
)

// table is every route the service answers. Nothing is registered
// elsewhere: each area's routes live next to its handlers (h_*.go) and are
// gathered here.
func (s *Server) table() []Route {
	var all []Route
	for _, area := range [][]Route{
		s.platformRoutes(),
		s.courseRoutes(),
		s.assignmentRoutes(),
		s.quizRoutes(),
		s.surveyRoutes(),
		s.peerRoutes(),
		s.tutorRoutes(),
		s.mediaRoutes(),
		s.commsRoutes(),
		s.usageRoutes(),
		s.discussionRoutes(),
		s.engagementRoutes(),
		s.rosterRoutes(),
		s.supportRoutes(),
		s.boundaryRoutes(),
		s.dataUseRoutes(),
		s.controllerRoutes(),
		s.lifecycleRoutes(),
		s.promiseRoutes(),
	} {
		all = append(all, area...)
	}
	return all
}

// platformRoutes are health, sign-in, the caller's own account, people and
// roles, and the processor's tenant administration.
func (s *Server) platformRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/healthz", Summary: "Liveness: the process is up", Area: AreaPublic, Public: true, Reply: Health{}, Handler: s.healthz},
		{Method: "GET", Path: "/readyz", Summary: "Readiness: database and object store answer", Area: AreaPublic, Public: true, Reply: Health{}, Handler: s.readyz},
		{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics", Area: AreaPublic, Public: true, Handler: s.metricsHandler()},
		{Method: "GET", Path: v1 + "/openapi.json", Summary: "This API's OpenAPI 3 document", Area: AreaPublic, Public: true, Handler: s.openapiHandler},

		{Method: "POST", Path: v1 + "/auth/login", Summary: "Sign in as a member of a tenant", Area: AreaPublic, Public: true, Throttled: true, Request: LoginRequest{}, Reply: LoginReply{}, Handler: s.login},
		{Method: "POST", Path: v1 + "/auth/staff/login", Summary: "Sign in as processor staff", Area: AreaPublic, Public: true, Throttled: true, Request: StaffLoginRequest{}, Reply: LoginReply{}, Handler: s.staffLogin},
		{Method: "POST", Path: v1 + "/auth/logout", Summary: "End the current session", Area: AreaSelf, Object: "self", Action: "write", Status: http.StatusNoContent, Handler: s.logout},

		{Method: "GET", Path: v1 + "/me", Summary: "Who am I", Area: AreaSelf, Object: "self", Action: "read", Reply: Me{}, Handler: s.me},
		{Method: "GET", Path: v1 + "/me/credentials", Summary: "My live sessions and API tokens", Area: AreaSelf, Object: "self", Action: "read", Reply: []identity.Credential{}, Handler: s.myCredentials},
		{Method: "DELETE", Path: v1 + "/me/credentials/:id", Summary: "End one of my sessions or revoke a token", Area: AreaSelf, Object: "self", Action: "write", Status: http.StatusNoContent, Handler: s.revokeMine},
		{Method: "POST", Path: v1 + "/me/tokens", Summary: "Create a personal API token (shown once)", Area: AreaSelf, Object: "self", Action: "write", Status: http.StatusCreated, Request: TokenRequest{}, Reply: identity.Issued{}, Handler: s.createToken},

		{Method: "GET", Path: tp, Summary: "The tenant and its contract status", Area: AreaTenant, Object: "tenant", Action: "read", Reply: TenantView{}, Handler: s.tenantInfo},
		{Method: "GET", Path: tp + "/schools", Summary: "The tenant's schools", Area: AreaTenant, Object: "school", Action: "read", Reply: []tenant.School{}, Handler: s.schools},
		{Method: "GET", Path: tp + "/people", Summary: "List people (paged by cursor)", Area: AreaTenant, Object: "person", Action: "read", Reply: Page[identity.Person]{}, Handler: s.listPeople},
		{Method: "POST", Path: tp + "/people", Summary: "Add a person", Area: AreaTenant, Object: "person", Action: "write", Status: http.StatusCreated, Request: identity.NewPerson{}, Reply: identity.Person{}, Handler: s.createPerson},
		{Method: "GET", Path: tp + "/people/:id", Summary: "One person", Area: AreaTenant, Object: "person", Action: "read", Reply: identity.Person{}, Handler: s.getPerson},
		{Method: "PATCH", Path: tp + "/people/:id", Summary: "Change a person (suspending ends their sessions)", Area: AreaTenant, Object: "person", Action: "write", Request: identity.PersonPatch{}, Reply: identity.Person{}, Handler: s.updatePerson},
		{Method: "GET", Path: tp + "/people/:id/roles", Summary: "A person's roles", Area: AreaTenant, Object: "role", Action: "read", Reply: []identity.RoleAssignment{}, Handler: s.roles},
		{Method: "POST", Path: tp + "/people/:id/roles", Summary: "Give a person a role", Area: AreaTenant, Object: "role", Action: "write", Status: http.StatusCreated, Request: RoleRequest{}, Reply: identity.RoleAssignment{}, Handler: s.assignRole},
		{Method: "DELETE", Path: tp + "/people/:id/roles/:role", Summary: "Take a role away", Area: AreaTenant, Object: "role", Action: "write", Status: http.StatusNoContent, Handler: s.removeRole},
		{Method: "GET", Path: tp + "/people/:id/credentials", Summary: "A person's live sessions and tokens", Area: AreaTenant, Object: "session", Action: "read", Reply: []identity.Credential{}, Handler: s.personCredentials},
		{Method: "DELETE", Path: tp + "/people/:id/credentials/:cred", Summary: "End a person's session or revoke a token", Area: AreaTenant, Object: "session", Action: "write", Status: http.StatusNoContent, Handler: s.revokePersonCredential},
		{Method: "POST", Path: tp + "/people/:id/password-link", Summary: "Email a person a link to set their own password (works once, for 72 hours)", Area: AreaTenant, Object: "person", Action: "write", Status: http.StatusAccepted, Handler: s.sendPasswordLink},

		{Method: "GET", Path: pp + "/tenants", Summary: "Tenants with contract and operational figures (no personal data)", Area: AreaPlatform, Object: "platform-tenant", Action: "read", Reply: Page[tenant.Summary]{}, Handler: s.platformTenants},
		{Method: "POST", Path: pp + "/tenants", Summary: "Create or update a tenant from a manifest", Area: AreaPlatform, Object: "platform-tenant", Action: "write", Request: tenant.Manifest{}, Reply: tenant.Result{}, Handler: s.applyTenant},
		{Method: "GET", Path: pp + "/tenants/:id", Summary: "One tenant (no personal data)", Area: AreaPlatform, Object: "platform-tenant", Action: "read", Reply: tenant.Summary{}, Handler: s.platformTenant},
		{Method: "PATCH", Path: pp + "/tenants/:id/contract", Summary: "Set or clear the contract end date", Area: AreaPlatform, Object: "contract", Action: "write", Request: tenant.ContractPatch{}, Reply: tenant.Contract{}, Handler: s.setContractEnd},
	}
}
