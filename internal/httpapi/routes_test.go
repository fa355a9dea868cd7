package httpapi_test

import (
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/request"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Invariant 2: every route the router answers is in the route table, and
// every table row is either public or names an (object, action) that some
// role holds. A handler registered outside the table fails this test.
func TestEveryRouteIsAuthorizedOrPublic(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	engine := e.App.Handler.(*gin.Engine)
	table := map[string]request.Route{}
	for _, rt := range e.App.Kernel.Routes() {
		table[rt.Method+" "+rt.Path] = rt
	}
	perms := map[string]bool{}
	for _, p := range e.App.Authz.Permissions() {
		perms[p[1]+" "+p[2]] = true
	}
	require.NotEmpty(t, engine.Routes())
	for _, r := range engine.Routes() {
		rt, ok := table[r.Method+" "+r.Path]
		require.True(t, ok, "route %s %s is not in the route table", r.Method, r.Path)
		if rt.Public {
			require.Equal(t, request.AreaPublic, rt.Area, "%s %s: public routes live in the public area", r.Method, r.Path)
			continue
		}
		require.NotEmpty(t, rt.Object, "%s %s: needs an object or Public", r.Method, r.Path)
		require.Contains(t, []string{"read", "write"}, rt.Action, "%s %s", r.Method, r.Path)
		require.True(t, perms[rt.Object+" "+rt.Action], "%s %s: no role holds %s on %s", r.Method, r.Path, rt.Action, rt.Object)
		prefix := "/api/v1"
		if rt.Page {
			prefix = "" // pages: /t/:tenant/… and /platform…
		}
		switch rt.Area {
		case request.AreaTenant:
			require.True(t, strings.HasPrefix(r.Path, prefix+"/t/:tenant"), r.Path)
		case request.AreaPlatform:
			require.True(t, strings.HasPrefix(r.Path, prefix+"/platform"), r.Path)
		}
		if r.Method == "GET" {
			require.Equal(t, "read", rt.Action, "%s %s: GET must only read", r.Method, r.Path)
		}
	}
	require.Len(t, engine.Routes(), len(table), "every table row is registered exactly once")
}
