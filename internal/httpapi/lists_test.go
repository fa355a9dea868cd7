package httpapi_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// A list walks page by page by its Link header as well as by next_cursor,
// with the same limit; its cursor is opaque when the list is ordered by a
// key (consents: by purpose); the last page has neither; a bad limit or
// cursor is a field error.
func TestListPagesByLink(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	base := "/api/v1/t/" + e.A.Slug + "/my/consents"
	type page struct {
		Items []struct {
			Purpose struct{ Key string } `json:"purpose"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	var all page
	r := admin.Expect(200, "GET", base+"?limit=200", nil)
	r.Decode(&all)
	require.Greater(t, len(all.Items), 1)
	require.Empty(t, all.NextCursor)
	require.Empty(t, r.Header.Get("Link"))

	link := regexp.MustCompile(`^<([^>]+)>; rel="next"$`)
	var keys []string
	for next := base + "?limit=1"; next != ""; {
		r := admin.Expect(200, "GET", next, nil)
		var p page
		r.Decode(&p)
		require.LessOrEqual(t, len(p.Items), 1)
		for _, it := range p.Items {
			keys = append(keys, it.Purpose.Key)
		}
		next = ""
		if m := link.FindStringSubmatch(r.Header.Get("Link")); m != nil {
			require.NotEmpty(t, p.NextCursor)
			require.Contains(t, m[1], "cursor="+p.NextCursor)
			require.Contains(t, m[1], "limit=1")
			_, err := uuid.Parse(p.NextCursor)
			require.Error(t, err, "a list ordered by a key gives an opaque cursor, not an id")
			next = m[1]
		}
	}
	var want []string
	for _, it := range all.Items {
		want = append(want, it.Purpose.Key)
	}
	require.Equal(t, want, keys)

	for q, field := range map[string]string{"?limit=0": "limit", "?limit=201": "limit", "?cursor=nope": "cursor"} {
		require.Contains(t, admin.Expect(400, "GET", base+q, nil).Text(), `"`+field+`"`, q)
	}
}

// itemsOf decodes the items of a page.
func itemsOf[T any](r *apptest.Response) []T {
	var p struct {
		Items []T `json:"items"`
	}
	r.Decode(&p)
	return p.Items
}
