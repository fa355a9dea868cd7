package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// fixture is the seeded data the load runs against.
type fixture struct {
	slugA            string
	tenantA, tenantB uuid.UUID
	people           []uuid.UUID // in tenant A
	personB          uuid.UUID   // in tenant B, must stay invisible from A
	token            string      // admin of A, personal API token
}

// phase is one measured load run.
type phase struct {
	name     string
	n, errs  int
	firstErr error
	elapsed  time.Duration
	lat      dist
	cpu      cpuUse
}

func (p phase) rps() float64 { return float64(p.n) / p.elapsed.Seconds() }

// httpResult is part (a) of the report.
type httpResult struct {
	raw, api       phase
	seqRaw, seqAPI phase // concurrency 1, diagnostic
	rtRaw, rtAPI   pgCounts
	rtN            int
	whatIfs        []whatIf
	cfg            string
}

type op func(ctx context.Context, worker, i int) error

// load runs op from conc goroutines for d and records every latency.
func load(ctx context.Context, name string, conc int, d time.Duration, fn op) (phase, error) {
	lats := make([][]int64, conc)
	errN := make([]int, conc)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	cpu0 := sampleCPU()
	start := time.Now()
	deadline := start.Add(d)
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := make([]int64, 0, 1<<15)
			for i := 0; ; i++ {
				t0 := time.Now()
				if !t0.Before(deadline) || ctx.Err() != nil {
					break
				}
				err := fn(ctx, w, i)
				el := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errN[w]++
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					continue
				}
				l = append(l, int64(el))
			}
			lats[w] = l
		}()
	}
	wg.Wait()
	p := phase{name: name, elapsed: time.Since(start), cpu: cpuSince(cpu0), firstErr: first}
	var all []int64
	for w := range conc {
		all = append(all, lats[w]...)
		p.errs += errN[w]
	}
	p.n = len(all)
	p.lat = summarize(all)
	if err := ctx.Err(); err != nil {
		return p, err
	}
	return p, nil
}

// rawPerson is every column of people, in table order, for SELECT *.
type rawPerson struct {
	TenantID, ID         uuid.UUID
	Username             string
	Email                *string
	DisplayName, Status  string
	PasswordHash         *string
	FailedLogins         int
	LockedUntil          *time.Time
	CreatedAt, UpdatedAt time.Time
}

const rawQuery = `SELECT tenant_id, id, username, email, display_name, status, password_hash, failed_logins, locked_until, created_at, updated_at
	FROM people WHERE tenant_id = $1 AND id = $2`

func queryRaw(ctx context.Context, pool *pgxpool.Pool, tenantID, id uuid.UUID) (rawPerson, error) {
	var r rawPerson
	err := pool.QueryRow(ctx, rawQuery, tenantID, id).Scan(&r.TenantID, &r.ID, &r.Username, &r.Email, &r.DisplayName,
		&r.Status, &r.PasswordHash, &r.FailedLogins, &r.LockedUntil, &r.CreatedAt, &r.UpdatedAt)
	return r, err
}

// openRawPool connects as the schema owner with app.tenant_id set for the
// whole session, so forced RLS lets the single SELECT see tenant's rows.
func openRawPool(ctx context.Context, ownerURL string, tenantID uuid.UUID, maxConns int32) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(ownerURL)
	if err != nil {
		return nil, err
	}
	pc.MaxConns = maxConns
	pc.ConnConfig.RuntimeParams["application_name"] = "lmsbench-raw"
	pc.ConnConfig.RuntimeParams["app.tenant_id"] = tenantID.String()
	return pgxpool.NewWithConfig(ctx, pc)
}

