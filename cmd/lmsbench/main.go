// Command lmsbench measures, in one run, (a) the authorized JSON API read of
// one person against the same row fetched with raw pgx and no auth, and (b)
// the cost of a casbin permission check with 1 and with 10,000 tenants
// loaded. It prints one report; targets not met are reported, not failed.
// Only setup or measurement errors make the exit code non-zero.
//
//	make bench                   # services + .data/env, then go run ./cmd/lmsbench
//	go run ./cmd/lmsbench -h     # flags
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/schoolcloud/lms/internal/platform/logging"
)

type opts struct {
	concurrency     int
	duration        time.Duration
	warmup          time.Duration
	people          int
	dbConns         int
	serverLog       string
	cpuProfile      string
	diag            bool
	authzCalls      int
	authzTenants    int
	authzMembers    int
	authzLoadBudget time.Duration
	only            string
}

var started = time.Now()

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "lmsbench %6.1fs  %s\n", time.Since(started).Seconds(), fmt.Sprintf(format, args...))
}

func main() {
	var o opts
	flag.IntVar(&o.concurrency, "concurrency", 8, "(a) concurrent clients per side")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "(a) measured duration per side")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "(a) warm-up per side before measuring")
	flag.IntVar(&o.people, "people", 200, "(a) people seeded in tenant A (requests cycle through them)")
	flag.IntVar(&o.dbConns, "db-conns", 16, "(a) max connections of the app pool and of the raw pool")
	flag.StringVar(&o.serverLog, "server-log", "discard", "(a) the app's request log: discard (JSON at info level to io.Discard, as in production minus the I/O), stderr, or off (errors only)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "(a) write a CPU profile of this process (server and load client) during the measured HTTP phase")
	flag.BoolVar(&o.diag, "diag", true, "(a) also measure concurrency-1 latency and count PostgreSQL round trips per request")
	flag.IntVar(&o.authzCalls, "authz-calls", 200_000, "(b) timed Allow calls per scenario and mode")
	flag.IntVar(&o.authzTenants, "authz-tenants", 10_000, "(b) tenants in the large scenario")
	flag.IntVar(&o.authzMembers, "authz-members", 50, "(b) members per tenant")
	flag.DurationVar(&o.authzLoadBudget, "authz-load-budget", 90*time.Second, "(b) stop loading tenants after this long and measure with those loaded (reported)")
	flag.StringVar(&o.only, "only", "", "run only part http or authz")
	flag.Parse()
	os.Exit(run(o))
}

func run(o opts) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cl := &cleanups{}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "lmsbench: panic: %v\n%s", r, debug.Stack())
			code = 2
		}
		logf("cleaning up")
		if err := cl.run(); err != nil {
			fmt.Fprintf(os.Stderr, "lmsbench: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}()

	switch o.serverLog {
	case "discard":
		logging.Setup(io.Discard, "info")
	case "stderr":
		logging.Setup(os.Stderr, "info")
	case "off":
		logging.Setup(os.Stderr, "error")
	default:
		fmt.Fprintf(os.Stderr, "lmsbench: -server-log must be discard, stderr or off\n")
		return 2
	}
	if o.only != "" && o.only != "http" && o.only != "authz" {
		fmt.Fprintf(os.Stderr, "lmsbench: -only must be http or authz\n")
		return 2
	}

	var hr *httpResult
	var small, large *authzScenario
	var timer float64
	var err error
	if o.only != "authz" {
		if hr, err = benchHTTP(ctx, o, cl); err != nil {
			return fail(err)
		}
	}
	if o.only != "http" {
		timer = timerCost()
		logf("(b) casbin: 1 tenant × %d members", o.authzMembers)
		if small, err = runAuthz(ctx, 1, o.authzMembers, o.authzCalls, 0); err != nil {
			return fail(err)
		}
		logf("(b) casbin: %d tenants × %d members (%d assignments)", o.authzTenants, o.authzMembers, o.authzTenants*o.authzMembers)
		if large, err = runAuthz(ctx, o.authzTenants, o.authzMembers, o.authzCalls, o.authzLoadBudget); err != nil {
			return fail(err)
		}
	}
	report(os.Stdout, o, hr, small, large, timer)
	return 0
}

func fail(err error) int {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "lmsbench: interrupted")
		return 130
	}
	fmt.Fprintf(os.Stderr, "lmsbench: error: %v\n", err)
	return 1
}

