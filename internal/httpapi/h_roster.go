package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// rosterRoutes are OneRoster CSV imports and their log.
func (s *Server) rosterRoutes() []Route {
	return []Route{
		{Method: "POST", Path: tp + "/roster/imports", Summary: "Import OneRoster 1.2 CSV (multipart parts users.csv, roles.csv, classes.csv, enrollments.csv, or a zip in part \"file\"); all or nothing; ?dry_run=true only checks. 400/422 carry the rejected import with its row errors", Area: AreaTenant, Object: "roster", Action: "write", Status: http.StatusCreated, Upload: true, Reply: roster.Import{}, Handler: s.importRoster},
		{Method: "GET", Path: tp + "/roster/imports", Summary: "The roster import log (paged; filter status=applied|rejected|dry_run); errors and warnings only on the single import", Area: AreaTenant, Object: "roster", Action: "read", Reply: Page[roster.Import]{}, Handler: s.listRosterImports},
		{Method: "GET", Path: tp + "/roster/imports/:import", Summary: "One roster import with its per-row errors and warnings (file, line, field, message)", Area: AreaTenant, Object: "roster", Action: "read", Reply: roster.Import{}, Handler: s.getRosterImport},
	}
}

// ImportProblem is a rejected roster upload: a problem document whose
// errors name the file (the form part) and whose import is the logged
// record with every problem by file, line and column. Status 400 when a
// file could not be read as OneRoster CSV at all, 422 when rows were bad.
type ImportProblem struct {
	Problem
	Import roster.Import `json:"import"`
}

func (s *Server) importRoster(c *gin.Context) {
	dryRun := false
	switch v := c.Query("dry_run"); v {
	case "", "false", "0":
	case "true", "1":
		dryRun = true
	default:
		fail(c, errs.Field("dry_run", "must be true or false"))
		return
	}
	files, err := readRosterParts(c)
	if err != nil {
		fail(c, err)
		return
	}
	sc := scope(c)
	rec, err := s.Roster.Import(c.Request.Context(), sc, files, dryRun)
	if rej, ok := roster.AsRejected(err); ok {
		status := http.StatusUnprocessableEntity
		if rej.FileLevel {
			status = http.StatusBadRequest
		}
		p := ImportProblem{Problem: Problem{Type: "/problems/roster-rejected", Title: http.StatusText(status), Status: status,
			Detail:   fmt.Sprintf("The roster has %d problems; nothing was applied. Fix the rows listed in import.errors and upload again.", rej.Import.ErrorCount),
			Instance: c.Request.URL.Path, RequestID: c.GetString(ctxRequestID)}, Import: rej.Import}
		for _, is := range rej.Import.Errors {
			field := is.File // the form part
			if field == "" {
				field = "body"
			}
			p.Errors = append(p.Errors, errs.FieldError{Field: field, Message: describeIssue(is)})
		}
		c.Header("Content-Type", "application/problem+json")
		c.AbortWithStatusJSON(status, p)
		return
	}
	if err == nil && rec.Status == roster.Applied {
		s.Authz.Invalidate(sc.Tenant()) // roles may have changed
	}
	reply(c, http.StatusCreated, rec, err)
}

func describeIssue(is roster.Issue) string {
	var where []string
	if is.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", is.Line))
	}
	if is.Field != "" {
		where = append(where, "column "+is.Field)
	}
	if len(where) == 0 {
		return is.Message
	}
	return strings.Join(where, ", ") + ": " + is.Message
}

// readRosterParts reads the upload's CSV files: parts named for a OneRoster
// file, parts "file"/"files" whose file name is one (a browser's multiple
// file input), or a zip in part "file". Other parts are ignored. The whole
// body is capped; the files are small enough to hold in memory.
func readRosterParts(c *gin.Context) (map[string][]byte, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, errs.Field("body", "send multipart/form-data with parts named users.csv, roles.csv, classes.csv, enrollments.csv, or a zip in a part named \"file\"")
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, roster.MaxUploadBytes)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, errs.Field("body", "is not a valid multipart body")
	}
	return RosterParts(mr)
}

// RosterParts reads a roster upload's parts: the OneRoster files by part
// or file name, or one zip in part "file". Files are read whole (the
// importer checks every row before writing), so the total is capped at
// roster.MaxUploadBytes.
func RosterParts(mr *multipart.Reader) (map[string][]byte, error) {
	files := map[string][]byte{}
	var total int64
	add := func(name string, b []byte) error {
		if _, dup := files[name]; dup {
			return errs.Field(name, "is in the upload twice")
		}
		files[name] = b
		return nil
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bodyError(err)
		}
		form, fname := part.FormName(), path.Base(part.FileName())
		name := ""
		switch {
		case roster.Known(form):
			name = form
		case (form == "file" || form == "files") && roster.Known(fname):
			name = fname
		case form == "file" && strings.HasSuffix(strings.ToLower(fname), ".zip"):
			name = "zip"
		default:
			_ = part.Close()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, roster.MaxUploadBytes-total+1))
		_ = part.Close()
		if err != nil {
			return nil, bodyError(err)
		}
		if total += int64(len(b)); total > roster.MaxUploadBytes {
			return nil, errs.Field("body", "is larger than %d MiB", roster.MaxUploadBytes>>20)
		}
		if name != "zip" {
			if err := add(name, b); err != nil {
				return nil, err
			}
			continue
		}
		inner, err := roster.Unzip("file", b)
		if err != nil {
			return nil, err
		}
		for n, v := range inner {
			if err := add(n, v); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errs.Field("body", "is larger than %d MiB", roster.MaxUploadBytes>>20)
	}
	return errs.Field("body", "is not a valid multipart body")
}

func (s *Server) listRosterImports(c *gin.Context) {
	after, limit, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Roster.List(c.Request.Context(), scope(c), c.Query("status"), after, limit)
	reply(c, http.StatusOK, page(out, limit, func(i roster.Import) uuid.UUID { return i.ID }), err)
}

func (s *Server) getRosterImport(c *gin.Context) {
	id, err := pathID(c, "import")
	if err != nil {
		fail(c, err)
		return
	}
	rec, err := s.Roster.Get(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, rec, err)
}
