package database

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jackc/pgx/v5"
)

// Role names the schema expects. The migrations grant to AppGroupRole; the
// server logs in as a member of it. Production DBAs create these themselves
// (see deploy/README.md); Bootstrap does it on a laptop and in tests.
const (
	OwnerRole    = "lms_owner"  // owns the schema, runs migrations; still subject to forced RLS
	AppGroupRole = "lms_app"    // NOLOGIN group holding the application's grants
	ServerRole   = "lms_server" // LOGIN, member of lms_app, no BYPASSRLS, owns nothing
	DevPassword  = "lms-dev"    // the local roles' password; never used outside dev and tests
)

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// EnsureRoles creates the owner, group and server roles if they are missing.
// It needs a superuser (or CREATEROLE) connection and is safe to run
// concurrently: a cluster-wide advisory lock serialises it.
func EnsureRoles(ctx context.Context, adminURL string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("bootstrap: connect as admin: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(727274001)`); err != nil {
		return fmt.Errorf("bootstrap: lock: %w", err)
	}
	stmts := []struct{ role, create string }{
		{OwnerRole, fmt.Sprintf(`CREATE ROLE %s LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '%s'`, OwnerRole, DevPassword)},
		{AppGroupRole, fmt.Sprintf(`CREATE ROLE %s NOLOGIN NOSUPERUSER NOBYPASSRLS`, AppGroupRole)},
		{ServerRole, fmt.Sprintf(`CREATE ROLE %s LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE IN ROLE %s PASSWORD '%s'`, ServerRole, AppGroupRole, DevPassword)},
	}
	for _, s := range stmts {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, s.role).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.Exec(ctx, s.create); err != nil {
				return fmt.Errorf("bootstrap: create role %s: %w", s.role, err)
			}
		}
	}
	return tx.Commit(ctx)
}

// EnsureDatabase creates database name owned by the owner role, if missing.
// template may be empty.
func EnsureDatabase(ctx context.Context, adminURL, name, template string) error {
	if !identRE.MatchString(name) || (template != "" && !identRE.MatchString(template)) {
		return fmt.Errorf("bootstrap: bad database name %q", name)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("bootstrap: connect as admin: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	q := fmt.Sprintf(`CREATE DATABASE %s OWNER %s`, name, OwnerRole)
	if template != "" {
		q += fmt.Sprintf(` TEMPLATE %s STRATEGY FILE_COPY`, template)
	}
	if _, err := conn.Exec(ctx, q); err != nil {
		return fmt.Errorf("bootstrap: create database %s: %w", name, err)
	}
	// Nobody but the owner creates objects; the server role may only connect.
	for _, q := range []string{
		fmt.Sprintf(`REVOKE ALL ON DATABASE %s FROM PUBLIC`, name),
		fmt.Sprintf(`GRANT CONNECT, TEMPORARY ON DATABASE %s TO %s`, name, AppGroupRole),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("bootstrap: %s: %w", q, err)
		}
	}
	return nil
}

// DropDatabase removes a database, disconnecting its sessions.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	if !identRE.MatchString(name) {
		return fmt.Errorf("bootstrap: bad database name %q", name)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	return err
}

// RoleURL derives a connection URL for role on database dbname from the
// admin URL, keeping its host, port and options.
func RoleURL(adminURL, role, dbname string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("bootstrap: parse admin url: %w", err)
	}
	u.User = url.UserPassword(role, DevPassword)
	u.Path = "/" + dbname
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
