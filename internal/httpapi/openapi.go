package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"sync"

	"github.com/gin-gonic/gin"
	oa "github.com/swaggest/openapi-go/openapi31"

	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/request"
)

var pathParamRE = regexp.MustCompile(`:([a-z_]+)`)

// OpenAPIPath turns gin's /t/:tenant into OpenAPI's /t/{tenant}.
func OpenAPIPath(p string) string { return pathParamRE.ReplaceAllString(p, "{$1}") }

// openapiDoc is the served document, built on first request.
type openapiDoc struct {
	once sync.Once
	json []byte
	err  error
}

// OpenAPIJSON is the document as served, built once.
func (s *Server) OpenAPIJSON() ([]byte, error) {
	d := &s.doc
	d.once.Do(func() {
		var doc *oa.Spec
		if doc, d.err = s.OpenAPI(); d.err == nil {
			d.json, d.err = json.Marshal(doc)
		}
	})
	return d.json, d.err
}

// docHandler serves one form of the document as it is.
func docHandler(doc func() ([]byte, error)) request.Handler {
	return func(*gin.Context) (any, error) {
		b, err := doc()
		if err != nil {
			return nil, err
		}
		return json.RawMessage(b), nil
	}
}

const apiDescription = `The hosted learning platform's API.

Tenant routes live under /api/v1/t/{tenant}, where {tenant} is the school's or trust's slug or id.
Sign in with POST /api/v1/auth/login (a session cookie; send the csrf_token it returns as the
X-CSRF-Token header on every write), or send a personal API token as a bearer token.

Every list is paged: pass ?limit= (1 to 200, 50 by default) and the next_cursor of the previous
page as ?cursor=; the Link header carries the next page's URL.

Every error is an RFC 9457 problem (application/problem+json) whose type URI is a page under
/problems that explains it.`

// OpenAPI builds the OpenAPI 3.1 document from the route table and the
// Go types of its prototypes, so the document and the router cannot drift
// apart. Page routes (HTML) are left out.
func (s *Server) OpenAPI() (*oa.Spec, error) {
	sc := newSchemas()
	doc := &oa.Spec{Openapi: "3.1.0"}
	doc.Info.WithTitle("LMS platform API").WithVersion("1").WithDescription(apiDescription)
	doc.Servers = []oa.Server{{URL: "/", Description: strPtr("This server (paths carry /api/v1)")}}
	doc.Components = &oa.Components{SecuritySchemes: securitySchemes()}
	doc.Security = []map[string][]string{{schemeSession: {}}, {schemeBearer: {}}}
	doc.Paths = &oa.Paths{MapOfPathItemValues: map[string]oa.PathItem{}}
	if err := problemComponents(sc, doc.Components); err != nil {
		return nil, err
	}
	ids := map[string]string{}
	tags := map[string]bool{}
	conv := request.Conventions(s.k.Routes())
	for _, rt := range s.k.Routes() {
		if rt.Page {
			continue
		}
		op, err := operation(sc, rt, conv[rt.Method+" "+rt.Path])
		if err != nil {
			return nil, fmt.Errorf("openapi: %s %s: %w", rt.Method, rt.Path, err)
		}
		if scopes := s.scopesFor(rt); len(scopes) > 0 {
			op.Security = append(op.Security, map[string][]string{schemeOAuth2: scopes})
		}
		if sec, ok := ownAuth[rt.Method+" "+rt.Path]; ok {
			op.Security = sec
		}
		if prev, dup := ids[*op.ID]; dup {
			return nil, fmt.Errorf("openapi: operation id %s of %s %s is %s's too", *op.ID, rt.Method, rt.Path, prev)
		}
		ids[*op.ID] = rt.Method + " " + rt.Path
		for _, t := range op.Tags {
			tags[t] = true
		}
		if err := doc.AddOperation(rt.Method, OpenAPIPath(rt.Path), *op); err != nil {
			return nil, fmt.Errorf("openapi: %s %s: %w", rt.Method, rt.Path, err)
		}
	}
	for t := range tags {
		doc.Tags = append(doc.Tags, oa.Tag{Name: t, Description: strPtr(tagDescription(t))})
	}
	sort.Slice(doc.Tags, func(i, j int) bool { return doc.Tags[i].Name < doc.Tags[j].Name })
	doc.Components.Schemas = sc.defs
	return doc, nil
}

