package web

import (
	"errors"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// fail renders err as the error page, as the kernel writes every error:
// one status table and the error's public message (request.Fail).
// Handlers that show a form handle field errors themselves (formErrors).
func (s *Site) fail(c *gin.Context, err error) { request.Fail(c, err) }

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
