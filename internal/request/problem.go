package request

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Problem is an RFC 9457 problem document.
// The tags describe it in the OpenAPI document.
type Problem struct {
	Type      string            `json:"type" format:"uri-reference" example:"/problems/not-found" doc:"What kind of problem: a page under /problems explains it."`
	Title     string            `json:"title" example:"Not Found" doc:"The HTTP status's words."`
	Status    int               `json:"status" example:"404" doc:"The HTTP status."`
	Detail    string            `json:"detail,omitempty" example:"There is no such course." doc:"What went wrong this time, in plain words."`
	Instance  string            `json:"instance,omitempty" format:"uri-reference" example:"/api/v1/t/oakfield/courses/0b6f3f6e-1c1d-4f51-9a53-3f0c6f1c2a10" doc:"The path that was asked for."`
	RequestID string            `json:"request_id,omitempty" doc:"Quote it to support: the logs carry it."`
	Errors    []errs.FieldError `json:"errors,omitempty" doc:"Each field that is not valid (invalid-input)."`
}

// StatusClientClosed is what a request whose client went away is counted
// as (nginx's 499): not a server error, and nobody reads the answer.
const StatusClientClosed = 499

// RetryAfterUnavailable is the Retry-After (seconds) sent with a 503.
const RetryAfterUnavailable = "30"

// StatusOf is the one table from errors to HTTP statuses and problem kinds,
// for the API and the pages. Pass errors through Classify first.
func StatusOf(err error) (int, string) {
	switch {
	case errors.Is(err, errs.ErrClientClosed):
		return StatusClientClosed, "client-closed"
	case errors.Is(err, errs.ErrUnavailable):
		return http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, errs.ErrInvalid):
		return http.StatusBadRequest, "invalid-input"
	case errors.Is(err, errs.ErrUnprocessable):
		return http.StatusUnprocessableEntity, "unprocessable"
	case errors.Is(err, errs.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated"
	case errors.Is(err, errs.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, errs.ErrNotFound):
		return http.StatusNotFound, "not-found"
	case errors.Is(err, errs.ErrConflict), errors.Is(err, gorm.ErrDuplicatedKey):
		return http.StatusConflict, "conflict"
	case errors.Is(err, errs.ErrLocked):
		return http.StatusTooManyRequests, "locked"
	case errors.Is(err, errs.ErrBusy):
		return http.StatusTooManyRequests, "busy"
	}
	return http.StatusInternalServerError, "internal"
}

// Documented is an error whose problem document carries more than the
// usual members (a roster import's rejection lists every row's problem).
type Documented interface {
	Document(p Problem) any
}

// Fail writes err and stops the chain: problem+json for the API, the error
// page for pages. The status comes from StatusOf (the one table) and the
// detail from the error's public message (errs.Public); internal errors
// are logged with the request id and shown only as that id.
func Fail(c *gin.Context, err error) {
	err = Classify(c, err)
	status, kind := StatusOf(err)
	p := Problem{Type: "/problems/" + kind, Title: http.StatusText(status), Status: status, Instance: c.Request.URL.Path, RequestID: RequestID(c)}
	var fe errs.FieldErrors
	var wait interface{ RetryAfter() int }
	switch {
	case status == StatusClientClosed:
		// Nobody reads this answer; the log says why there was none.
		slog.InfoContext(c.Request.Context(), "client went away", "err", err)
		p.Detail = "The request was not finished: the connection closed before it was."
	case status == http.StatusServiceUnavailable:
		slog.WarnContext(c.Request.Context(), "request failed: a dependency is unavailable", "err", err)
		p.Detail = "The service is briefly unavailable. Try again in a minute."
		c.Header("Retry-After", RetryAfterUnavailable)
	case errors.As(err, &fe):
		p.Detail, p.Errors = "Some fields are not valid; see errors.", fe
	case errors.As(err, &wait):
		p.Detail = errs.Public(err)
		c.Header("Retry-After", strconv.Itoa(wait.RetryAfter()))
	case status == http.StatusUnauthorized:
		p.Detail = "Sign in first, or the username or password is wrong."
	case status == http.StatusInternalServerError:
		slog.ErrorContext(c.Request.Context(), "request failed", "err", err)
		p.Detail = "Something went wrong on our side. Quote the request id if you contact support."
	default:
		p.Detail = errs.Public(err)
		if p.Detail == "" {
			p.Detail = err.Error()
		}
	}
	if pg, ok := asPage(c); ok {
		detail := p.Detail
		if fe != nil {
			detail = strings.TrimPrefix(fe.Error(), errs.ErrInvalid.Error()+": ")
		}
		pageProblem(c, pg, status, pageDetail(c, status, detail))
		return
	}
	var body any = p
	var d Documented
	if errors.As(err, &d) {
		body = d.Document(p)
	}
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(status, body)
}

