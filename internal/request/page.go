package request

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Every list of the API pages the same way: ?limit= (1 to MaxLimit,
// DefaultLimit when absent) and ?cursor= (next_cursor of the page before).
// A page that may have a next one says so twice: next_cursor in the body
// and a Link: <…>; rel="next" header (RFC 8288) with the next page's
// address, so a client can follow either.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Page is one page of a list and the cursor for the next.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// cursorJSON is a cursor's content for lists ordered by a key: clients see
// only its base64url form and must not build one.
type cursorJSON struct {
	Key string    `json:"k"`
	ID  uuid.UUID `json:"i"`
}

// Cursor encodes the position after (key, id): the bare id for lists
// ordered by id (the cursors this API always gave out), else an opaque
// base64url token carrying the key, so a page stays in place when rows
// before it change.
func Cursor(key string, id uuid.UUID) string {
	if key == "" {
		return id.String()
	}
	b, _ := json.Marshal(cursorJSON{Key: key, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseCursor reads what Cursor wrote.
func parseCursor(s string) (cursorJSON, bool) {
	if id, err := uuid.Parse(s); err == nil {
		return cursorJSON{ID: id}, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var cj cursorJSON
	if err != nil || json.Unmarshal(b, &cj) != nil || cj.ID == uuid.Nil && cj.Key == "" {
		return cursorJSON{}, false
	}
	return cj, true
}

// PageOf reads ?limit= and ?cursor= as the page they ask for.
func PageOf(c *gin.Context) (database.Page, error) {
	var fe errs.FieldErrors
	p := database.Page{Limit: DefaultLimit}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			fe.Add("limit", "must be a whole number from 1 to %d", MaxLimit)
		}
		p.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		cj, ok := parseCursor(s)
		if !ok {
			fe.Add("cursor", "is not a cursor this API gave out")
		}
		p.Key, p.After = cj.Key, cj.ID
	}
	return p, fe.Err()
}

// PageParams reads ?limit= and ?cursor= for a list ordered by id.
func PageParams(c *gin.Context) (uuid.UUID, int, error) {
	p, err := PageOf(c)
	return p.After, p.Limit, err
}

// NewPage builds a Page of a list ordered by id from a result that asked
// for limit items.
func NewPage[T any](items []T, limit int, idOf func(T) uuid.UUID) Page[T] {
	return NewPageAt(items, limit, func(v T) (string, uuid.UUID) { return "", idOf(v) })
}

// NewPageAt builds a Page from a result that asked for limit items; at
// says where an item sits in the list's order. A full page may have a
// next one.
func NewPageAt[T any](items []T, limit int, at func(T) (string, uuid.UUID)) Page[T] {
	if items == nil {
		items = []T{}
	}
	p := Page[T]{Items: items}
	if len(items) == limit && limit > 0 {
		p.NextCursor = Cursor(at(items[len(items)-1]))
	}
	return p
}

// Listed answers one page of a list ordered by id (?cursor=, ?limit=,
// read first); idOf is an item's id.
func Listed[T any](c *gin.Context, idOf func(T) uuid.UUID, list func(after uuid.UUID, limit int) ([]T, error)) (any, error) {
	return ListedAt(c, func(v T) (string, uuid.UUID) { return "", idOf(v) },
		func(p database.Page) ([]T, error) { return list(p.After, p.Limit) })
}

// ListedAt answers one page of a list in any keyset order: list loads the
// page asked for, at says where an item sits. The one place a list's
// Link header is set.
func ListedAt[T any](c *gin.Context, at func(T) (string, uuid.UUID), list func(database.Page) ([]T, error)) (any, error) {
	p, err := PageOf(c)
	if err != nil {
		return nil, err
	}
	out, err := list(p)
	if err != nil {
		return nil, err
	}
	pg := NewPageAt(out, p.Limit, at)
	if pg.NextCursor != "" {
		c.Header("Link", "<"+nextURL(c.Request.URL, pg.NextCursor, p.Limit)+`>; rel="next"`)
	}
	return pg, nil
}

// nextURL is the request's own address with the next page's cursor and
// the same limit, as a path-absolute reference (RFC 3986 §4.2).
func nextURL(u *url.URL, cursor string, limit int) string {
	q := u.Query()
	q.Set("cursor", cursor)
	q.Set("limit", strconv.Itoa(limit))
	return u.EscapedPath() + "?" + q.Encode()
}

// PagedScoped answers a page of fn's list, called with the caller's scope.
func PagedScoped[T any](at func(T) (string, uuid.UUID), fn func(context.Context, access.Scope, database.Page) ([]T, error)) Handler {
	return func(c *gin.Context) (any, error) {
		return ListedAt(c, at, func(p database.Page) ([]T, error) { return fn(c.Request.Context(), Scope(c), p) })
	}
}

// PagedByID answers a page of fn's list, called with the path id name.
func PagedByID[T any](name string, at func(T) (string, uuid.UUID), fn func(context.Context, access.Scope, uuid.UUID, database.Page) ([]T, error)) Handler {
	return withIDs([]string{name}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return ListedAt(c, at, func(p database.Page) ([]T, error) { return fn(c.Request.Context(), Scope(c), ids[0], p) })
	})
}

// ListedFrom answers a page of a list a service gives whole, in its own
// order: the items after the one the cursor names. It is for the few
// services outside the paged packages that do not take a page yet (they
// read their whole, small list, and this slices it); prefer a service that
// pages in SQL. A cursor whose item has gone is refused, as the page after
// it is unknown.
func ListedFrom[T any](c *gin.Context, at func(T) (string, uuid.UUID), all []T, err error) (any, error) {
	p, perr := PageOf(c)
	if err != nil || perr != nil {
		return nil, cmp.Or(err, perr)
	}
	from := 0
	if !p.First() {
		from = -1
		for i, v := range all {
			if k, id := at(v); k == p.Key && id == p.After {
				from = i + 1
			}
		}
		if from < 0 {
			return nil, errs.Field("cursor", "names an item that is no longer in the list: start again without it")
		}
	}
	return ListedAt(c, at, func(database.Page) ([]T, error) { return all[from:min(len(all), from+p.Limit)], nil })
}

// WholeScoped answers a page of the whole list fn gives for the caller's
// scope (see ListedFrom).
func WholeScoped[T any](at func(T) (string, uuid.UUID), fn func(context.Context, access.Scope) ([]T, error)) Handler {
	return func(c *gin.Context) (any, error) {
		all, err := fn(c.Request.Context(), Scope(c))
		return ListedFrom(c, at, all, err)
	}
}
