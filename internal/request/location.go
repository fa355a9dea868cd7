package request

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// A 201 names what it made in its Location header: the path of the GET
// route that reads it. Nothing is written per route: the route table says
// it. A create POSTed to a collection is read at the collection's path
// with the id added (POST …/courses → GET …/courses/:course); one made
// under a parent is read at its own path under the parent's tenant or area
// (POST …/courses/:course/items → GET …/items/:item). The ids the GET path
// shares with the POST's are the POST's own; the new one is the reply's
// "id". Where no route reads one such thing alone (a section is read in
// its course's page), the Location is the list that holds it: the GET of
// the POST's own path (POST …/courses/:course/groups → GET
// …/courses/:course/groups). A test walks the table and fails on a 201
// route with neither.

// locator builds the Location of one create route's replies.
type locator struct {
	get  string   // the GET route's path pattern
	segs []string // its segments: a literal, or ":name" (from the POST's path, or the new id)
	new  string   // the param that takes the reply's id
}

// of is the Location of the reply body written by c's create, if the
// reply has a text or number "id".
func (l locator) of(c *gin.Context, body []byte) (string, bool) {
	id, ok := "", l.new == ""
	if !ok {
		id, ok = replyID(body)
	}
	if !ok {
		return "", false
	}
	out := make([]string, len(l.segs))
	for i, s := range l.segs {
		switch {
		case s == ":"+l.new:
			out[i] = url.PathEscape(id)
		case strings.HasPrefix(s, ":"):
			out[i] = url.PathEscape(c.Param(s[1:]))
		default:
			out[i] = s
		}
	}
	return strings.Join(out, "/"), true
}

// replyID is a reply's text or number "id".
func replyID(body []byte) (string, bool) {
	var r struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.ID) == 0 {
		return "", false
	}
	var id string
	if json.Unmarshal(r.ID, &id) != nil {
		var n json.Number
		if json.Unmarshal(r.ID, &n) != nil {
			return "", false
		}
		id = n.String()
	}
	return id, id != ""
}

// locators derives the locator of every API POST route that has a GET
// route reading what it makes.
func locators(routes []Route) map[string]locator {
	var gets []Route
	for _, rt := range routes {
		if rt.Method == http.MethodGet && rt.API != nil && !rt.Page {
			gets = append(gets, rt)
		}
	}
	out := map[string]locator{}
	for _, rt := range routes {
		if rt.Method != http.MethodPost || rt.API == nil || rt.Page {
			continue
		}
		if get, param, ok := readerOf(rt.Path, gets); ok {
			out[routeKey(rt)] = locator{get: get.Path, segs: strings.Split(get.Path, "/"), new: param}
			continue
		}
		for _, g := range gets {
			if g.Path == rt.Path { // the list that holds what it makes
				out[routeKey(rt)] = locator{get: g.Path, segs: strings.Split(g.Path, "/")}
			}
		}
	}
	return out
}

// readerOf finds the GET route that reads one thing a POST to path makes,
// and the name of its param that takes the new id: path/:id first, else
// the last segment's own route under the longest prefix of path.
func readerOf(path string, gets []Route) (Route, string, bool) {
	segs := strings.Split(path, "/")
	last := segs[len(segs)-1]
	if strings.HasPrefix(last, ":") {
		return Route{}, "", false
	}
	// want is the GET path before its last (new id) segment, in order of
	// preference.
	wants := []string{path}
	for i := len(segs) - 2; i >= 2; i-- {
		wants = append(wants, strings.Join(segs[:i], "/")+"/"+last)
	}
	for _, want := range wants {
		for _, g := range gets {
			param, ok := strings.CutPrefix(g.Path, want+"/:")
			if ok && param != "" && !strings.Contains(param, "/") && !hasParam(path, param) {
				return g, param, true
			}
		}
	}
	return Route{}, "", false
}

// hasParam reports whether the path pattern has the param name.
func hasParam(path, name string) bool {
	return strings.Contains(path+"/", "/:"+name+"/")
}

// routeKey names a route in the kernel's maps.
func routeKey(rt Route) string { return rt.Method + " " + rt.Path }