// seed creates two tenants, people in A and a token for A's admin.
func seed(ctx context.Context, a *app.App, nPeople int) (*fixture, error) {
	pw := "bench-" + randHex(12)
	mk := func(slug, region string) tenant.Manifest {
		return tenant.Manifest{Slug: slug, Name: "Bench " + slug, Kind: "school", Region: region,
			Contract: tenant.ContractSpec{Reference: "BENCH-" + slug, StartsOn: "2026-01-01"},
			Schools:  []tenant.SchoolSpec{{Slug: "main", Name: "Main School"}},
			Admins:   []tenant.AdminSpec{{Email: "admin@" + slug + ".example", DisplayName: "Bench Admin", InitialPassword: pw}}}
	}
	f := &fixture{slugA: "bench-a"}
	ra, err := a.Tenants.Apply(ctx, mk("bench-a", "uk"), uuid.Nil)
	if err != nil {
		return nil, err
	}
	rb, err := a.Tenants.Apply(ctx, mk("bench-b", "uk"), uuid.Nil)
	if err != nil {
		return nil, err
	}
	f.tenantA, f.tenantB = ra.TenantID, rb.TenantID

	f.people = make([]uuid.UUID, nPeople)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range nPeople {
		g.Go(func() error {
			email := fmt.Sprintf("person%04d@bench-a.example", i)
			p, err := a.Identity.CreatePerson(gctx, access.Contract(f.tenantA, uuid.Nil, "lmsbench-seed"), identity.NewPerson{
				Username: email, Email: &email, DisplayName: fmt.Sprintf("Person %04d", i)})
			f.people[i] = p.ID
			return err
		})
	}
	g.Go(func() error {
		p, err := a.Identity.CreatePerson(gctx, access.Contract(f.tenantB, uuid.Nil, "lmsbench-seed"), identity.NewPerson{
			Username: "someone@bench-b.example", DisplayName: "Someone in B"})
		f.personB = p.ID
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("seed people: %w", err)
	}

	iss, admin, err := a.Identity.Login(ctx, f.tenantA, "admin@bench-a.example", pw, identity.Client{UserAgent: "lmsbench"})
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	tok, err := a.Identity.CreateToken(ctx, identity.Principal{Kind: identity.KindMember, ID: admin.ID, TenantID: f.tenantA, CredentialID: iss.ID}, "lmsbench", 24*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}
	f.token = tok.Secret
	return f, nil
}

// serve runs h on a loopback listener with the same server settings as
// httpapi.Listen.
func serve(h http.Handler, cl *cleanups) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	cl.add("stop HTTP server", func(ctx context.Context) error {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	return "http://" + ln.Addr().String(), nil
}

func getPerson(ctx context.Context, client *http.Client, url, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// benchHTTP is part (a).
func benchHTTP(ctx context.Context, o opts, cl *cleanups) (*httpResult, error) {
	logf("(a) creating database, migrating, seeding")
	a, db, err := newApp(ctx, o, cl, "(a)")
	if err != nil {
		return nil, err
	}
	f, err := seed(ctx, a, o.people)
	if err != nil {
		return nil, err
	}
	base, err := serve(a.Handler, cl)
	if err != nil {
		return nil, err
	}
	raw, err := openRawPool(ctx, db.OwnerURL, f.tenantA, int32(o.dbConns))
	if err != nil {
		return nil, err
	}
	cl.add("close raw pool", func(context.Context) error { raw.Close(); return nil })

	client := &http.Client{Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: 4 * o.concurrency, MaxIdleConnsPerHost: 4 * o.concurrency,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true,
	}, Timeout: 30 * time.Second}
	cl.add("close HTTP client", func(context.Context) error { client.CloseIdleConnections(); return nil })

	urls := make([]string, len(f.people))
	for i, id := range f.people {
		urls[i] = base + "/api/v1/t/" + f.slugA + "/people/" + id.String()
	}

	// Both sides must return the person; anything else makes the comparison meaningless.
	if err := verify(ctx, client, raw, f, urls, base); err != nil {
		return nil, err
	}

	pick := func(w, i int) int { return (w*7919 + i) % len(f.people) }
	rawOp := func(ctx context.Context, w, i int) error {
		id := f.people[pick(w, i)]
		r, err := queryRaw(ctx, raw, f.tenantA, id)
		if err == nil && r.ID != id {
			err = fmt.Errorf("raw: got person %s, want %s", r.ID, id)
		}
		return err
	}
	apiOp := func(ctx context.Context, w, i int) error {
		st, b, err := getPerson(ctx, client, urls[pick(w, i)], f.token)
		if err == nil && st != http.StatusOK {
			err = fmt.Errorf("http: status %d: %.200s", st, b)
		}
		return err
	}

	res := &httpResult{cfg: fmt.Sprintf("concurrency %d, %s measured after %s warm-up per side, %d people, app pool %d conns, raw pool %d conns, server log %s",
		o.concurrency, o.duration, o.warmup, len(f.people), o.dbConns, o.dbConns, o.serverLog)}

	logf("(a) raw baseline: warm-up %s, measure %s", o.warmup, o.duration)
	if _, err := load(ctx, "raw warm-up", o.concurrency, o.warmup, rawOp); err != nil {
		return nil, err
	}
	if res.raw, err = load(ctx, "raw pgx", o.concurrency, o.duration, rawOp); err != nil {
		return nil, err
	}
	logf("(a) HTTP: warm-up %s, measure %s", o.warmup, o.duration)
	if _, err := load(ctx, "http warm-up", o.concurrency, o.warmup, apiOp); err != nil {
		return nil, err
	}
	if o.cpuProfile != "" {
		pf, err := os.Create(o.cpuProfile)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return nil, err
		}
		defer pf.Close()
	}
	res.api, err = load(ctx, "HTTP API", o.concurrency, o.duration, apiOp)
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
		logf("(a) CPU profile of the HTTP phase written to %s", o.cpuProfile)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range []phase{res.raw, res.api} {
		if p.errs > 0 {
			return nil, fmt.Errorf("%s: %d of %d requests failed; first: %w", p.name, p.errs, p.n+p.errs, p.firstErr)
		}
	}

	if o.diag {
		logf("(a) diagnostics: concurrency-1 latency and round trips per request")
		if res.seqRaw, err = load(ctx, "raw pgx, 1 client", 1, 2*time.Second, rawOp); err != nil {
			return nil, err
		}
		if res.seqAPI, err = load(ctx, "HTTP API, 1 client", 1, 2*time.Second, apiOp); err != nil {
			return nil, err
		}
		if err := roundTrips(ctx, res, a.Config, db, a.Store, f); err != nil {
			return nil, fmt.Errorf("round-trip diagnostic: %w", err)
		}
		logf("(a) what-if variants, %s each", o.whatIfDuration)
		if res.whatIfs, err = whatIfs(ctx, o, client, base, db.AppURL, f, pick); err != nil {
			return nil, fmt.Errorf("what-if diagnostic: %w", err)
		}
	}
	return res, nil
}

func verify(ctx context.Context, client *http.Client, raw *pgxpool.Pool, f *fixture, urls []string, base string) error {
	r, err := queryRaw(ctx, raw, f.tenantA, f.people[0])
	if err != nil || r.ID != f.people[0] || r.TenantID != f.tenantA {
		return fmt.Errorf("verify raw: want person %s, got %s (err %v)", f.people[0], r.ID, err)
	}
	if _, err := queryRaw(ctx, raw, f.tenantB, f.personB); !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("verify raw: tenant B's person must be invisible to the raw pool scoped to A (RLS), got err %v", err)
	}
	st, b, err := getPerson(ctx, client, urls[0], f.token)
	if err != nil || st != http.StatusOK {
		return fmt.Errorf("verify http: status %d err %v body %.300s", st, err, b)
	}
	var p identity.Person
	if err := json.Unmarshal(b, &p); err != nil || p.ID != f.people[0] {
		return fmt.Errorf("verify http: want person %s, got %.300s (err %v)", f.people[0], b, err)
	}
	st, b, err = getPerson(ctx, client, base+"/api/v1/t/bench-b/people/"+f.personB.String(), f.token)
	if err != nil || st != http.StatusNotFound {
		return fmt.Errorf("verify http: another tenant must answer 404, got %d %.200s (err %v)", st, b, err)
	}
	return nil
}

