package request_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// thing is what the test kernel's routes keep: enough to create, read and
// change over HTTP without any domain service, so the tests see the
// kernel's conventions alone.
type thing struct {
	ID    uuid.UUID `json:"id"`
	Title string    `json:"title"`
}

// thingIn is a create's or a change's body; Slow makes the handler take a
// while (to race two requests), Fail makes it fail.
type thingIn struct {
	Title string `json:"title"`
	Slow  bool   `json:"slow"`
	Fail  bool   `json:"fail"`
}

// things keeps things by tenant and counts creates.
type things struct {
	mu      sync.Mutex
	byID    map[uuid.UUID]thing
	tenant  map[uuid.UUID]uuid.UUID
	creates int
}

func (s *things) run(in thingIn, fn func()) error {
	if in.Slow {
		time.Sleep(400 * time.Millisecond)
	}
	if in.Fail {
		return errs.New(errs.ErrConflict, "Asked to fail.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
	return nil
}

func (s *things) get(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "thing")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.byID[id]; ok && s.tenant[id] == request.Tenant(c) {
		return t, nil
	}
	return nil, errs.New(errs.ErrNotFound, "No such thing.")
}

func (s *things) create(c *gin.Context) (any, error) {
	var in thingIn
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	t := thing{ID: uuid.New(), Title: in.Title}
	return t, s.run(in, func() { s.byID[t.ID], s.tenant[t.ID] = t, request.Tenant(c); s.creates++ })
}

func (s *things) update(c *gin.Context) (any, error) {
	v, err := s.get(c)
	if err != nil {
		return nil, err
	}
	var in thingIn
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	t := v.(thing)
	t.Title = in.Title
	return t, s.run(in, func() { s.byID[t.ID] = t })
}

func (s *things) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates
}

const base = "/api/v1/t/:tenant"

// table is the test kernel's route table: things, their parts (made under
// a thing, read at their own path), and an update with no GET of its path.
func (s *things) table() []request.Route {
	row := func(method, path string, status int, h request.Handler) request.Route {
		action := "write"
		if method == http.MethodGet {
			action = "read"
		}
		return request.Route{Method: method, Path: base + path, Summary: "test", Area: request.AreaTenant,
			Object: "course", Action: action, Status: status, Reply: thing{}, API: h}
	}
	part := func(c *gin.Context) (any, error) { return thing{ID: uuid.New(), Title: "part"}, nil }
	return []request.Route{
		row("POST", "/things", http.StatusCreated, s.create),
		row("GET", "/things/:thing", 0, s.get),
		row("PATCH", "/things/:thing", 0, s.update),
		row("PUT", "/things/:thing/tags/:tag", http.StatusNoContent, func(*gin.Context) (any, error) { return nil, nil }),
		row("POST", "/things/:thing/parts", http.StatusCreated, part),
		row("GET", "/parts/:part", 0, part),
		{Method: "POST", Path: "/api/v1/me/notes", Summary: "test", Area: request.AreaSelf, Object: "self",
			Action: "write", Status: http.StatusCreated, Reply: thing{}, API: part},
	}
}

type testBundle struct {
	e      *apptest.Env
	things *things
	// a and b are bearer clients of tenant A's and B's admins on the
	// test kernel; aCookie is A's admin signed in by cookie there.
	a, b, aCookie *apptest.Client
	pathA, pathB  string // /api/v1/t/<slug>
}

// setup runs a second kernel over the platform's real services and
// database, with the test table, and signs both tenants' admins in.
func setup(t *testing.T, tweak ...func(*config.Config)) *testBundle {
	t.Helper()
	e := apptest.New(t, tweak...)
	deps := e.App.Kernel.Deps
	deps.Registry = nil // its own metrics
	s := &things{byID: map[uuid.UUID]thing{}, tenant: map[uuid.UUID]uuid.UUID{}}
	srv := httptest.NewServer(request.New(deps, nil).Engine(s.table()))
	t.Cleanup(srv.Close)
	bearer := func(slug, user string) *apptest.Client {
		r := e.Login(slug, user, apptest.AdminPassword).Expect(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": "test"})
		c := e.Anonymous()
		c.Bearer = r.JSON()["secret"].(string)
		return apptest.OnServer(c, srv.URL)
	}
	return &testBundle{e: e, things: s, a: bearer(e.A.Slug, e.A.AdminUser), b: bearer(e.B.Slug, e.B.AdminUser),
		aCookie: apptest.OnServer(e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword), srv.URL),
		pathA:   "/api/v1/t/" + e.A.Slug, pathB: "/api/v1/t/" + e.B.Slug}
}

// do sends a request with headers and fails unless it answers want.
func do(t *testing.T, c *apptest.Client, want int, method, path string, body any, hdr map[string]string) *apptest.Response {
	t.Helper()
	r := c.DoWith(method, path, body, hdr)
	require.Equal(t, want, r.Status, "%s %s: %s", method, path, r.Text())
	return r
}

func TestMain(m *testing.M) { dbtest.Main(m) }
