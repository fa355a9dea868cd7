package request

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Writer is a reply that writes its own bytes: a redirect, a file, a
// document that is not JSON. The adapter calls it instead of encoding.
type Writer interface{ Write(c *gin.Context) }

// Redirect is a reply that sends the client to a URL (303 See Other),
// such as a presigned download link.
type Redirect string

// Write sends the redirect.
func (r Redirect) Write(c *gin.Context) { c.Redirect(http.StatusSeeOther, string(r)) }

// HTML is a reply written as a whole HTML document with 200: the few
// public pages the API serves itself (what each problem type means).
type HTML []byte

// Write sends the document.
func (h HTML) Write(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", h) }

// Stream is a reply streamed as a file download (a CSV, a zip of many
// files), Type its media type. Once the first bytes are sent a failure can
// only cut the file short; it is logged.
type Stream struct {
	Name string
	Type string
	Body func(w io.Writer) error
}

// CSVType is the media type of CSV downloads.
const CSVType = "text/csv; charset=utf-8"

// Write streams the file.
func (f Stream) Write(c *gin.Context) {
	c.Header("Content-Type", f.Type)
	c.Header("Content-Disposition", `attachment; filename="`+f.Name+`"`)
	c.Status(http.StatusOK)
	if err := f.Body(c.Writer); err != nil {
		_ = c.Error(err)
		slog.WarnContext(c.Request.Context(), "download cut short", "file", f.Name, "err", err)
	}
}

// File is a reply sent whole as a file download of its media type (a
// workbook, an archive made in memory).
type File struct {
	Name string
	Type string
	Body []byte
}

// Write sends the file.
func (f File) Write(c *gin.Context) {
	c.Header("Content-Disposition", `attachment; filename="`+f.Name+`"`)
	c.Data(http.StatusOK, f.Type, f.Body)
}

// Unready is a health check's answer when something it needs is down:
// its document, with 503, so a load balancer sends the replica no traffic.
type Unready struct{ Reply any }

// Write sends the document with 503 and when to ask again.
func (u Unready) Write(c *gin.Context) {
	c.Header("Retry-After", RetryAfterUnavailable)
	c.JSON(http.StatusServiceUnavailable, u.Reply)
}

// Created is the reply of a route that creates or updates (an upsert):
// written with 201 (and its Location) when the thing is new, and 200
// otherwise.
type Created struct {
	New   bool
	Reply any
}

// api is the one adapter of API routes: the handler returns, this writes
// the route row's Status with the reply as JSON (nothing for 204), or the
// error as problem+json. A 200 to a GET carries the reply's ETag and is a
// bodiless 304 when If-None-Match lists it; a 201 carries the Location of
// what it made (location.go).
func (k *Kernel) api(rt Route) gin.HandlerFunc {
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	loc, hasLoc := k.conv.locations[routeKey(rt)]
	return func(c *gin.Context) {
		v, err := rt.API(c)
		if err != nil {
			Fail(c, err)
			return
		}
		st := status
		if cr, ok := v.(Created); ok {
			st, v = http.StatusOK, cr.Reply
			if cr.New {
				st = http.StatusCreated
			}
		}
		if w, ok := v.(Writer); ok {
			w.Write(c)
			return
		}
		if v == nil || st == http.StatusNoContent {
			c.Status(st)
			return
		}
		enc, err := encode(v)
		if err != nil {
			Fail(c, err)
			return
		}
		if st == http.StatusCreated && hasLoc {
			if u, ok := loc.of(c, enc.body); ok {
				c.Header("Location", u)
			}
		}
		if c.Request.Method == http.MethodGet && st == http.StatusOK {
			c.Header("ETag", enc.etag)
			if inm := c.GetHeader("If-None-Match"); inm != "" && listed(inm, enc.etag, true) {
				c.Status(http.StatusNotModified)
				return
			}
		}
		c.Data(st, "application/json; charset=utf-8", enc.body)
	}
}
