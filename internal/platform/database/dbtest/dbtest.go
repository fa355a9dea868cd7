// Package dbtest gives each test its own freshly migrated PostgreSQL database
// on a real server, cloned from a template migrated once per test process,
// and drops it when the test ends. Packages that use it call Main from
// TestMain so the template is dropped too.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// DefaultAdminURL is used when LMS_ADMIN_DATABASE_URL is not set.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
	cloneMu  sync.Mutex // CREATE DATABASE ... TEMPLATE refuses concurrent use of one template
)

// AdminURL is the superuser connection the tests use to create databases.
func AdminURL() string {
	if u := os.Getenv("LMS_ADMIN_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// Main runs the package's tests and then drops the template database.
func Main(m *testing.M) {
	code := m.Run()
	if tmplName != "" {
		if err := database.DropDatabase(context.Background(), AdminURL(), tmplName); err != nil {
			fmt.Fprintf(os.Stderr, "dbtest: drop template %s: %v\n", tmplName, err)
		}
	}
	os.Exit(code)
}

// DB is one test's database.
type DB struct {
	Name     string
	AppURL   string // as the application role (RLS applies)
	OwnerURL string // as the schema owner
	// SuperURL is the server's administrator on this database: what a
	// tampering DBA could do (tests of the audit chain use it).
	SuperURL string
	App      *database.DB
}

// New creates, migrates (by cloning the template) and opens a database for t,
// connected as the application role. It is dropped when t ends.
func New(t testing.TB) *DB {
	t.Helper()
	ctx := context.Background()
	tmplOnce.Do(func() { tmplName, tmplErr = makeTemplate(ctx) })
	if tmplErr != nil {
		t.Fatalf("dbtest: template: %v", tmplErr)
	}
	name := "lms_test_" + randHex(6)
	cloneMu.Lock()
	err := database.EnsureDatabase(ctx, AdminURL(), name, tmplName)
	cloneMu.Unlock()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	d := &DB{Name: name}
	d.AppURL, _ = database.RoleURL(AdminURL(), database.ServerRole, name)
	d.OwnerURL, _ = database.RoleURL(AdminURL(), database.OwnerRole, name)
	if u, err := url.Parse(AdminURL()); err == nil {
		u.Path = "/" + name
		d.SuperURL = u.String()
	}
	d.App, err = database.Open(ctx, d.AppURL, 10)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() {
		d.App.Close()
		if err := database.DropDatabase(context.Background(), AdminURL(), name); err != nil {
			t.Logf("dbtest: drop %s: %v", name, err)
		}
	})
	return d
}

func makeTemplate(ctx context.Context) (string, error) {
	admin := AdminURL()
	if err := database.EnsureRoles(ctx, admin); err != nil {
		return "", err
	}
	name := fmt.Sprintf("lms_tmpl_%d_%s", os.Getpid(), randHex(3))
	if err := database.EnsureDatabase(ctx, admin, name, ""); err != nil {
		return "", err
	}
	owner, err := database.RoleURL(admin, database.OwnerRole, name)
	if err != nil {
		return "", err
	}
	if err := database.Migrate(ctx, owner, io.Discard); err != nil {
		_ = database.DropDatabase(ctx, admin, name)
		return "", err
	}
	return name, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
