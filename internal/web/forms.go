package web

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/request"
)

// posted reads a form's fields, trimmed of surrounding spaces.
func posted(c *gin.Context, fields ...string) map[string]string {
	form := map[string]string{}
	for _, f := range fields {
		form[f] = strings.TrimSpace(c.PostForm(f))
	}
	return form
}

// postedAsIs reads a form's fields as typed (prompts and options keep
// their spaces and line breaks).
func postedAsIs(c *gin.Context, fields ...string) map[string]string {
	form := map[string]string{}
	for _, f := range fields {
		form[f] = c.PostForm(f)
	}
	return form
}

// pager links a list to its next page.
type pager struct {
	Next string // address of the next page, or ""
}

func nextPage(c *gin.Context, cursor string) pager {
	if cursor == "" {
		return pager{}
	}
	q := c.Request.URL.Query()
	q.Set("cursor", cursor)
	return pager{Next: c.Request.URL.Path + "?" + q.Encode()}
}

// listPage loads one page of a list from ?cursor= and ?limit= (a bad one
// is 400 naming it), with the pager to the next page when it is full.
func listPage[T any](c *gin.Context, load func(after uuid.UUID, limit int) ([]T, error), idOf func(T) uuid.UUID) ([]T, pager, error) {
	after, limit, err := request.PageParams(c)
	if err != nil {
		return nil, pager{}, err
	}
	items, err := load(after, limit)
	if err != nil {
		return nil, pager{}, err
	}
	return items, nextPage(c, request.NewPage(items, limit, idOf).NextCursor), nil
}

// renameFields maps a service's field names (options[2].text,
// answer.value) onto a form's (options, value): the longest prefix that
// names a form field wins (questions[0].options before questions[0]).
func renameFields(m map[string]string, names map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		to, best := k, -1
		for from, field := range names {
			if strings.HasPrefix(k, from) && len(from) > best {
				to, best = field, len(from)
			}
		}
		if _, dup := out[to]; !dup {
			out[to] = v
		}
	}
	return out
}

// formOutcome sorts a service's answer to a form: field errors, renamed
// onto the form's fields, come back to be shown beside them; any other
// error comes back as it is, for the handler to return.
func formOutcome(err error, names map[string]string) (map[string]string, error) {
	if m, ok := formErrors(err); ok {
		return renameFields(m, names), nil
	}
	return nil, err
}

// lines splits a textarea into its non-blank lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ticked is the set of the boxes ticked in a list of checkboxes, for
// showing the form again.
func ticked(values []string) map[string]bool {
	set := map[string]bool{}
	for _, v := range values {
		set[v] = true
	}
	return set
}

// dateTimeLocal is the value format of an <input type="datetime-local">,
// read and written in the viewer's zone (localTime).
const dateTimeLocal = localtime.InputLayout
