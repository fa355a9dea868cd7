package web

import (
	"errors"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

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
			out[e.Field] = plainMessage(e.Message) // no field names in the words (words.go)
		}
	}
	return out, true
}
