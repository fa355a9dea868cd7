package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/request"
)

// badValues are path and query values that are not text: PostgreSQL
// refuses both in a text column.
var badValues = []string{"%FF%FE", "%00", "a%C0%AF"}

// badQueries are whole query strings, each with one parameter that is not
// text (by value or by name), and the parameter a 400 must name.
var badQueries = []struct{ query, name string }{
	{"q=%FF%FE", "q"},
	{"q=%00", "q"},
	{"q=ok&limit=10&cursor=%FF", "cursor"},
	{"%FF=1", "%FF"},
	{"dry_run=%FE", "dry_run"},
	{"role=%00&status=%FF&kind=%FF&from=%FF&to=%FF&next=%FF&school=%FF", "from"},
}

// badJSON are bodies a JSON route must refuse with 400 before it acts.
var badJSON = []string{
	`{`,
	`{"title":`,
	`[1,2`,
	"{\"title\":\"\xff\xfe\",\"name\":\"\xff\"}",
	`{"title":"a\u0000b","name":"a\u0000b","body":"a\u0000b"}`,
	`{"title":"x"} trailing`,
}

// badForms are urlencoded page forms whose values are not text.
var badForms = []string{"title=%FF%FE&name=%FF&body=%FF", "title=a%00b&name=a%00b&body=a%00b&display_name=a%00b"}

// cutUploads are the files sent, cut short, to every upload route, in the
// part names the upload routes read.
var cutUploads = []struct {
	field, name string
	content     []byte
}{
	{"file", "notes.pdf", pdfBytes},
	{"files", "notes.pdf", pdfBytes},
	{"photo", "me.png", pngBytes},
	{"file", "users.csv", []byte("sourcedId,username\n1,x\n")},
}

// truncatedMultipart is a multipart body whose last part, a file in
// form field field, ends without the closing boundary.
func truncatedMultipart(field, name string, content []byte) (string, []byte) {
	const b = "cut-short-boundary"
	var buf bytes.Buffer
	buf.WriteString("--" + b + "\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nsome text\r\n")
	buf.WriteString("--" + b + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + name + "\"\r\n")
	buf.WriteString("Content-Type: application/octet-stream\r\n\r\n")
	buf.Write(content)
	return "multipart/form-data; boundary=" + b, buf.Bytes()
}

// badInputEnv is a seeded platform with signed-in callers and an id of
// tenant A's for each route parameter the isolation fixtures know.
type badInputEnv struct {
	e                 *apptest.Env
	admin, op, sup    *apptest.Client
	ids               map[string]string
	checked, answered int
	serverErrors      []string // "METHOD path (what): status"
}

func setupBadInput(t *testing.T) *badInputEnv {
	// Every bad request to a sign-in route counts against the throttle.
	e := apptest.New(t, func(c *config.Config) { c.LoginRatePerMinute = 100_000 })
	b := &badInputEnv{e: e, admin: e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword),
		op: e.StaffLogin(e.Operator, apptest.OperatorPassword), sup: e.StaffLogin(e.Support, apptest.SupportPassword)}
	r := b.admin.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "pupil", "display_name": "Pupil A", "password": "pupil-password-1"})
	require.Equal(t, 201, r.Status, r.Text())
	person := r.JSON()["id"].(string)
	r = b.admin.Do("POST", "/api/v1/t/tenant-a/people/"+person+"/roles", map[string]any{"role": "learner"})
	require.Equal(t, 201, r.Status, r.Text())
	role := r.JSON()["id"].(string)
	e.Login(e.A.Slug, "pupil", "pupil-password-1")
	r = b.admin.Do("GET", "/api/v1/t/tenant-a/people/"+person+"/credentials", nil)
	creds := itemsOf[map[string]any](r)
	require.NotEmpty(t, creds)
	b.ids = map[string]string{"id": person, "role": role, "cred": creds[0]["id"].(string)}
	for _, f := range orderedFixtures() {
		f.make(t, e, b.admin, b.ids, map[string]any{})
	}
	return b
}

// callers are who sends requests to rt: signed in where the route needs
// it, so the handler is reached rather than a 401; staff for platform
// routes (operator and support, who may do different things).
func (b *badInputEnv) callers(rt request.Route) []*apptest.Client {
	switch {
	case rt.Public:
		return []*apptest.Client{b.e.Anonymous()}
	case strings.HasSuffix(rt.Path, "/logout") || strings.HasSuffix(rt.Path, "/signout"):
		return []*apptest.Client{b.e.Login(b.e.A.Slug, b.e.A.AdminUser, apptest.AdminPassword)}
	case rt.Area == request.AreaPlatform:
		return []*apptest.Client{b.op, b.sup}
	case rt.Area == request.AreaSelf:
		return []*apptest.Client{b.admin, b.op}
	}
	return []*apptest.Client{b.admin}
}

