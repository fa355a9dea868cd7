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

// fail renders err as an error page with the status the API would give.
// Handlers that show a form handle field errors themselves (formErrors).
func (s *Site) fail(c *gin.Context, err error) {
	status := http.StatusInternalServerError
	detail := ""
	switch {
	case errors.Is(err, errs.ErrInvalid):
		status, detail = http.StatusBadRequest, sentence(err, errs.ErrInvalid)
	case errors.Is(err, errs.ErrForbidden):
		status, detail = http.StatusForbidden, sentence(err, errs.ErrForbidden)
	case errors.Is(err, errs.ErrNotFound):
		status, detail = http.StatusNotFound, "There is nothing here, or it is not yours to see."
	case errors.Is(err, errs.ErrConflict), errors.Is(err, gorm.ErrDuplicatedKey):
		status, detail = http.StatusConflict, sentence(err, errs.ErrConflict)
	case errors.Is(err, errs.ErrLocked):
		status, detail = http.StatusTooManyRequests, sentence(err, errs.ErrLocked)
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