// roundTrips counts the messages each side sends to PostgreSQL per request,
// through a counting proxy, with a second App instance on the same database.
func roundTrips(ctx context.Context, res *httpResult, cfg config.Config, db *benchDB, store *objstore.Store, f *fixture) error {
	px, err := startPGProxy(pgHostPort(db.AdminURL))
	if err != nil {
		return err
	}
	defer px.Close()
	appURL, err := viaProxy(db.AppURL, px)
	if err != nil {
		return err
	}
	ownerURL, err := viaProxy(db.OwnerURL, px)
	if err != nil {
		return err
	}
	pdb, err := database.Open(ctx, appURL, 4)
	if err != nil {
		return err
	}
	defer pdb.Close()
	pa, err := app.Build(cfg, pdb, store)
	if err != nil {
		return err
	}
	praw, err := openRawPool(ctx, ownerURL, f.tenantA, 4)
	if err != nil {
		return err
	}
	defer praw.Close()

	const warm, n = 30, 300
	res.rtN = n
	apiCall := func(i int) error {
		id := f.people[i%len(f.people)]
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/t/"+f.slugA+"/people/"+id.String(), nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		rec := httptest.NewRecorder()
		pa.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("status %d: %.200s", rec.Code, rec.Body.String())
		}
		return nil
	}
	rawCall := func(i int) error {
		_, err := queryRaw(ctx, praw, f.tenantA, f.people[i%len(f.people)])
		return err
	}
	for _, side := range []struct {
		call func(int) error
		out  *pgCounts
	}{{apiCall, &res.rtAPI}, {rawCall, &res.rtRaw}} {
		for i := range warm {
			if err := side.call(i); err != nil {
				return err
			}
		}
		px.startCounting()
		for i := range n {
			if err := side.call(i); err != nil {
				px.stopCounting()
				return err
			}
		}
		*side.out = px.stopCounting()
	}
	return nil
}

// pgHostPort is the server address of a postgres:// URL.
func pgHostPort(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "127.0.0.1:5432"
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "5432")
	}
	return u.Host
}

// viaProxy points a postgres:// URL at the counting proxy.
func viaProxy(s string, px *pgProxy) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	u.Host = px.Addr()
	return u.String(), nil
}
