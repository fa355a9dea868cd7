package httpapi_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/pb33f/libopenapi"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/httpapi"
)

// redocly is the pinned Redocly CLI deploy/local/redocly.sh installs, or
// $LMS_REDOCLY; "" when neither is there.
func redocly(t *testing.T) string {
	if p := os.Getenv("LMS_REDOCLY"); p != "" {
		return p
	}
	p, err := filepath.Abs("../../.data/redocly/redocly")
	require.NoError(t, err)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Invariant: the served OpenAPI document passes Redocly's recommended
// rules (redocly.yaml) with no error. Without the linter the test fails:
// make test installs it.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	bin := redocly(t)
	if bin == "" {
		t.Fatal("Redocly CLI is missing: run deploy/local/redocly.sh (make test does)")
	}
	e := apptest.New(t)
	doc := e.Anonymous().Expect(200, "GET", "/api/v1/openapi.json", nil)
	file := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(file, doc.Body, 0o600))
	if out := os.Getenv("LMS_OPENAPI_OUT"); out != "" {
		// A copy to read or to feed a client generator.
		require.NoError(t, os.WriteFile(out, doc.Body, 0o600))
	}
	config, err := filepath.Abs("../../redocly.yaml")
	require.NoError(t, err)
	cmd := exec.Command(bin, "lint", "--config", config, "--format", "stylish", file)
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "redocly lint found errors:\n%s", out)
	t.Logf("redocly lint:\n%s", out)
}

// The OpenAPI document is a valid 3.1 document and lists exactly the
// router's API routes (pages are HTML and left out).
func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	r := e.Anonymous().Expect(200, "GET", "/api/v1/openapi.json", nil)
	doc, err := libopenapi.NewDocument(r.Body)
	require.NoError(t, err)
	require.Equal(t, "3.1.0", doc.GetVersion())
	model, err := doc.BuildV3Model()
	require.NoError(t, err)
	inDoc := map[string]bool{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			inDoc[strings.ToUpper(method)+" "+path] = true
		}
	}
	pages := map[string]bool{}
	for _, rt := range e.App.Kernel.Routes() {
		pages[rt.Method+" "+rt.Path] = rt.Page
	}
	inRouter := map[string]bool{}
	for _, rt := range e.App.Handler.(*gin.Engine).Routes() {
		if !pages[rt.Method+" "+rt.Path] {
			inRouter[rt.Method+" "+httpapi.OpenAPIPath(rt.Path)] = true
		}
	}
	require.Equal(t, inRouter, inDoc)
}