func report(w io.Writer, o opts, hr *httpResult, small, large *authzScenario, timer float64) {
	_ = slog.Default()
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	line := strings.Repeat("=", 100)
	p("\n%s\n LMS BENCHMARK REPORT  %s\n%s\n", line, time.Now().UTC().Format(time.RFC3339), line)
	p(" machine: %s, %s/%s, GOMAXPROCS %d, NumCPU %d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	p(" note: load client, HTTP server and PostgreSQL share the same cores; both sides of (a) run the same way\n")

	if hr != nil {
		p("\n(a) GET /api/v1/t/{slug}/people/{id} with a bearer token vs raw pgx `%s` (owner role, app.tenant_id set per session, no auth)\n", rawQuery)
		p("    %s\n\n", hr.cfg)
		t := &table{head: []string{"side", "requests", "req/s", "p50", "p90", "p99", "max", "CPU/req: lmsbench", "CPU/req: postgres", "cores busy"}}
		row := func(ph phase) {
			cpuReq := func(d time.Duration) string { return dur(float64(d) / float64(max(ph.n, 1))) }
			pg := "n/a"
			if ph.cpu.pgOK {
				pg = cpuReq(ph.cpu.postgres)
			}
			t.add(ph.name, fmt.Sprint(ph.n), fmt.Sprintf("%.0f", ph.rps()), dur(ph.lat.P50), dur(ph.lat.P90), dur(ph.lat.P99), dur(ph.lat.Max),
				cpuReq(ph.cpu.self), pg, fmt.Sprintf("%.2f", float64(ph.cpu.self+ph.cpu.postgres)/float64(ph.cpu.wall)))
		}
		row(hr.raw)
		row(hr.api)
		if hr.seqRaw.n > 0 {
			row(hr.seqRaw)
			row(hr.seqAPI)
		}
		p("%s\n", indent(t.String(), "    "))
		if hr.rtN > 0 {
			p("    PostgreSQL traffic per request (counting proxy, %d sequential requests after warm-up):\n", hr.rtN)
			p("    HTTP API:\n%s", hr.rtAPI.describe(hr.rtN))
			p("    raw pgx:\n%s\n", hr.rtRaw.describe(hr.rtN))
		}
	}

	if small != nil && large != nil {
		p("\n(b) casbin Allow(member, tenant, \"person\", \"read\") through authz.Authorizer, synthetic Loader (no database)\n")
		p("    roles 10%% admin / 30%% teacher / 60%% learner; only admin is allowed. Per-call timing with time.Now around each call\n")
		p("    (timer pair costs %s, included in per-call figures); batch-of-100 means shown as a cross-check.\n\n", dur(timer))
		t := &table{head: []string{"scenario", "assignments", "load time", "load/tenant p50", "p99", "first 10%", "last 10%", "heap after load", "heap Δ"}}
		for _, s := range []*authzScenario{small, large} {
			name := fmt.Sprintf("%d tenant(s) × %d", s.tenants, s.members)
			if s.loadCut {
				name += fmt.Sprintf(" (only %d loaded: budget)", s.loaded)
			}
			t.add(name, fmt.Sprint(s.loaded*s.members), dur(float64(s.loadTime)), dur(s.loadPer.P50), dur(s.loadPer.P99),
				dur(s.loadFirst), dur(s.loadLast), mib(s.heapAfter), mib(s.heapAfter-min(s.heapAfter, s.heapBefore)))
		}
		p("%s\n", indent(t.String(), "    "))
		t = &table{head: []string{"scenario", "mode", "checks", "allowed", "checks/s", "p50", "p90", "p99", "max"}}
		for _, s := range []*authzScenario{small, large} {
			name := fmt.Sprintf("%d tenant(s)", s.loaded)
			t.add(name, "1 goroutine, per call", fmt.Sprint(s.single.N), fmt.Sprintf("%.1f%%", 100*float64(s.allowed)/float64(s.calls)),
				fmt.Sprintf("%.0f", s.singleRate), dur(s.single.P50), dur(s.single.P90), dur(s.single.P99), dur(s.single.Max))
			t.add(name, "1 goroutine, batch/100", fmt.Sprint(s.singleBatch.N), "", "", dur(s.singleBatch.P50), dur(s.singleBatch.P90), dur(s.singleBatch.P99), dur(s.singleBatch.Max))
			t.add(name, fmt.Sprintf("%d goroutines, per call", runtime.GOMAXPROCS(0)), fmt.Sprint(s.par.N), "",
				fmt.Sprintf("%.0f", s.parRate), dur(s.par.P50), dur(s.par.P90), dur(s.par.P99), dur(s.par.Max))
		}
		p("%s\n", indent(t.String(), "    "))
	}

	p("\nTARGETS\n")
	t := &table{head: []string{"target", "measured", "goal", "result"}}
	if hr != nil {
		tr := hr.api.rps() / hr.raw.rps()
		pr := hr.api.lat.P99 / hr.raw.lat.P99
		t.add("(a) throughput HTTP / raw", fmt.Sprintf("%.3f  (%.0f / %.0f req/s)", tr, hr.api.rps(), hr.raw.rps()), ">= 0.60", met(tr >= 0.6))
		t.add("(a) p99 HTTP / raw", fmt.Sprintf("%.2f  (%s / %s)", pr, dur(hr.api.lat.P99), dur(hr.raw.lat.P99)), "<= 2.00", met(pr <= 2.0))
	}
	if small != nil && large != nil {
		r := large.single.P99 / small.single.P99
		t.add(fmt.Sprintf("(b) p99 check, %d / 1 tenants (1 goroutine)", large.loaded), fmt.Sprintf("%.2f  (%s / %s)", r, dur(large.single.P99), dur(small.single.P99)), "<= 1.50", met(r <= 1.5 && !large.loadCut))
		t.add(fmt.Sprintf("(b) p99 check, %d tenants (1 goroutine)", large.loaded), dur(large.single.P99), "< 10 µs", met(large.single.P99 < 10_000 && !large.loadCut))
		t.add(fmt.Sprintf("(b) p99 check, %d tenants (%d goroutines)", large.loaded, runtime.GOMAXPROCS(0)), dur(large.par.P99), "< 10 µs", met(large.par.P99 < 10_000 && !large.loadCut))
		t.add(fmt.Sprintf("(b) load all %d tenants", large.tenants), fmt.Sprintf("%s, heap %s", dur(float64(large.loadTime)), mib(large.heapAfter)), "(reported)", map[bool]string{true: "INCOMPLETE (budget)", false: "done"}[large.loadCut])
	}
	p("%s", indent(t.String(), "  "))
	p("%s\n", line)
	fmt.Fprint(w, b.String())
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = pre + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}
