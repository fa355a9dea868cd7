// Package apptest runs the whole platform for end-to-end tests: a fresh
// database on the real PostgreSQL, buckets on the real S3-compatible server,
// the real HTTP stack on a loopback port, and two seeded tenants so every
// test can check that one cannot see the other.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/httpapi/openapitest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Passwords of the seeded accounts.
const (
	AdminPassword    = "admin-password-123"
	OperatorPassword = "operator-password-123"
	SupportPassword  = "support-password-123"
)

// Env is a running platform with two tenants, A and B, each with one admin,
// and one operator and one support staff member.
type Env struct {
	T        *testing.T
	App      *app.App
	DB       *dbtest.DB
	Server   *httptest.Server
	A, B     Seeded
	Operator string // e-mail
	Support  string
}

// Seeded is one tenant with its admin.
type Seeded struct {
	ID         uuid.UUID
	Slug       string
	AdminUser  string
	AdminID    uuid.UUID
	SchoolSlug string
}

// Manifest returns a valid manifest for a tenant called slug.
func Manifest(slug, region string) tenant.Manifest {
	return tenant.Manifest{
		Slug: slug, Name: "School " + slug, Kind: "school", Region: region,
		Contract: tenant.ContractSpec{Reference: "C-" + slug, StartsOn: "2026-09-01"},
		Schools:  []tenant.SchoolSpec{{Slug: slug + "-school", Name: "School " + slug}},
		Admins:   []tenant.AdminSpec{{Email: "admin@" + slug + ".example", DisplayName: "Admin of " + slug, InitialPassword: AdminPassword}},
	}
}

// New starts the platform and seeds it. cfg may change settings before
// the services are built.
func New(t *testing.T, tweak ...func(*config.Config)) *Env {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	store := objtest.New(t)
	cfg, err := config.Load()
	require.NoError(t, err)
	cfg.Env = "test"
	// Backups made by tests must be removable by their clean-up.
	cfg.BackupLockMode = "GOVERNANCE"
	for _, f := range tweak {
		f(&cfg)
	}
	a, err := app.Build(cfg, db.App, store)
	require.NoError(t, err)
	lctx, cancel := context.WithCancel(ctx)
	go a.Authz.Listen(lctx, db.App.Pool)
	// Every API answer a test receives is checked against the API's own
	// OpenAPI document: a reply that breaks it fails the test.
	doc, err := a.API.OpenAPIJSON()
	require.NoError(t, err)
	checker, err := openapitest.For(doc)
	require.NoError(t, err)
	srv := httptest.NewServer(checker.Wrap(a.Handler, func(msg string) { t.Error(msg) }))
	t.Cleanup(func() { srv.Close(); cancel() })
	e := &Env{T: t, App: a, DB: db, Server: srv, Operator: "operator@processor.example", Support: "support@processor.example"}
	// The seed's first admins have passwords, which only development
	// manifests may carry: a test of production mode seeds as a test does.
	seeder := tenant.NewService(db.App, store, true)
	for i, slug := range []string{"tenant-a", "tenant-b"} {
		m := Manifest(slug, []string{"uk", "ie"}[i])
		res, err := seeder.Apply(ctx, m, uuid.Nil)
		require.NoError(t, err)
		s := Seeded{ID: res.TenantID, Slug: slug, AdminUser: "admin@" + slug + ".example", SchoolSlug: slug + "-school"}
		if i == 0 {
			e.A = s
		} else {
			e.B = s
		}
	}
	_, _, err = a.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", identity.StaffOperator, OperatorPassword)
	require.NoError(t, err)
	_, _, err = a.Identity.EnsureStaff(ctx, e.Support, "Sam Support", identity.StaffSupport, SupportPassword)
	require.NoError(t, err)
	for _, s := range []*Seeded{&e.A, &e.B} {
		require.NoError(t, access.Transact(ctx, db.App, access.System(s.ID, "test-setup"), func(tx *gorm.DB) error {
			p, err := identity.FindByUsernameTx(tx, s.AdminUser)
			s.AdminID = p.ID
			return err
		}))
	}
	return e
}