// fill puts a valid-looking value of tenant A in every parameter of path,
// and bad (already escaped) in the one named only.
func (b *badInputEnv) fill(rt request.Route, only, bad string) string {
	return routeParam.ReplaceAllStringFunc(rt.Path, func(p string) string {
		switch {
		case p == only:
			return bad
		case p == ":tenant":
			return b.e.A.Slug
		case p == ":id" && rt.Area == request.AreaPlatform:
			return b.e.A.ID.String()
		}
		if id, ok := b.ids[p[1:]]; ok {
			return url.PathEscape(id)
		}
		return uuid.NewString()
	})
}

// send sends one bad request and notes a 5xx (all are listed at the end).
func (b *badInputEnv) send(t *testing.T, c *apptest.Client, rt request.Route, path string, body any, hdr map[string]string, what string) *apptest.Response {
	t.Helper()
	r := c.DoWith(rt.Method, path, body, hdr)
	b.answered++
	if r.Status >= 500 {
		b.serverErrors = append(b.serverErrors, fmt.Sprintf("%s %s (%s): %d", rt.Method, path, what, r.Status))
	}
	return r
}

// refused checks a 400 that names the parameter: a field error in a
// problem document for the API, the error page for pages.
func (b *badInputEnv) refused(t *testing.T, rt request.Route, r *apptest.Response, name, what string) {
	t.Helper()
	if r.Status >= 500 {
		return // listed at the end
	}
	require.Equal(t, 400, r.Status, "%s %s (%s): %s", rt.Method, rt.Path, what, r.Text())
	b.checked++
	if rt.Page {
		require.Contains(t, r.Header.Get("Content-Type"), "text/html", what)
		require.Contains(t, r.Text(), name, what)
		return
	}
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), what)
	var p struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &p))
	require.NotEmpty(t, p.Errors, "%s %s (%s): %s", rt.Method, rt.Path, what, r.Text())
	require.Equal(t, name, p.Errors[0].Field, "%s %s (%s)", rt.Method, rt.Path, what)
}

// Invariant (bad input is a 4xx, by construction): every route in the
// table, API and pages, answers a path or query value that is not text
// with 400 naming it, malformed JSON and forms with 400, and a multipart
// upload cut short with a 4xx: never a 5xx.
func TestBadInputIsNeverAServerError(t *testing.T) {
	t.Parallel()
	b := setupBadInput(t)
	routes := b.e.App.Kernel.Routes()
	require.Greater(t, len(routes), 100)
	noServerErrors := func(t *testing.T) {
		require.Empty(t, b.serverErrors, "bad input answered with a server error:\n%s", strings.Join(b.serverErrors, "\n"))
	}

	t.Run("path and query values", func(t *testing.T) {
		for _, rt := range routes {
			for _, c := range b.callers(rt) {
				for _, p := range routeParam.FindAllString(rt.Path, -1) {
					for _, v := range badValues {
						what := "path " + p + "=" + v
						b.refused(t, rt, b.send(t, c, rt, b.fill(rt, p, v), nil, nil, what), p[1:], what)
					}
				}
				for _, q := range badQueries {
					what := "query " + q.query
					b.refused(t, rt, b.send(t, c, rt, b.fill(rt, "", "")+"?"+q.query, nil, nil, what), q.name, what)
				}
			}
		}
		noServerErrors(t)
	})

	// After the walk above, which changed nothing: bodies reach the
	// handlers, which must refuse them before they act.
	t.Run("bodies", func(t *testing.T) {
		for _, rt := range routes {
			for _, c := range b.callers(rt) {
				path := b.fill(rt, "", "")
				switch {
				case rt.Upload:
					for _, f := range cutUploads {
						ct, body := truncatedMultipart(f.field, f.name, f.content)
						r := b.send(t, c, rt, path, bytes.NewReader(body), map[string]string{"Content-Type": ct}, "multipart cut short, part "+f.field)
						require.GreaterOrEqual(t, r.Status, 400, "%s %s: a cut-short upload was accepted", rt.Method, rt.Path)
					}
				case rt.Page && rt.Method == "POST":
					for _, form := range badForms {
						r := b.send(t, c, rt, path, strings.NewReader(form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "form "+form)
						require.GreaterOrEqual(t, r.Status, 400, "%s %s form %s: %s", rt.Method, rt.Path, form, r.Text())
					}
				case rt.Request != nil:
					for _, body := range badJSON {
						r := b.send(t, c, rt, path, body, nil, "JSON "+body)
						require.GreaterOrEqual(t, r.Status, 400, "%s %s JSON %q: %s", rt.Method, rt.Path, body, r.Text())
					}
					r := b.send(t, c, rt, path, strings.NewReader(`{}`), map[string]string{"Content-Type": "text/plain"}, "not JSON")
					require.GreaterOrEqual(t, r.Status, 400, "%s %s: text/plain accepted", rt.Method, rt.Path)
				}
			}
		}
		noServerErrors(t)
	})
	t.Logf("%d routes, %d bad requests, %d refusals checked", len(routes), b.answered, b.checked)
}
