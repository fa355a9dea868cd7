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
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
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
	var locked errs.LockedError
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
	case errors.As(err, &locked):
		p.Detail = errs.Public(err)
		c.Header("Retry-After", strconv.Itoa(locked.RetryAfterSeconds))
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
