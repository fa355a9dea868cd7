package database

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Page asks for one page of a list in keyset order: at most Limit items
// that come after the item at (Key, After) in the list's order. Lists
// ordered by id alone leave Key empty. A list asks the database for the
// page itself (WHERE (key, id) > (…) ORDER BY key, id LIMIT n), so a page
// costs the same however deep it is and stays right while rows are added.
type Page struct {
	Key   string    // the sort key of the last item already seen, as text
	After uuid.UUID // the id of the last item already seen; uuid.Nil: the first page
	Limit int       // at most this many; 0: every item (pages and exports that show all)
}

// First reports whether p asks for the first page.
func (p Page) First() bool { return p.After == uuid.Nil && p.Key == "" }

// Keyset orders a list by a sort key then its id, ascending or descending.
// Key is a SQL expression of the row (empty: the id alone), Cast the SQL
// type the key's text is read as (text, date, timestamptz, int…), ID the
// id column.
type Keyset struct {
	Key  string
	Cast string
	ID   string
	Desc bool
}

// ByID orders by the id column alone (UUIDv7: creation order).
func ByID(col string) Keyset { return Keyset{ID: col} }

// Apply narrows q to page p in k's order.
func (k Keyset) Apply(q *gorm.DB, p Page) *gorm.DB {
	cmp, dir := ">", ""
	if k.Desc {
		cmp, dir = "<", " DESC"
	}
	switch {
	case k.Key == "" && !p.First():
		q = q.Where(k.ID+" "+cmp+" ?", p.After)
	case !p.First():
		q = q.Where("("+k.Key+", "+k.ID+") "+cmp+" (CAST(? AS "+k.Cast+"), ?)", p.Key, p.After)
	}
	if k.Key != "" {
		q = q.Order(k.Key + dir)
	}
	q = q.Order(k.ID + dir)
	if p.Limit > 0 {
		q = q.Limit(p.Limit)
	}
	return q
}

// Cond is k's condition for page p in a raw query with named parameters
// (TRUE on the first page); Args supplies them.
func (k Keyset) Cond(p Page) string {
	cmp := ">"
	if k.Desc {
		cmp = "<"
	}
	switch {
	case p.First():
		return "TRUE"
	case k.Key == "":
		return k.ID + " " + cmp + " @page_after"
	}
	return "(" + k.Key + ", " + k.ID + ") " + cmp + " (CAST(@page_key AS " + k.Cast + "), @page_after)"
}

// Tail is k's ORDER BY … and, when p has a limit, LIMIT … for a raw query.
func (k Keyset) Tail(p Page) string {
	dir := ""
	if k.Desc {
		dir = " DESC"
	}
	s := " ORDER BY " + k.ID + dir
	if k.Key != "" {
		s = " ORDER BY " + k.Key + dir + ", " + k.ID + dir
	}
	if p.Limit > 0 {
		s += " LIMIT @page_limit"
	}
	return s
}

// Args adds p's named parameters (page_key, page_after, page_limit) to m.
func (p Page) Args(m map[string]any) map[string]any {
	m["page_key"], m["page_after"], m["page_limit"] = p.Key, p.After, p.Limit
	return m
}

// TimeKey is a timestamp sort key as text: exact to the microsecond
// PostgreSQL keeps, and read back with Cast "timestamptz".
func TimeKey(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
