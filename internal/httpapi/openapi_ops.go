package httpapi

import (
	"maps"
	"net/http"
	"reflect"
	"strings"

	oa "github.com/swaggest/openapi-go/openapi31"

	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/request"
)

// operation documents one route: its id, tag, parameters, body, answer
// and the problems it may answer with.
func operation(sc *schemas, rt request.Route, cv request.RouteConventions) (*oa.Operation, error) {
	op := &oa.Operation{Tags: []string{tagOf(rt.Path)}}
	op.WithID(operationID(rt.Method, rt.Path)).WithSummary(rt.Summary)
	op.Security = security(rt)
	if !rt.Public {
		op.WithDescription(rt.Summary + "\n\nNeeds permission to " + rt.Action + " " + rt.Object + ".")
	}
	for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
		p := oa.Parameter{Name: m[1], In: oa.ParameterInPath, Required: new(bool),
			Description: strPtr(pathParamDescription(m[1])), Schema: map[string]any{"type": "string"}}
		*p.Required = true
		op.Parameters = append(op.Parameters, oa.ParameterOrReference{Parameter: &p})
	}
	paged := isPage(rt.Reply)
	if paged {
		op.Parameters = append(op.Parameters,
			oa.ParameterOrReference{Reference: &oa.Reference{Ref: "#/components/parameters/cursor"}},
			oa.ParameterOrReference{Reference: &oa.Reference{Ref: "#/components/parameters/limit"}})
	}
	if rt.Query != nil {
		qs, err := queryParams(sc, rt.Query)
		if err != nil {
			return nil, err
		}
		op.Parameters = append(op.Parameters, qs...)
	}
	for _, h := range conventionParams(cv) {
		op.Parameters = append(op.Parameters, oa.ParameterOrReference{Reference: &oa.Reference{Ref: "#/components/parameters/" + h}})
	}
	if err := requestBody(sc, rt, op); err != nil {
		return nil, err
	}
	ok, err := success(sc, rt, paged, cv)
	if err != nil {
		return nil, err
	}
	op.Responses = &oa.Responses{MapOfResponseOrReferenceValues: ok}
	if proto, ok := ownErrors[rt.Method+" "+rt.Path]; ok {
		schema, err := sc.ref(proto)
		if err != nil {
			return nil, err
		}
		problem, err := sc.ref(request.Problem{})
		if err != nil {
			return nil, err
		}
		for _, code := range []int{http.StatusBadRequest, http.StatusUnauthorized} {
			resp := oa.Response{Description: http.StatusText(code) + ": an OAuth2 error (RFC 6749 §5.2), or a problem when the request never reached OAuth2 (a query that is not text)"}
			resp.WithContentItem("application/json", oa.MediaType{Schema: schema})
			resp.WithContentItem("application/problem+json", oa.MediaType{Schema: problem})
			op.Responses.MapOfResponseOrReferenceValues[statusKey(code)] = oa.ResponseOrReference{Response: &resp}
		}
	}
	for _, code := range problemStatuses(rt, paged, cv) {
		op.Responses.MapOfResponseOrReferenceValues[statusKey(code)] = oa.ResponseOrReference{
			Reference: &oa.Reference{Ref: "#/components/responses/" + problemResponseName(code)}}
	}
	op.Responses.Default = &oa.ResponseOrReference{Reference: &oa.Reference{Ref: "#/components/responses/Problem"}}
	return op, nil
}

// requestBody documents the JSON body, or an upload's multipart parts.
func requestBody(sc *schemas, rt request.Route, op *oa.Operation) error {
	switch {
	case rt.Upload:
		parts := uploadParts(rt.Method + " " + rt.Path)
		props := map[string]any{}
		for _, p := range parts {
			props[p.name] = map[string]any{"type": "string", "contentMediaType": p.media, "description": p.doc}
		}
		body := oa.RequestBody{Required: new(bool), Description: strPtr("multipart/form-data, read part by part as it streams in.")}
		*body.Required = true
		body.WithContentItem("multipart/form-data", oa.MediaType{Schema: map[string]any{"type": "object", "properties": props}})
		op.RequestBody = &oa.RequestBodyOrReference{RequestBody: &body}
	case rt.Request != nil:
		schema, err := sc.ref(rt.Request)
		if err != nil {
			return err
		}
		body := oa.RequestBody{Required: new(bool)}
		*body.Required = true
		body.WithContentItem("application/json", oa.MediaType{Schema: schema})
		op.RequestBody = &oa.RequestBodyOrReference{RequestBody: &body}
	}
	return nil
}

