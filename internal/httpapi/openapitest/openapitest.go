// Package openapitest checks every answer the API gives a test against the
// API's own OpenAPI document (status, content type and body), with
// pb33f/libopenapi-validator, which reads OpenAPI 3.1. apptest wraps its
// server's handler with it, so a reply that breaks the documented schema
// fails whichever test received it.
package openapitest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// Checker validates answers against one document.
type Checker struct {
	mu sync.Mutex // the validator's caches are not documented as safe to share
	v  validator.Validator
}

// checkers are built once a document: every test's server serves the same
// one, and parsing it takes a while.
var (
	checkersMu sync.Mutex
	checkers   = map[string]*Checker{}
)

// For is the checker of the OpenAPI document doc (JSON).
func For(doc []byte) (*Checker, error) {
	checkersMu.Lock()
	defer checkersMu.Unlock()
	if c, ok := checkers[string(doc)]; ok {
		return c, nil
	}
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("openapitest: parse the document: %w", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapitest: build the validator: %v", errs)
	}
	c := &Checker{v: v}
	checkers[string(doc)] = c
	return c, nil
}

// Checked says which answers are the API's: everything under /api/
// except the document itself, and the health checks.
func Checked(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/api/") && p != "/api/v1/openapi.json" && p != "/api/v1/openapi-3.0.json" || p == "/healthz" || p == "/readyz"
}

// maxBody is the most of an answer kept for checking; a larger one (a
// download) is passed through unchecked.
const maxBody = 4 << 20

// Wrap serves h and checks each of its API answers once written; fail
// gets a message for each answer that breaks the document.
func (c *Checker) Wrap(h http.Handler, fail func(msg string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Checked(r) {
			h.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		if rec.tooBig {
			return
		}
		if msg := c.Check(r, rec.status, rec.Header(), rec.body.Bytes()); msg != "" {
			fail(msg)
		}
	})
}

// Check validates one answer; "" when it matches the document.
func (c *Checker) Check(r *http.Request, status int, hdr http.Header, body []byte) string {
	if status == http.StatusNotFound && hdr.Get("Content-Type") == "" {
		return "" // no route at all: gin's bare 404
	}
	if status == http.StatusMethodNotAllowed {
		return "" // the router's answer for a method the path lacks: no operation to check it against
	}
	resp := &http.Response{StatusCode: status, Header: hdr.Clone(), Body: io.NopCloser(bytes.NewReader(body)), Request: r}
	c.mu.Lock()
	ok, errs := c.v.ValidateHttpResponse(r, resp)
	c.mu.Unlock()
	if ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the answer to %s %s (%d %s) breaks the OpenAPI document:", r.Method, r.URL.Path, status, hdr.Get("Content-Type"))
	for _, e := range errs {
		if e.ValidationType == "path" && status == http.StatusNotFound {
			return "" // a path no route has (a test probing): the router's own 404
		}
		fmt.Fprintf(&b, "\n  %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n    %s at %s", f.Reason, f.FieldPath)
		}
	}
	if len(body) > 600 {
		body = append(body[:600:600], "…"...)
	}
	fmt.Fprintf(&b, "\n  body: %s", body)
	return b.String()
}

// recorder passes an answer through and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	body   bytes.Buffer
	tooBig bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if !r.tooBig {
		if r.body.Len()+len(b) > maxBody {
			r.tooBig = true
			r.body.Reset()
		} else {
			r.body.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

// Flush lets streamed answers through as they are written.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
