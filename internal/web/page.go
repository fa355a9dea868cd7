package web

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// page is what a page handler returns: a template to render with its view
// (status 200, or 400 for a form shown again with what was typed and its
// errors), or an address to go to after a form (303 See Other).
type page struct {
	status   int
	name     string
	view     view
	redirect string
	file     *file
}

// file is bytes sent instead of a page: a static file, a certificate.
type file struct {
	contentType string
	body        []byte
	attachment  string // the file name a download is saved as; "" shows it
	cache       string // Cache-Control, when not the default no-store
	// write streams the body instead (a zip of many files): once the
	// first bytes are sent a failure can only cut it short; it is logged.
	write func(w io.Writer) error
}

// show renders template name with v.
func show(name string, v view) page { return page{status: http.StatusOK, name: name, view: v} }

// again shows a form again with its errors (400), keeping what was typed.
func again(name string, v view) page { return page{status: http.StatusBadRequest, name: name, view: v} }

// goTo sends the browser to url, as after a form that worked.
func goTo(url string) page { return page{redirect: url} }

// send sends f instead of a page.
func send(f file) page { return page{file: &f} }

// pageHandler handles a page route: the page, or an error for the
// kernel's error page (one status table; the error's public message).
// An error wins over the page, so a handler may end with
// `return goTo(url), err`: go there, unless the last call failed.
type pageHandler func(c *gin.Context) (page, error)

// pathID reads an id from the path; a malformed one is simply not found.
func pathID(c *gin.Context, name string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param(name))
	return id, err == nil
}

// base is the start of this tenant's page addresses.
func base(c *gin.Context) string { return "/t/" + c.Param("tenant") }

// withID reads the path's id name and hands it to h, so that a handler of
// one object starts from its id. A malformed id is simply not found:
// missing is the sentence the error page shows ("" for the plain one).
func withID(name, missing string, h func(c *gin.Context, id uuid.UUID) (page, error)) pageHandler {
	return func(c *gin.Context) (page, error) {
		id, ok := pathID(c, name)
		switch {
		case ok:
			return h(c, id)
		case missing == "":
			return page{}, errs.ErrNotFound
		}
		return page{}, errs.New(errs.ErrNotFound, "%s", missing)
	}
}

// serve is the pages' one adapter, the sibling of the API's: the handler
// returns, serve writes.
func (s *Site) serve(h pageHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := h(c)
		switch {
		case err != nil:
			request.Fail(c, plainError(err))
		case p.redirect != "":
			c.Redirect(http.StatusSeeOther, p.redirect)
		case p.file != nil:
			if p.file.attachment != "" {
				c.Header("Content-Disposition", `attachment; filename="`+p.file.attachment+`"`)
			}
			if p.file.cache != "" {
				c.Header("Cache-Control", p.file.cache)
			}
			if p.file.write != nil {
				c.Header("Content-Type", p.file.contentType)
				c.Status(http.StatusOK)
				if err := p.file.write(c.Writer); err != nil {
					_ = c.Error(err)
					slog.WarnContext(c.Request.Context(), "download cut short", "file", p.file.attachment, "err", err)
				}
				return
			}
			c.Data(http.StatusOK, p.file.contentType, p.file.body)
		default:
			s.render(c, p.status, p.name, p.view)
		}
	}
}
