package httpapi

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// rosterRoutes are OneRoster CSV imports and their log.
func (s *Server) rosterRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: tp + "/roster/imports",
			Summary: "Import OneRoster 1.2 CSV (multipart parts users.csv, roles.csv, classes.csv, enrollments.csv, or a zip in part \"file\"); all or nothing; ?dry_run=true only checks. 400/422 carry the rejected import with its row errors",
			Area:    request.AreaTenant, Upload: true, Object: "roster", Action: "write",
			Status: http.StatusCreated, Reply: roster.Import{}, API: s.importRoster},
		{Method: "GET", Path: tp + "/roster/imports",
			Summary: "The roster import log (paged; filter status=applied|rejected|dry_run|held|discarded); errors and warnings only on the single import",
			Area:    request.AreaTenant, Object: "roster", Action: "read", Reply: request.Page[roster.Import]{},
			API: s.listRosterImports},
		{Method: "GET", Path: tp + "/roster/imports/:import",
			Summary: "One roster import with its per-row errors and warnings (file, line, field, message)",
			Area:    request.AreaTenant, Object: "roster", Action: "read", Reply: roster.Import{},
			API: request.ByID("import", s.Roster.Get)},
		{Method: "POST", Path: tp + "/roster/imports/:import/confirm",
			Summary: "Apply an import held by the safety limit (status held: a bulk file that would end more than 10 % of a school's people); the same files are read again; 409 when it is no longer held, 422 with a new rejected import when the files no longer apply",
			Area:    request.AreaTenant, Object: "roster", Action: "write", Reply: roster.Import{},
			API: s.confirmRosterImport},
		{Method: "POST", Path: tp + "/roster/imports/:import/discard",
			Summary: "Discard an import held by the safety limit: nothing of it is applied, its files are cleared; 409 when it is no longer held",
			Area:    request.AreaTenant, Object: "roster", Action: "write", Status: http.StatusNoContent,
			API: request.DoByID("import", s.Roster.Discard)},
		{Method: "GET", Path: tp + "/roster/schools",
			Summary: "How roster files name the schools: the org id an export gave each (remembered), its DfE number and URN (matched against orgs.csv identifier)",
			Area:    request.AreaTenant, Object: "roster", Action: "read", Reply: request.Page[roster.School]{},
			API: request.WholeScoped(rosterSchoolAt, s.Roster.Schools)},
		{Method: "PUT", Path: tp + "/schools/:school/roster-codes",
			Summary: "Record a school's DfE number (330-2000) and URN for roster files (empty clears); forget_org_id drops the org id an earlier export gave it",
			Area:    request.AreaTenant, Object: "roster", Action: "write", Request: roster.SchoolCodes{}, Reply: roster.School{}, Status: http.StatusOK,
			API: request.ByIDFromBody("school", s.Roster.SetSchoolCodes)},
	}
}

func (s *Server) confirmRosterImport(c *gin.Context) (any, error) {
	id, err := uuid.Parse(c.Param("import"))
	if err != nil {
		return nil, errs.ErrNotFound
	}
	sc := request.Scope(c)
	rec, err := s.Roster.Confirm(c.Request.Context(), sc, id)
	if rej, ok := roster.AsRejected(err); ok {
		return nil, rejection(c, rej, err)
	}
	if err == nil {
		s.Authz.Invalidate(sc.Tenant())
	}
	return rec, err
}

// rejected is a roster rejection with its problem document, which lists
// every row's problem (request.Documented).
type rejected struct {
	error
	doc ImportProblem
}

// Unwrap gives the rejection's kind (its status) to the kernel's table.
func (r rejected) Unwrap() error { return r.error }

// Document is the rejection's problem document.
func (r rejected) Document(request.Problem) any { return r.doc }

// ImportProblem is a rejected roster upload: a problem document whose
// errors name the file (the form part) and whose import is the logged
// record with every problem by file, line and column. Status 400 when a
// file could not be read as OneRoster CSV at all, 422 when rows were bad.
type ImportProblem struct {
	request.Problem
	Import roster.Import `json:"import"`
}

func (s *Server) importRoster(c *gin.Context) (any, error) {
	dryRun := false
	switch v := c.Query("dry_run"); v {
	case "", "false", "0":
	case "true", "1":
		dryRun = true
	default:
		return nil, errs.Field("dry_run", "must be true or false")
	}
	files, err := readRosterParts(c)
	if err != nil {
		return nil, err
	}
	sc := request.Scope(c)
	rec, err := s.Roster.Import(c.Request.Context(), sc, files, dryRun)
	if rej, ok := roster.AsRejected(err); ok {
		return nil, rejection(c, rej, err)
	}
	if err == nil && rec.Status == roster.Applied {
		s.Authz.Invalidate(sc.Tenant()) // roles may have changed
	}
	return rec, err
}

// rejection is a rejected upload's problem document.
func rejection(c *gin.Context, rej *roster.RejectedError, err error) error {
	status := http.StatusUnprocessableEntity
	if rej.FileLevel {
		status = http.StatusBadRequest
	}
	p := ImportProblem{Problem: request.Problem{Type: "/problems/roster-rejected", Title: http.StatusText(status), Status: status,
		Detail:   fmt.Sprintf("The roster has %d problems; nothing was applied. Fix the rows listed in import.errors and upload again.", rej.Import.ErrorCount),
		Instance: c.Request.URL.Path, RequestID: request.RequestID(c)}, Import: rej.Import}
	for _, is := range rej.Import.Errors {
		field := is.File // the form part
		if field == "" {
			field = "body"
		}
		p.Errors = append(p.Errors, errs.FieldError{Field: field, Message: describeIssue(is)})
	}
	return rejected{err, p}
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
	return roster.ReadParts(mr)
}

func (s *Server) listRosterImports(c *gin.Context) (any, error) {
	return request.Listed(c, func(i roster.Import) uuid.UUID { return i.ID }, func(after uuid.UUID, limit int) ([]roster.Import, error) {
		return s.Roster.List(c.Request.Context(), request.Scope(c), c.Query("status"), after, limit)
	})
}
