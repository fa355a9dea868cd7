package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The statements of one authorized person read as the app sent them when
// this benchmark was written (credential lookup, scope, person), for the
// what-if variants below. They stay fixed so the variants measure access
// patterns, whatever the app does today (the proxy counts that).
const (
	sqlScope  = `SELECT set_config('app.tenant_id', $1, true), set_config('app.actor', $2, true), set_config('app.basis', $3, true)`
	sqlCred   = `SELECT c.id, c.person_id AS owner, c.kind, c.last_seen_at, '' AS role FROM member_credentials c JOIN people a ON a.id = c.person_id WHERE c.token_hash = $1 AND c.revoked_at IS NULL AND c.expires_at > now() AND a.status = 'active'`
	sqlPerson = `SELECT tenant_id, id, username, email, display_name, status, password_hash, failed_logins, locked_until, created_at, updated_at FROM "people" WHERE id = $1 LIMIT $2`
)

// whatIf is one diagnostic variant: how fast the same work could go.
type whatIf struct {
	phase
	rt   float64 // PostgreSQL round trips per request, counted
	note string  // what it shows
}

// whatIfs measures, at the same concurrency as the main phases:
//   - the HTTP stack alone (GET /healthz: gin, middleware, net/http client and server, no database);
//   - credential lookup + person read as 2 transactions (BEGIN, set_config, SELECT, COMMIT each): 8 round trips;
//   - the same as 2 pipelined batches (set_config(…, true) + SELECT in one implicit transaction each): 2 round trips;
//   - only the person read as one batch (authentication served from an in-process cache): 1 round trip.
//
// Round trips are counted, not assumed: each variant also runs 100 times
// through the counting proxy.
func whatIfs(ctx context.Context, o opts, client *http.Client, base string, appURL string, f *fixture, pick func(w, i int) int) ([]whatIf, error) {
	open := func(url string) (*pgxpool.Pool, error) {
		pc, err := pgxpool.ParseConfig(url)
		if err != nil {
			return nil, err
		}
		pc.MaxConns = int32(o.dbConns)
		pc.ConnConfig.RuntimeParams["application_name"] = "lmsbench-whatif"
		return pgxpool.NewWithConfig(ctx, pc)
	}
	pool, err := open(appURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	variants, err := whatIfVariants(ctx, pool, client, base, f, pick)
	if err != nil {
		return nil, err
	}

	px, err := startPGProxy(pgHostPort(appURL))
	if err != nil {
		return nil, err
	}
	defer px.Close()
	purl, err := viaProxy(appURL, px)
	if err != nil {
		return nil, err
	}
	ppool, err := open(purl)
	if err != nil {
		return nil, err
	}
	defer ppool.Close()
	counted, err := whatIfVariants(ctx, ppool, client, base, f, pick)
	if err != nil {
		return nil, err
	}

	var out []whatIf
	for k, v := range variants {
		const n = 100
		for i := range 20 {
			if err := counted[k].fn(ctx, 0, i); err != nil {
				return nil, err
			}
		}
		px.startCounting()
		for i := range n {
			if err := counted[k].fn(ctx, 0, i); err != nil {
				px.stopCounting()
				return nil, err
			}
		}
		rt := float64(px.stopCounting().roundTrips()) / n

		if _, err := load(ctx, v.name+" warm-up", o.concurrency, time.Second, v.fn); err != nil {
			return nil, err
		}
		ph, err := load(ctx, v.name, o.concurrency, o.whatIfDuration, v.fn)
		if err != nil {
			return nil, err
		}
		if ph.errs > 0 {
			return nil, fmt.Errorf("%s: %d errors, first: %w", v.name, ph.errs, ph.firstErr)
		}
		out = append(out, whatIf{phase: ph, rt: rt, note: v.note})
	}
	return out, nil
}

type variant struct {
	name, note string
	fn         op
}

// whatIfVariants builds the variants over pool and checks that a pipelined
// batch really is one implicit transaction: the scoped read sees the row,
// and the setting is gone from the connection afterwards.
func whatIfVariants(ctx context.Context, pool *pgxpool.Pool, client *http.Client, base string, f *fixture, pick func(w, i int) int) ([]variant, error) {
	hash := sha256.Sum256([]byte(f.token))
	tenant := f.tenantA.String()
	authActor, authBasis := "system:"+uuid.Nil.String(), "authentication"
	type cred struct {
		id, owner uuid.UUID
		kind      string
		seen      time.Time
		role      string
	}
	scanCred := func(r pgx.Row, c *cred) error { return r.Scan(&c.id, &c.owner, &c.kind, &c.seen, &c.role) }
	scanPerson := func(r pgx.Row, p *rawPerson) error {
		return r.Scan(&p.TenantID, &p.ID, &p.Username, &p.Email, &p.DisplayName, &p.Status, &p.PasswordHash,
			&p.FailedLogins, &p.LockedUntil, &p.CreatedAt, &p.UpdatedAt)
	}
	check := func(p rawPerson, want uuid.UUID) error {
		if p.ID != want {
			return fmt.Errorf("got person %s, want %s", p.ID, want)
		}
		return nil
	}

	txWay := func(ctx context.Context, w, i int) error {
		id := f.people[pick(w, i)]
		var c cred
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, sqlScope, tenant, authActor, authBasis); err != nil {
				return err
			}
			return scanCred(tx.QueryRow(ctx, sqlCred, hash[:]), &c)
		})
		if err != nil {
			return err
		}
		var p rawPerson
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, sqlScope, tenant, "member:"+c.owner.String(), "member"); err != nil {
				return err
			}
			return scanPerson(tx.QueryRow(ctx, sqlPerson, id, 1), &p)
		})
		if err != nil {
			return err
		}
		return check(p, id)
	}
	personBatch := func(ctx context.Context, id, actor uuid.UUID, p *rawPerson) error {
		b := &pgx.Batch{}
		b.Queue(sqlScope, tenant, "member:"+actor.String(), "member")
		b.Queue(sqlPerson, id, 1).QueryRow(func(r pgx.Row) error { return scanPerson(r, p) })
		return pool.SendBatch(ctx, b).Close()
	}
	batchWay := func(ctx context.Context, w, i int) error {
		id := f.people[pick(w, i)]
		var c cred
		b := &pgx.Batch{}
		b.Queue(sqlScope, tenant, authActor, authBasis)
		b.Queue(sqlCred, hash[:]).QueryRow(func(r pgx.Row) error { return scanCred(r, &c) })
		if err := pool.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		var p rawPerson
		if err := personBatch(ctx, id, c.owner, &p); err != nil {
			return err
		}
		return check(p, id)
	}
	var admin uuid.UUID
	cachedWay := func(ctx context.Context, w, i int) error {
		id := f.people[pick(w, i)]
		var p rawPerson
		if err := personBatch(ctx, id, admin, &p); err != nil {
			return err
		}
		return check(p, id)
	}
	healthz := func(ctx context.Context, _, _ int) error {
		st, b, err := getPerson(ctx, client, base+"/healthz", "")
		if err == nil && st != http.StatusOK {
			err = fmt.Errorf("healthz: %d %.100s", st, b)
		}
		return err
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	var c cred
	b := &pgx.Batch{}
	b.Queue(sqlScope, tenant, authActor, authBasis)
	b.Queue(sqlCred, hash[:]).QueryRow(func(r pgx.Row) error { return scanCred(r, &c) })
	err = conn.SendBatch(ctx, b).Close()
	var left string
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT coalesce(current_setting('app.tenant_id', true), '')`).Scan(&left)
	}
	conn.Release()
	if err != nil {
		return nil, fmt.Errorf("what-if batch check: %w", err)
	}
	if c.owner == uuid.Nil || left != "" {
		return nil, fmt.Errorf("what-if batch check: credential owner %s, app.tenant_id left on the connection %q", c.owner, left)
	}
	admin = c.owner

	return []variant{
		{"HTTP GET /healthz (no DB, no auth)", "floor of the HTTP stack: client + net/http + gin + middleware + JSON", healthz},
		{"pgx: 2 tx (BEGIN/scope/SELECT/COMMIT)", "auth lookup + person read, each in its own transaction", txWay},
		{"pgx: 2 pipelined batches", "the same, scope+SELECT pipelined: one implicit tx per batch", batchWay},
		{"pgx: 1 batch, auth cached", "only the scoped person read; credential from a cache", cachedWay},
	}, nil
}