// Client is a signed-in (or anonymous) caller. It keeps the session cookie
// by hand: the cookie is Secure outside dev and the test server is plain
// HTTP, where a cookie jar would drop it.
type Client struct {
	e      *Env
	Cookie string // session secret when signed in by cookie
	CSRF   string
	Bearer string
}

// Anonymous is a caller with no credentials.
func (e *Env) Anonymous() *Client { return &Client{e: e} }

// Login signs a member in and fails the test if it does not work.
func (e *Env) Login(tenantSlug, user, pw string) *Client {
	c := &Client{e: e}
	r := c.Do("POST", "/api/v1/auth/login", map[string]string{"tenant": tenantSlug, "username": user, "password": pw})
	require.Equal(e.T, 200, r.Status, r.Text())
	c.takeSession(r)
	return c
}

// StaffLogin signs processor staff in.
func (e *Env) StaffLogin(email, pw string) *Client {
	c := &Client{e: e}
	r := c.Do("POST", "/api/v1/auth/staff/login", map[string]string{"email": email, "password": pw})
	require.Equal(e.T, 200, r.Status, r.Text())
	c.takeSession(r)
	return c
}

func (c *Client) takeSession(r *Response) {
	for _, ck := range r.Cookies {
		if ck.Name == "lms_session" {
			c.Cookie = ck.Value
		}
	}
	c.CSRF = r.JSON()["csrf_token"].(string)
}

// Response is a finished request.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie
	t       *testing.T
}

// Text is the body as a string.
func (r *Response) Text() string { return string(r.Body) }

// JSON decodes an object body.
func (r *Response) JSON() map[string]any {
	var m map[string]any
	require.NoError(r.t, json.Unmarshal(r.Body, &m), r.Text())
	return m
}

// Decode decodes the body into v.
func (r *Response) Decode(v any) {
	require.NoError(r.t, json.Unmarshal(r.Body, v), r.Text())
}

// Do sends a request; body is JSON-encoded unless it is a string, a
// reader, url.Values (a form) or nil. Redirects are not followed.
func (c *Client) Do(method, path string, body any) *Response {
	return c.DoWith(method, path, body, nil)
}

// Expect is Do that fails the test, showing the body, unless the answer
// has the status want: most steps of a test only go on from a known status.
// It fails the Env's test, so it is not for subtests or other goroutines.
func (c *Client) Expect(want int, method, path string, body any) *Response {
	c.e.T.Helper()
	r := c.Do(method, path, body)
	require.Equal(c.e.T, want, r.Status, r.Text())
	return r
}

// DoWith is Do with extra headers.
func (c *Client) DoWith(method, path string, body any, hdr map[string]string) *Response {
	t := c.e.T
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd = b
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, c.e.Server.URL+path, rd)
	require.NoError(t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.Cookie != "" {
		req.AddCookie(&http.Cookie{Name: "lms_session", Value: c.Cookie})
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := noRedirects.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Cookies: resp.Cookies(), t: t}
}

// noRedirects answers with the redirect itself, so tests see where a page
// sends the browser.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// MeInfo is the part of /api/v1/me the tests use.
type MeInfo struct {
	Kind     string    `json:"kind"`
	ID       uuid.UUID `json:"id"`
	TenantID string    `json:"tenant_id"`
}

// Me asks who the client is.
func (c *Client) Me() MeInfo {
	r := c.Do("GET", "/api/v1/me", nil)
	require.Equal(c.e.T, 200, r.Status, r.Text())
	var m MeInfo
	r.Decode(&m)
	return m
}

// OnServer points a copy of c at another server (e.g. a second API process
// over the same database).
func OnServer(c *Client, url string) *Client {
	env := *c.e
	env.Server = &httptest.Server{URL: url}
	c.e = &env
	return c
}

// Upload streams content as the "file" part of a multipart/form-data POST
// to path (e.g. /api/v1/t/tenant-a/files), without holding it in memory.
func (c *Client) Upload(path, name string, content io.Reader) *Response {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(part, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return c.DoWith("POST", path, io.Reader(pr), map[string]string{"Content-Type": mw.FormDataContentType()})
}
