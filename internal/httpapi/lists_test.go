package httpapi_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/request"
)

// unpaged are the API routes allowed to answer a list without paging, each
// with the reason. Keep it empty: a list that is small today grows.
var unpaged = map[string]string{}

// Every list the API answers is a request.Page (?cursor=, ?limit=, a Link
// to the next page). A reply counts as a list when it is a slice, an array
// or a map, or a struct that only wraps lists: at least one slice and no
// other field but paging's own (next_…, before, cursor, total). A struct
// with a list among fields of its own (a course with its sections, one
// learner's progress with its items) is one thing, not a list.
func TestEveryListIsPaged(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	for _, rt := range e.App.Kernel.Routes() {
		if rt.Page || rt.Reply == nil {
			continue
		}
		name := rt.Method + " " + rt.Path
		why, listed := unpaged[name]
		if isPage(reflect.TypeOf(rt.Reply)) || !isList(reflect.TypeOf(rt.Reply)) {
			assert.False(t, listed, "%s is paged or no list: take it off the allowlist", name)
			continue
		}
		if assert.True(t, listed, "%s answers a list without paging: make its Reply a request.Page", name) {
			assert.NotEmpty(t, why, "%s: say why it may answer an unpaged list", name)
		}
	}
}

// isPage reports whether t is a request.Page of something.
func isPage(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == reflect.TypeOf(request.Page[int]{}).PkgPath() &&
		strings.HasPrefix(t.Name(), "Page[")
}

// isList reports whether t is a list or a struct wrapping one.
func isList(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return t.Elem().Kind() != reflect.Uint8 // bytes are a value, not a list
	case reflect.Struct:
	default:
		return false
	}
	slices := 0
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch k := f.Type.Kind(); {
		case !f.IsExported() || name == "-":
		case k == reflect.Slice || k == reflect.Array:
			slices++
		case !paging(name):
			return false
		}
	}
	return slices > 0
}

// paging reports whether a JSON field name is a list's paging metadata.
func paging(name string) bool {
	return strings.HasPrefix(name, "next_") || strings.HasPrefix(name, "prev_") ||
		name == "before" || name == "cursor" || name == "total"
}
