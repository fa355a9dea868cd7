package request

import "github.com/gin-gonic/gin"

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
	// Upsert API routes create or update: 201 when the reply is a Created
	// that made something, 200 when it changed what was there.
	Upsert bool
	// CrossSite page routes take a form posted from another site: only a
	// public one whose form carries its own signed proof (a SAML identity
	// provider's answer); every other page form must come from this site.
	CrossSite bool
	// SecondStep routes are open to a session that passed the password but
	// still owes its second step (the code page, setting up an
	// authenticator, sign-out); every other route refuses such a session.
	SecondStep bool
	// AfterEnd write routes stay open to a school's admins after its
	// contract ended (taking the data back); every other write is refused.
	AfterEnd bool
	Object   string // casbin object; required unless Public
	Action   string // casbin action: read or write
	// Status is the success status, 200 when zero: the only place a
	// route's status is stated (API writes it; OpenAPI documents it).
	Status  int
	Request any // body prototype for the OpenAPI document, or nil
	// Query is a prototype of the route's query parameters (a struct whose
	// fields carry form:"name" tags, doc:"…" descriptions and enum:"a,b"
	// lists) for the OpenAPI document, or nil. Paging (?cursor=, ?limit=)
	// is documented for every route whose Reply is a Page and needs no row
	// here.
	Query any
	Reply any // response prototype, or nil for no content
	// API handles an API route: it returns the reply, written as JSON with
	// Status (nothing for 204, or a Writer's own bytes), or an error,
	// written as problem+json. It never writes itself.
	API Handler
	// Handler serves a page route (internal/web builds it from a page
	// handler with its own adapter) or one that writes bytes of its own
	// (health, metrics, static files).
	Handler gin.HandlerFunc
}

// Handler is an API route's handler: the reply or an error.
type Handler func(*gin.Context) (any, error)
