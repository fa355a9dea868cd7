package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/processor/tenant"
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

func (s *Server) openapiHandler(c *gin.Context) (any, error) {
	d := &s.doc
	d.once.Do(func() {
		var doc *openapi3.T
		if doc, d.err = s.OpenAPI(); d.err == nil {
			d.json, d.err = doc.MarshalJSON()
		}
	})
	if d.err != nil {
		return nil, d.err
	}
	return json.RawMessage(d.json), nil
}

// schemaFor customises types the generator cannot see through.
func schemaFor(_ string, t reflect.Type, _ reflect.StructTag, sc *openapi3.Schema) error {
	switch t {
	case reflect.TypeOf(uuid.UUID{}):
		*sc = openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "uuid"}
	case reflect.TypeOf(tenant.Date{}):
		*sc = openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date"}
	}
	return nil
}

// OpenAPI builds the OpenAPI 3 document from the route table, so the
// document and the router cannot drift apart.
func (s *Server) OpenAPI() (*openapi3.T, error) {
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: "LMS platform API", Version: "1",
			Description: "Hosted learning platform. Tenant routes live under /api/v1/t/{tenant}; {tenant} is the tenant's slug or id. Errors are RFC 9457 problem+json."},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: openapi3.Schemas{},
			SecuritySchemes: openapi3.SecuritySchemes{
				"session": &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("cookie").WithName(request.SessionCookie)},
				"token":   &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer")},
			},
		},
	}
	gen := openapi3gen.NewGenerator(openapi3gen.SchemaCustomizer(schemaFor), openapi3gen.UseAllExportedFields())
	schema := func(v any) (*openapi3.SchemaRef, error) { return gen.NewSchemaRefForValue(v, doc.Components.Schemas) }
	problemSchema, err := schema(request.Problem{})
	if err != nil {
		return nil, err
	}
	for _, rt := range s.k.Routes() {
		if rt.Page {
			continue
		}
		op := openapi3.NewOperation()
		op.Summary = rt.Summary
		op.OperationID = strings.ToLower(rt.Method) + strings.ReplaceAll(OpenAPIPath(rt.Path), "/", "_")
		if !rt.Public {
			op.Security = &openapi3.SecurityRequirements{{"session": {}}, {"token": {}}}
			op.Description = "Requires permission `" + rt.Action + "` on `" + rt.Object + "`."
		}
		for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
			op.AddParameter(openapi3.NewPathParameter(m[1]).WithSchema(openapi3.NewStringSchema()))
		}
		if strings.HasSuffix(rt.Path, "/people") && rt.Method == "GET" || strings.HasSuffix(rt.Path, "/tenants") && rt.Method == "GET" {
			op.AddParameter(openapi3.NewQueryParameter("limit").WithSchema(openapi3.NewIntegerSchema().WithMin(1).WithMax(200)))
			op.AddParameter(openapi3.NewQueryParameter("cursor").WithSchema(openapi3.NewStringSchema()))
		}
		if rt.Request != nil {
			sr, err := schema(rt.Request)
			if err != nil {
				return nil, err
			}
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithJSONSchemaRef(sr)}
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := openapi3.NewResponse().WithDescription(http.StatusText(status))
		if rt.Reply != nil {
			sr, err := schema(rt.Reply)
			if err != nil {
				return nil, err
			}
			resp = resp.WithJSONSchemaRef(sr)
		}
		op.AddResponse(status, resp)
		prob := openapi3.NewResponse().WithDescription("Problem (RFC 9457)").WithContent(openapi3.Content{"application/problem+json": openapi3.NewMediaType().WithSchemaRef(problemSchema)})
		op.Responses.Set("default", &openapi3.ResponseRef{Value: prob})
		doc.AddOperation(OpenAPIPath(rt.Path), rt.Method, op)
	}
	return doc, nil
}
