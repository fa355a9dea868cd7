package request

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// checkInput refuses, for every route before anything else reads them, a
// path or query value that is not text: bytes that are not UTF-8, or a NUL.
// PostgreSQL refuses both in text, so without this one check each handler
// that passed such a value on (a search, a slug) answered 500. Form and JSON
// bodies are checked where they are decoded (plainForm, bindJSON).
func checkInput(c *gin.Context) {
	if name, ok := badInput(c); ok {
		refuseInput(c, name)
		return
	}
	c.Next()
}

// badInput names the first path parameter or query parameter, in a stable
// order, whose name or value is not text.
func badInput(c *gin.Context) (string, bool) {
	for _, p := range c.Params {
		if !isText(p.Value) {
			return p.Key, true
		}
	}
	q := c.Request.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !isText(k) {
			return url.QueryEscape(k), true
		}
		for _, v := range q[k] {
			if !isText(v) {
				return k, true
			}
		}
	}
	return "", false
}

// isText reports whether s can be stored in a PostgreSQL text column.
func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// refuseInput answers 400 naming the parameter: a field error for the API,
// a sentence for the pages.
func refuseInput(c *gin.Context, name string) {
	if pg, ok := asPage(c); ok {
		pageProblem(c, pg, http.StatusBadRequest, fmt.Sprintf(
			"This web address is not valid: its part %q holds something that is not text. Check the link and try again.", name))
		return
	}
	Fail(c, errs.Field(name, "is not text: it holds bytes that are not UTF-8 characters, or a NUL"))
}