// Security scheme names.
const (
	schemeSession = "session"
	schemeCSRF    = "csrf"
	schemeBearer  = "bearer"
	schemeOAuth2  = "oauth2"
)

// OAuth2Scopes are the scopes an integration (OAuth2 client credentials)
// may be granted, with what each lets it do.
func OAuth2Scopes() map[string]string {
	out := map[string]string{}
	for _, in := range integration.Scopes {
		what := in.Does
		if in.Reads != "" {
			what = "Read " + in.Reads
		}
		out[string(in.Scope)] = in.Label + ": " + what
	}
	return out
}

// scopesFor are the integration scopes that let a call of rt through:
// those whose permissions (policies/roles.csv) cover its object and action.
func (s *Server) scopesFor(rt request.Route) []string {
	if rt.Public || rt.Area != request.AreaTenant {
		return nil
	}
	var out []string
	for scope := range OAuth2Scopes() {
		if s.Authz.ScopeAllows(scope, rt.Object, rt.Action) {
			out = append(out, scope)
		}
	}
	sort.Strings(out)
	return out
}

// ownAuth are the public routes that check a credential themselves.
var ownAuth = map[string][]map[string][]string{
	// A roster sync tool's credential, or an integration's roster:write token.
	"POST " + tp + "/roster/deliveries": {{schemeBearer: {}}, {schemeOAuth2: {"roster:write"}}},
}

func securitySchemes() map[string]oa.SecuritySchemeOrReference {
	scheme := func(desc string, s oa.SecurityScheme) oa.SecuritySchemeOrReference {
		s.Description = &desc
		return oa.SecuritySchemeOrReference{SecurityScheme: &s}
	}
	return map[string]oa.SecuritySchemeOrReference{
		schemeSession: scheme("The session cookie that POST /api/v1/auth/login sets.",
			oa.SecurityScheme{APIKey: &oa.SecuritySchemeAPIKey{Name: request.SessionCookie, In: oa.SecuritySchemeAPIKeyInCookie}}),
		schemeCSRF: scheme("With the session cookie, every write (POST, PUT, PATCH, DELETE) carries the csrf_token that signing in returned.",
			oa.SecurityScheme{APIKey: &oa.SecuritySchemeAPIKey{Name: "X-CSRF-Token", In: oa.SecuritySchemeAPIKeyInHeader}}),
		schemeBearer: scheme("A personal API token (POST /api/v1/me/tokens) as `Authorization: Bearer <token>`.",
			oa.SecurityScheme{HTTPBearer: &oa.SecuritySchemeHTTPBearer{Scheme: "bearer"}}),
		schemeOAuth2: scheme("An integration a school's admin registered: OAuth2 client credentials, with the scopes the admin granted.",
			oa.SecurityScheme{Oauth2: &oa.SecuritySchemeOauth2{Flows: oa.OauthFlows{
				ClientCredentials: &oa.OauthFlowsDefsClientCredentials{TokenURL: "/api/v1/oauth2/token", Scopes: OAuth2Scopes()},
			}}}),
	}
}

// security is who may call rt: nobody needs to sign in for a public
// route; a session's writes also carry the CSRF header.
func security(rt request.Route) []map[string][]string {
	if rt.Public {
		return []map[string][]string{}
	}
	session := map[string][]string{schemeSession: {}}
	switch rt.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		session[schemeCSRF] = []string{}
	}
	return []map[string][]string{session, {schemeBearer: {}}}
}

func strPtr(s string) *string { return &s }

func statusKey(code int) string { return strconv.Itoa(code) }
