package httpapi

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
	oa "github.com/swaggest/openapi-go/openapi31"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// problemRoutes are the pages every problem's `type` URI points at.
func (s *Server) problemRoutes() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/problems", Summary: "Every problem type this API answers with, explained",
			Area: request.AreaPublic, Public: true, API: problemIndex},
		{Method: "GET", Path: "/problems/:type", Summary: "What one problem type means and what to do about it",
			Area: request.AreaPublic, Public: true, API: problemPage},
	}
}

var problemsHTML = template.Must(template.New("problems").Parse(`<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;overflow-wrap:break-word}</style>
</head><body><main>
<h1>{{.Title}}</h1>
<p>The API answers every error as a problem document (RFC 9457, <code>application/problem+json</code>). Its <code>type</code> is the address of the part of this page that explains it.</p>
{{range .Types}}<section id="{{.Slug}}"><h2>{{.Title}}</h2>
<p>Type <code>/problems/{{.Slug}}</code>, HTTP status {{.Status}}.</p>
<p>{{.Meaning}}</p><p>What to do: {{.Action}}</p></section>
{{end}}{{if .One}}<p><a href="/problems">Every problem type</a></p>{{end}}
</main></body></html>
`))

func renderProblems(title string, types []request.ProblemType, one bool) (any, error) {
	var b bytes.Buffer
	err := problemsHTML.Execute(&b, map[string]any{"Title": title, "Types": types, "One": one})
	return request.HTML(b.Bytes()), err
}

func problemIndex(*gin.Context) (any, error) {
	return renderProblems("Problem types of the LMS API", request.ProblemTypes(), false)
}

func problemPage(c *gin.Context) (any, error) {
	for _, p := range request.ProblemTypes() {
		if p.Slug == c.Param("type") {
			return renderProblems(p.Title, []request.ProblemType{p}, true)
		}
	}
	return nil, errs.New(errs.ErrNotFound, "There is no such problem type; GET /problems lists them all.")
}

// problemStatuses are the error statuses an operation documents besides
// the catch-all default (500 and 503 can come from any route).
func problemStatuses(rt request.Route, paged bool, cv request.RouteConventions) []int {
	write := rt.Method != http.MethodGet && rt.Method != http.MethodHead
	hasPath := pathParamRE.MatchString(rt.Path)
	var out []int
	add := func(cond bool, code int) {
		if cond {
			out = append(out, code)
		}
	}
	add(rt.Request != nil || rt.Upload || rt.Query != nil || paged || hasPath, http.StatusBadRequest)
	add(!rt.Public || rt.Upload, http.StatusUnauthorized)
	add(!rt.Public, http.StatusForbidden)
	add(hasPath, http.StatusNotFound)
	add(write && !rt.Public || cv.IdempotencyKey, http.StatusConflict)
	add(cv.IfMatch, http.StatusPreconditionFailed)
	add(write && (rt.Request != nil || rt.Upload) || cv.IdempotencyKey, http.StatusUnprocessableEntity)
	add(rt.Throttled || !rt.Public, http.StatusTooManyRequests)
	return out
}

// problemResponseNames name the shared problem responses by status.
var problemResponseNames = map[int]string{
	http.StatusBadRequest: "BadRequest", http.StatusUnauthorized: "Unauthorized",
	http.StatusForbidden: "Forbidden", http.StatusNotFound: "NotFound", http.StatusConflict: "Conflict",
	http.StatusUnprocessableEntity: "Unprocessable", http.StatusTooManyRequests: "TooManyRequests",
	http.StatusPreconditionFailed: "PreconditionFailed",
}

func problemResponseName(code int) string { return problemResponseNames[code] }

// problemComponents adds the Problem schema, the shared problem responses,
// the paging parameters and the Link header.
func problemComponents(sc *schemas, comp *oa.Components) error {
	schema, err := sc.ref(request.Problem{})
	if err != nil {
		return err
	}
	media := map[string]oa.MediaType{"application/problem+json": {Schema: schema}}
	retry := map[string]oa.HeaderOrReference{"Retry-After": {Header: &oa.Header{
		Description: strPtr("Seconds to wait before trying again."), Schema: map[string]any{"type": "string"}}}}
	comp.Responses = map[string]oa.ResponseOrReference{
		"Problem": {Response: &oa.Response{Description: "A problem (RFC 9457); its type URI explains it.", Content: media}},
	}
	for code, name := range problemResponseNames {
		r := &oa.Response{Description: http.StatusText(code) + ": a problem (RFC 9457)", Content: media}
		if code == http.StatusTooManyRequests {
			r.Headers = retry
			r.WithHeadersItem("RateLimit", oa.HeaderOrReference{Reference: &oa.Reference{Ref: "#/components/headers/RateLimit"}})
			r.WithHeadersItem("RateLimit-Policy", oa.HeaderOrReference{Reference: &oa.Reference{Ref: "#/components/headers/RateLimit-Policy"}})
		}
		comp.Responses[name] = oa.ResponseOrReference{Response: r}
	}
	comp.Responses["NotModified"] = oa.ResponseOrReference{Response: &oa.Response{
		Description: "Not Modified: the If-None-Match ETag is still current; no body.",
		Headers:     map[string]oa.HeaderOrReference{"ETag": {Reference: &oa.Reference{Ref: "#/components/headers/ETag"}}}}}
	header := func(name, doc string) oa.ParameterOrReference {
		return oa.ParameterOrReference{Parameter: &oa.Parameter{Name: name, In: oa.ParameterInHeader,
			Description: strPtr(doc), Schema: map[string]any{"type": "string"}}}
	}
	comp.Parameters = map[string]oa.ParameterOrReference{
		"If-None-Match":   header("If-None-Match", "The ETag of the copy you hold: the answer is 304 with no body while it is current."),
		"If-Match":        header("If-Match", "The ETag you read: the change is made only if it is still the current version, else 412 (precondition-failed). Without it the change is made regardless."),
		"Idempotency-Key": header("Idempotency-Key", "A key of your choosing (1–255 visible ASCII characters; a UUID is good) that makes a retried create safe: the same key within 24 hours replays the first answer instead of making a second; with another body it is 422, and while the first is still running 409."),
		"cursor": {Parameter: &oa.Parameter{Name: "cursor", In: oa.ParameterInQuery,
			Description: strPtr("The next_cursor of the previous page; leave out for the first page."),
			Schema:      map[string]any{"type": "string"}}},
		"limit": {Parameter: &oa.Parameter{Name: "limit", In: oa.ParameterInQuery,
			Description: strPtr("How many items a page holds."),
			Schema:      map[string]any{"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}},
	}
	str := func(doc string) oa.HeaderOrReference {
		return oa.HeaderOrReference{Header: &oa.Header{Description: strPtr(doc), Schema: map[string]any{"type": "string"}}}
	}
	comp.Headers = map[string]oa.HeaderOrReference{
		"ETag":             str("The version of what was read; send it as If-Match to change it, or as If-None-Match to read it again cheaply."),
		"RateLimit":        str(`What is left of the caller's quota now (IETF draft RateLimit header fields), e.g. "default";r=598;t=42.`),
		"RateLimit-Policy": str(`The caller's quota, e.g. "default";q=600;w=60 (600 requests a minute).`),
		"Location": {Header: &oa.Header{Description: strPtr("The URL of what was made."),
			Schema: map[string]any{"type": "string", "format": "uri-reference"}}},
		"Link": {Header: &oa.Header{Description: strPtr(`The next page as <url>; rel="next" (RFC 8288), absent on the last page.`),
			Schema: map[string]any{"type": "string"}}},
	}
	return nil
}