// pageDetail is what the error page says: plain words, never the API's
// wording for a machine.
func pageDetail(c *gin.Context, status int, detail string) string {
	switch {
	case status == http.StatusNotFound:
		return "There is nothing here, or it is not yours to see."
	case status >= 500:
		return "Request id " + RequestID(c) + "."
	}
	return detail
}

// problem writes a problem with a fixed status and detail.
func problem(c *gin.Context, status int, kind, detail string) {
	if pg, ok := asPage(c); ok {
		pageProblem(c, pg, status, detail)
		return
	}
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(status, Problem{Type: "/problems/" + kind, Title: http.StatusText(status), Status: status, Detail: detail, Instance: c.Request.URL.Path, RequestID: c.GetString(ctxRequestID)})
}

// ProblemType is one kind of problem the API answers with: its `type` URI
// is /problems/{Slug}, a page that says in plain words what it means.
type ProblemType struct {
	Slug    string
	Status  int
	Title   string
	Meaning string // what happened
	Action  string // what the caller can do
}

// ProblemTypes are every problem kind StatusOf, problem and the handlers
// answer with; GET /problems/{type} explains each and a test checks the
// code names no other.
func ProblemTypes() []ProblemType {
	return []ProblemType{
		{"invalid-input", 400, "Some input is not valid", "The request's body, query or path has a value the API cannot take; `errors` lists each field and what is wrong with it.", "Correct the fields named and send the request again."},
		{"roster-rejected", 400, "The roster upload was rejected", "A roster import (or a dry run) found rows it cannot take; nothing was imported. `import` carries every row's problem with its file, line and field.", "Fix the rows in the school's MIS or the CSV files and upload again."},
		{"unauthenticated", 401, "Sign in first", "The request carries no valid session or token, or the username or password is wrong.", "Sign in with POST /api/v1/auth/login, or send a live API token as a bearer token."},
		{"second-step", 401, "The second sign-in step is still owed", "The password was right but the account uses two-step sign-in and the code has not been given yet.", "Send the authenticator's current code (or a recovery code) to finish signing in."},
		{"forbidden", 403, "Not allowed", "The signed-in person's roles do not allow this action.", "Ask the school's admin for the role that allows it."},
		{"csrf", 403, "Missing or wrong anti-forgery token", "A write made with the session cookie did not carry the session's csrf_token in the X-CSRF-Token header (or a page form came from another site).", "Send the csrf_token that signing in returned as the X-CSRF-Token header."},
		{"contract-ended", 403, "The school's contract has ended", "The school's contract with the service is over; only taking the data back is still open.", "The school's admin can export the data; contact the service to renew."},
		{"not-found", 404, "Not found", "There is no such thing, or it belongs to another school: the API does not say which.", "Check the id and the tenant in the URL."},
		{"method-not-allowed", 405, "Method not allowed", "The URL exists but does not take this HTTP method.", "Use a method this document lists for the path."},
		{"conflict", 409, "Conflict with the current state", "The change clashes with what is already there (a name already taken, a state that no longer allows it).", "Read the thing again and decide what to send."},
		{"read-only", 409, "Read-only after the contract ended", "The school's contract ended, so its data can be read and exported but not changed.", "Export what you need; contact the service to renew."},
		{"precondition-failed", 412, "Changed since you read it", "The If-Match header named a version (ETag) that is no longer the current one: someone changed it after you read it.", "Read it again (GET gives the current ETag), decide whether your change still stands, and send it with the new ETag."},
		{"unprocessable", 422, "The request cannot be done", "The input is well formed but the rules of the school's data do not allow it.", "Read the detail, change the request and send it again."},
		{"locked", 429, "Too many attempts: locked for a while", "Too many wrong passwords for this account; it is locked for a short time.", "Wait for the Retry-After seconds, then try again."},
		{"busy", 429, "Too many sign-ins at once", "So many people are signing in at this moment that checking another password now would slow the service for everyone already in.", "Wait for the Retry-After seconds (a few), then try again."},
		{"rate-limited", 429, "Too many requests", "This address or credential sent more requests than its limit allows.", "Wait for the Retry-After seconds, then try again."},
		{"client-closed", StatusClientClosed, "The client went away", "The connection closed before the answer was finished; nobody reads this answer.", "Nothing: send the request again if it is still wanted."},
		{"internal", 500, "Something went wrong on our side", "The service failed in a way it did not expect; the failure is logged with the request id.", "Try again later; quote the request_id if you contact support."},
		{"unavailable", 503, "Briefly unavailable", "A service this request needs (the database or the file store) is not answering.", "Wait for the Retry-After seconds, then try again."},
	}
}