// success is the route's answer when it works.
func success(sc *schemas, rt request.Route, paged bool, cv request.RouteConventions) (map[string]oa.ResponseOrReference, error) {
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	resp := oa.Response{Description: http.StatusText(status)}
	switch {
	case rt.Reply != nil:
		schema, err := sc.ref(rt.Reply)
		if err != nil {
			return nil, err
		}
		resp.WithContentItem("application/json", oa.MediaType{Schema: schema})
		if _, ok := rt.Query.(FormatQuery); ok {
			resp.WithContentItem("text/csv", oa.MediaType{Schema: map[string]any{"type": "string"}})
		}
	case status != http.StatusNoContent:
		if media, ok := rawReplies[rt.Method+" "+rt.Path]; ok {
			resp.WithContentItem(media, oa.MediaType{Schema: map[string]any{}})
		}
	}
	if paged {
		resp.WithHeadersItem("Link", oa.HeaderOrReference{Reference: &oa.Reference{Ref: "#/components/headers/Link"}})
	}
	for _, h := range conventionHeaders(cv) {
		resp.WithHeadersItem(h, oa.HeaderOrReference{Reference: &oa.Reference{Ref: "#/components/headers/" + h}})
	}
	out := map[string]oa.ResponseOrReference{}
	if status == http.StatusCreated || rt.Upsert {
		made := resp
		made.Description = http.StatusText(http.StatusCreated)
		made.Headers = maps.Clone(resp.Headers)
		if cv.Location != "" {
			made.WithHeadersItem("Location", oa.HeaderOrReference{Reference: &oa.Reference{Ref: "#/components/headers/Location"}})
		}
		out[statusKey(http.StatusCreated)] = oa.ResponseOrReference{Response: &made}
	}
	if status != http.StatusCreated {
		out[statusKey(status)] = oa.ResponseOrReference{Response: &resp}
	}
	if cv.ETag {
		out[statusKey(http.StatusNotModified)] = oa.ResponseOrReference{Reference: &oa.Reference{Ref: "#/components/responses/NotModified"}}
	}
	return out, nil
}

// conventionParams are the request headers a route takes by the API's
// conventions (components/parameters).
func conventionParams(cv request.RouteConventions) []string {
	var out []string
	if cv.ETag {
		out = append(out, "If-None-Match")
	}
	if cv.IfMatch {
		out = append(out, "If-Match")
	}
	if cv.IdempotencyKey {
		out = append(out, "Idempotency-Key")
	}
	return out
}

// conventionHeaders are the headers a route's success carries by the
// API's conventions (components/headers).
func conventionHeaders(cv request.RouteConventions) []string {
	var out []string
	if cv.ETag {
		out = append(out, "ETag")
	}
	if cv.RateLimited || cv.SignInLimited {
		out = append(out, "RateLimit", "RateLimit-Policy")
	}
	return out
}

// rawReplies are the routes that answer with bytes of their own rather
// than a JSON reply prototype, by media type.
var rawReplies = map[string]string{
	"GET /metrics":                                        "text/plain",
	"GET " + v1 + "/openapi.json":                         "application/json",
	"GET " + v1 + "/openapi-3.0.json":                     "application/json",
	"GET /problems":                                       "text/html",
	"GET /problems/:type":                                 "text/html",
	"GET " + tp + "/courses/:course/gradebook.csv":        "text/csv",
	"GET " + tp + "/courses/:course/gradebook.xlsx":       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"GET " + tp + "/assignments/:assignment/hand-ins.zip": "application/zip",
	"GET " + tp + "/access-log/export":                    "text/csv",
}

// ownErrors are the routes whose 400 and 401 are not problem documents
// but a format of their own, by its prototype.
var ownErrors = map[string]any{
	"POST " + integration.TokenPath: TokenError{},
}

var pageType = reflect.TypeOf(request.Page[struct{}]{})

// isPage says whether a reply prototype is a request.Page of some items.
func isPage(reply any) bool {
	if reply == nil {
		return false
	}
	t := reflect.TypeOf(reply)
	return t.Kind() == reflect.Struct && t.PkgPath() == pageType.PkgPath() &&
		strings.HasPrefix(t.Name(), "Page[")
}

// queryParams documents a Query prototype: each field with a form tag is
// a parameter, its doc tag the description and its enum tag the values.
func queryParams(sc *schemas, q any) ([]oa.ParameterOrReference, error) {
	t := reflect.TypeOf(q)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []oa.ParameterOrReference
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		schema, err := sc.ref(reflect.New(f.Type).Elem().Interface())
		if err != nil {
			return nil, err
		}
		if e := f.Tag.Get("enum"); e != "" {
			var vals []any
			for _, v := range strings.Split(e, ",") {
				vals = append(vals, strings.TrimSpace(v))
			}
			schema["enum"] = vals
		}
		p := oa.Parameter{Name: name, In: oa.ParameterInQuery, Schema: schema}
		if d := f.Tag.Get("doc"); d != "" {
			p.Description = &d
		}
		out = append(out, oa.ParameterOrReference{Parameter: &p})
	}
	return out, nil
}
