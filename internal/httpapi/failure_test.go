package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
	"github.com/schoolcloud/lms/internal/request"
)

// closedPort is a local port nothing listens on: connecting is refused.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// unreachableDB is a pool (pgx, with gorm over it, as database.Open builds
// it, without the ping) to a PostgreSQL that is not there.
func unreachableDB(t *testing.T) *database.DB {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(fmt.Sprintf("postgres://lms@127.0.0.1:%d/lms?sslmode=disable&connect_timeout=2", closedPort(t)))
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDBFromPool(pool)}),
		&gorm.Config{DisableAutomaticPing: true, SkipDefaultTransaction: true, TranslateError: true})
	require.NoError(t, err)
	db := &database.DB{Pool: pool, Gorm: g}
	t.Cleanup(db.Close)
	return db
}

// serve runs a second server over the same configuration with db and
// store, and points a copy of c at it.
func serve(t *testing.T, e *apptest.Env, db *database.DB, store *objstore.Store, c *apptest.Client) *apptest.Client {
	t.Helper()
	a, err := app.Build(e.App.Config, db, store)
	require.NoError(t, err)
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	cp := *c
	return apptest.OnServer(&cp, srv.URL)
}

// unavailable checks a 503 with Retry-After: a problem document for the
// API, the error page for pages.
func unavailable(t *testing.T, r *apptest.Response, page bool, what string) {
	t.Helper()
	require.Equal(t, 503, r.Status, "%s: %s", what, r.Text())
	require.Equal(t, request.RetryAfterUnavailable, r.Header.Get("Retry-After"), what)
	if page {
		require.Contains(t, r.Header.Get("Content-Type"), "text/html", what)
		require.Contains(t, r.Text(), "Briefly unavailable", what)
		return
	}
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), what)
	require.Equal(t, "/problems/unavailable", r.JSON()["type"], what)
	require.NotContains(t, r.Text(), "127.0.0.1", what) // no host in the answer
}

// multipartBody is a complete multipart form with one file in field.
func multipartBody(t *testing.T, field, name string, content []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile(field, name)
	require.NoError(t, err)
	_, err = w.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	return mw.FormDataContentType(), &buf
}

// PostgreSQL or the object store out of reach is 503 with Retry-After,
// for the API and the pages, never a 500.
func TestUnreachableDependenciesAre503(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)

	t.Run("database", func(t *testing.T) {
		store := objtest.New(t)
		c := serve(t, e, unreachableDB(t), store, admin)
		unavailable(t, c.Do("GET", "/api/v1/t/tenant-a/people", nil), false, "API read")
		unavailable(t, c.Do("POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "x", "display_name": "X"}), false, "API write")
		unavailable(t, c.Do("GET", "/t/tenant-a/courses", nil), true, "page")
		anon := serve(t, e, unreachableDB(t), store, e.Anonymous())
		unavailable(t, anon.Do("POST", "/api/v1/auth/login", map[string]string{"tenant": "tenant-a", "username": "a", "password": "b"}), false, "sign-in")
		unavailable(t, anon.Do("POST", "/signin", url.Values{"tenant": {"tenant-a"}, "username": {"a"}, "password": {"b"}}), true, "sign-in page")
		require.Equal(t, 503, anon.Do("GET", "/readyz", nil).Status)
	})

	t.Run("object store", func(t *testing.T) {
		cfg := objtest.Config()
		cfg.Endpoint = fmt.Sprintf("http://127.0.0.1:%d", closedPort(t))
		c := serve(t, e, e.DB.App, objstore.New(cfg), admin)
		unavailable(t, c.Upload("/api/v1/t/tenant-a/files", "notes.pdf", bytes.NewReader(pdfBytes)), false, "API upload")
		ct, body := multipartBody(t, "photo", "me.png", pngBytes)
		unavailable(t, c.DoWith("POST", "/t/tenant-a/my/photo", body, map[string]string{"Content-Type": ct}), true, "page upload")
		// The database still answers: reads that need no object do.
		require.Equal(t, 200, c.Do("GET", "/api/v1/t/tenant-a/people", nil).Status)
	})
}

// A client that drops its own upload half-way is counted as 499 (client
// closed request), not as a server error, on the API and the pages, and
// also where the handler itself saw only a body it could not read (JSON).
func TestDroppedUploadIsTheClientsDoing(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	host := strings.TrimPrefix(e.Server.URL, "http://")
	part := func(field string) string {
		return "--b\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"me.png\"\r\n\r\n" + string(pngBytes)
	}
	cases := []struct{ path, route, contentType, start string }{
		{"/api/v1/t/tenant-a/files", "/api/v1/t/:tenant/files", "multipart/form-data; boundary=b", part("file")},
		{"/t/tenant-a/my/photo", "/t/:tenant/my/photo", "multipart/form-data; boundary=b", part("photo")},
		{"/api/v1/t/tenant-a/people", "/api/v1/t/:tenant/people", "application/json", `{"username":"`},
	}
	for _, tc := range cases {
		conn, err := net.Dial("tcp", host)
		require.NoError(t, err)
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nCookie: lms_session=%s\r\nX-CSRF-Token: %s\r\n"+
			"Content-Type: %s\r\nContent-Length: 10000000\r\n\r\n%s%s",
			tc.path, host, admin.Cookie, admin.CSRF, tc.contentType, tc.start, bytes.Repeat([]byte("x"), 256<<10))
		require.NoError(t, err)
		require.NoError(t, conn.Close())
	}
	var text string
	require.Eventually(t, func() bool {
		text = metricsText(t, e)
		for _, tc := range cases {
			if !strings.Contains(text, fmt.Sprintf(`route=%q,status="499"`, tc.route)) {
				return false
			}
		}
		return true
	}, 30*time.Second, 100*time.Millisecond, "no 499 counted")
	for _, tc := range cases {
		require.NotContains(t, text, fmt.Sprintf(`route=%q,status="5`, tc.route))
	}
}

func metricsText(t *testing.T, e *apptest.Env) string {
	r := e.Anonymous().Do("GET", "/metrics", nil)
	require.Equal(t, 200, r.Status)
	return r.Text()
}
