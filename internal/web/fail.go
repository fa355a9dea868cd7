package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/httpapi"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// fail renders err as an error page with the status the API would give
// (httpapi.StatusOf, the one table). Handlers that show a form handle field
// errors themselves (formErrors).
func (s *Site) fail(c *gin.Context, err error) {
	err = httpapi.Classify(c, err)
	status, _ := httpapi.StatusOf(err)
	detail := ""
	switch status {
	case http.StatusBadRequest:
		detail = sentence(err, errs.ErrInvalid)
	case http.StatusForbidden:
		detail = sentence(err, errs.ErrForbidden)
	case http.StatusNotFound:
		detail = "There is nothing here, or it is not yours to see."
	case http.StatusConflict:
		detail = sentence(err, errs.ErrConflict)
	case http.StatusTooManyRequests:
		detail = sentence(err, errs.ErrLocked)
	case httpapi.StatusClientClosed:
		slog.InfoContext(c.Request.Context(), "client went away", "err", err)
	case http.StatusServiceUnavailable:
		slog.WarnContext(c.Request.Context(), "page failed: a dependency is unavailable", "err", err)
		c.Header("Retry-After", httpapi.RetryAfterUnavailable)
		detail = "Request id " + httpapi.RequestIDOf(c) + "."
	default:
		slog.ErrorContext(c.Request.Context(), "page failed", "err", err)
		detail = "Request id " + httpapi.RequestIDOf(c) + "."
	}
	s.Error(c, status, detail)
	c.Abort()
}

// sentence is err's message for a person: without the trailing sentinel
// (": conflict") the services wrap it in, which means nothing to them.
func sentence(err, sentinel error) string {
	return strings.TrimSuffix(err.Error(), ": "+sentinel.Error())
}

// conflict reports a clash with existing data (a duplicate, a state that
// forbids the change).
func conflict(err error) bool {
	return errors.Is(err, errs.ErrConflict) || errors.Is(err, gorm.ErrDuplicatedKey)
}

// formErrors turns field errors from a service into field → message for a
// form, or reports false when err is not about fields.
func formErrors(err error) (map[string]string, bool) {
	var fe errs.FieldErrors
	if !errors.As(err, &fe) {
		return nil, false
	}
	out := map[string]string{}
	for _, e := range fe {
		if _, dup := out[e.Field]; !dup {
			out[e.Field] = e.Message
		}
	}
	return out, true
}
