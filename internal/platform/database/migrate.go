package database

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/schoolcloud/lms/migrations"
)

// migrateLockKey serialises migrations across processes: many replicas may
// start `lms migrate` at once, exactly one applies each step.
const migrateLockKey = 727274002

// Migrate applies the embedded SQL migrations and then the job engine's own
// schema, as the owner role (ownerURL). It is idempotent.
func Migrate(ctx context.Context, ownerURL string, log io.Writer) error {
	lockConn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("migrate: connect as owner: %w", err)
	}
	defer lockConn.Close(ctx)
	if _, err := lockConn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer lockConn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey) //nolint:errcheck

	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("migrate: pool: %w", err)
	}
	defer pool.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), migrations.FS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: schema: %w", err)
	}
	for _, r := range res {
		fmt.Fprintf(log, "applied %s (%s)\n", r.Source.Path, r.Duration.Round(1e6))
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("migrate: jobs: %w", err)
	}
	rr, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate: jobs schema: %w", err)
	}
	for _, v := range rr.Versions {
		fmt.Fprintf(log, "applied job engine migration %03d %s\n", v.Version, v.Name)
	}
	return nil
}

// Status writes which migrations are applied and which are pending.
func Status(ctx context.Context, ownerURL string, out io.Writer) error {
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("migrate status: pool: %w", err)
	}
	defer pool.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), migrations.FS)
	if err != nil {
		return err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("migrate status: %w", err)
	}
	for _, s := range st {
		when := ""
		if !s.AppliedAt.IsZero() {
			when = s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(out, "%-8s %-40s %s\n", s.State, s.Source.Path, when)
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrate status: jobs: %w", err)
	}
	fmt.Fprintf(out, "job engine: %d of %d migrations applied\n", len(existing), len(m.AllVersions()))
	return nil
}
