// Command lmsbench measures, in one run, (a) the authorized JSON API read of
// one person against the same row fetched with raw pgx and no auth, and (b)
// the cost of a casbin permission check with 1 and with 10,000 tenants
// loaded, and (f) a generated OneRoster 1.2 export of a 20,000-person
// trust imported into a fresh tenant and re-imported, against a tenth of it.
// It prints one report; targets not met are reported, not failed.
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
	lifecycleParts   string
	concurrency      int
	duration         time.Duration
	warmup           time.Duration
	people           int
	dbConns          int
	serverLog        string
	cpuProfile       string
	diag             bool
	whatIfDuration   time.Duration
	authzCalls       int
	authzReps        int
	authzTenants     int
	authzMembers     int
	authzLoadBudget  time.Duration
	only             string
	rosterPeople     int
	rosterBase       int
	rosterSchools    int
	rosterEnrolments int
	rosterOrgIDs     string
	rosterProfile    string
	rushSchool       int
	rushSignIns      int
	rushReaders      int
	rushWindow       time.Duration
	rushBefore       time.Duration
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
	flag.DurationVar(&o.whatIfDuration, "whatif-duration", 3*time.Second, "(a) measured duration of each what-if variant (with -diag)")
	flag.IntVar(&o.authzCalls, "authz-calls", 200_000, "(b) timed Allow calls per scenario and mode")
	flag.IntVar(&o.authzReps, "authz-reps", 3, "(b) runs of -authz-calls timed calls (one goroutine, per call), pooled")
	flag.IntVar(&o.authzTenants, "authz-tenants", 10_000, "(b) tenants in the large scenario")
	flag.IntVar(&o.authzMembers, "authz-members", 50, "(b) members per tenant")
	flag.DurationVar(&o.authzLoadBudget, "authz-load-budget", 25*time.Second, "(b) Authorizer path: stop loading tenants after this long and measure with those loaded (reported)")
	flag.StringVar(&o.lifecycleParts, "lifecycle-parts", "e1,e2,e3", "(e) which parts to run")
	flag.StringVar(&o.only, "only", "", "run only part http, course, export, lifecycle, roster, rush or authz")
	flag.IntVar(&o.rosterPeople, "roster-people", 20_000, "(f) people in the trust's export")
	flag.IntVar(&o.rosterBase, "roster-base", 2_000, "(f) people in the baseline export")
	flag.IntVar(&o.rosterSchools, "roster-schools", 8, "(f) schools of the trust")
	flag.IntVar(&o.rosterEnrolments, "roster-enrolments", 12, "(f) classes per pupil (20,000 people give about 200,000 enrolments)")
	flag.StringVar(&o.rosterOrgIDs, "roster-orgs", "guid", "(f) org sourcedIds in the export: guid (matched by the DfE numbers the bench records on the schools) or slug (the tenant's school slugs)")
	flag.StringVar(&o.rosterProfile, "roster-cpuprofile", "", "(f) write a CPU profile of the trust's import to this file")
	flag.IntVar(&o.rushSchool, "rush-school", 1_500, "(g) people in the school")
	flag.IntVar(&o.rushSignIns, "rush-signins", 1_000, "(g) distinct pupils signing in during the rush")
	flag.IntVar(&o.rushReaders, "rush-readers", 50, "(g) learners reading course pages throughout")
	flag.DurationVar(&o.rushWindow, "rush-window", time.Minute, "(g) the rush: all sign-ins arrive within it, evenly (open loop)")
	flag.DurationVar(&o.rushBefore, "rush-before", 10*time.Second, "(g) learners reading before the rush (the baseline)")
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
	if o.only != "" && o.only != "http" && o.only != "authz" && o.only != "course" && o.only != "export" && o.only != "lifecycle" && o.only != "roster" && o.only != "rush" {
		fmt.Fprintf(os.Stderr, "lmsbench: -only must be http, authz, course, export, lifecycle, roster or rush\n")
		return 2
	}

	var hr *httpResult
	var ab *authzResult
	var err error
	var cr *courseResult
	if o.only == "" || o.only == "http" {
		if hr, err = benchHTTP(ctx, o, cl); err != nil {
			return fail(err)
		}
	}
	if o.only == "" || o.only == "course" {
		if cr, err = benchCourse(ctx, o, cl); err != nil {
			return fail(err)
		}
	}
	var xr *exportResult
	if o.only == "" || o.only == "export" {
		if xr, err = benchExport(ctx, o, cl); err != nil {
			return fail(err)
		}
	}
	var lr *lifecycleResult
	if o.only == "" || o.only == "lifecycle" {
		if lr, err = benchLifecycle(ctx, o, cl); err != nil {
			return fail(err)
		}
	}
	var rr *rosterResult
	if o.only == "" || o.only == "roster" {
		if rr, err = benchRoster(ctx, o, cl); err != nil {
			return fail(err)
		}
	}
	var gr *rushResult
	if o.only == "" || o.only == "rush" {
		if gr, err = benchRush(ctx, o, cl); err != nil {
			return fail(err)
		}
	}
	if o.only == "" || o.only == "authz" {
		if ab, err = benchAuthz(ctx, o); err != nil {
			return fail(err)
		}
	}
	report(os.Stdout, o, hr, ab)
	if cr != nil {
		reportCourse(os.Stdout, cr)
	}
	if xr != nil {
		reportExport(os.Stdout, xr)
	}
	if lr != nil {
		reportLifecycle(os.Stdout, lr)
	}
	if rr != nil {
		reportRoster(os.Stdout, rr)
	}
	if gr != nil {
		reportRush(os.Stdout, gr)
	}
	return 0
}

// authzResult is part (b) of the report.
type authzResult struct {
	timer            float64
	otherCores       float64 // machine CPU used by anything else during (b)
	az1, azN, e1, eN *authzScenario
}

func benchAuthz(ctx context.Context, o opts) (*authzResult, error) {
	r := &authzResult{timer: timerCost()}
	cpu0 := sampleCPU()
	defer func() { r.otherCores = cpuSince(cpu0).otherCores() }()
	var err error
	az := func(ctx context.Context, s *authzScenario) (checkFn, any, error) {
		budget := time.Duration(0)
		if s.tenants > 1 {
			budget = o.authzLoadBudget
		}
		return loadAuthorizer(ctx, s, budget)
	}
	steps := []struct {
		out     **authzScenario
		name    string
		tenants int
		load    loaderFn
	}{
		{&r.az1, "Authorizer.Allow", 1, az},
		{&r.azN, "Authorizer.Allow", o.authzTenants, az},
		{&r.e1, "casbin Enforce (bulk-loaded)", 1, loadEnforcer},
		{&r.eN, "casbin Enforce (bulk-loaded)", o.authzTenants, loadEnforcer},
	}
	for _, st := range steps {
		logf("(b) %s: %d tenant(s) × %d members", st.name, st.tenants, o.authzMembers)
		if *st.out, err = runAuthz(ctx, st.name, st.tenants, o.authzMembers, o.authzCalls, o.authzReps, st.load); err != nil {
			return nil, err
		}
		if s := *st.out; s.loadCut {
			logf("(b)   stopped loading after %d of %d tenants (budget %s)", s.loaded, s.tenants, o.authzLoadBudget)
		}
	}
	return r, nil
}

// partial is MET / NOT MET, and NOT MET whatever the figure when the
// Authorizer could not load every tenant.
func partial(ok bool, s *authzScenario) string {
	if s.loadCut {
		return fmt.Sprintf("NOT MET (could not load %d)", s.tenants)
	}
	return met(ok)
}

func fail(err error) int {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "lmsbench: interrupted")
		return 130
	}
	fmt.Fprintf(os.Stderr, "lmsbench: error: %v\n", err)
	return 1
}

func report(w io.Writer, o opts, hr *httpResult, ab *authzResult) {
	var warnings []string
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	line := strings.Repeat("=", 100)
	p("\n%s\n LMS BENCHMARK REPORT  %s\n%s\n", line, time.Now().UTC().Format(time.RFC3339), line)
	p(" machine: %s, %s/%s, GOMAXPROCS %d, NumCPU %d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	p(" note: load client, HTTP server and PostgreSQL share the same cores; both sides of (a) run the same way\n")

	if hr != nil {
		p("\n(a) GET /api/v1/t/{slug}/people/{id} with a bearer token vs raw pgx `%s` (owner role, app.tenant_id set per session, no auth)\n", rawQuery)
		p("    %s\n\n", hr.cfg)
		t := &table{head: []string{"side", "requests", "req/s", "p50", "p90", "p99", "max", "CPU/req: lmsbench", "CPU/req: postgres", "cores busy", "other procs"}}
		row := func(ph phase) {
			cpuReq := func(d time.Duration) string { return dur(float64(d) / float64(max(ph.n, 1))) }
			pg := "n/a"
			if ph.cpu.pgOK {
				pg = cpuReq(ph.cpu.postgres)
			}
			t.add(ph.name, fmt.Sprint(ph.n), fmt.Sprintf("%.0f", ph.rps()), dur(ph.lat.P50), dur(ph.lat.P90), dur(ph.lat.P99), dur(ph.lat.Max),
				cpuReq(ph.cpu.self), pg, fmt.Sprintf("%.2f", float64(ph.cpu.self+ph.cpu.postgres)/float64(ph.cpu.wall)), fmt.Sprintf("%.2f cores", ph.cpu.otherCores()))
			if c := ph.cpu.otherCores(); c > 0.15 {
				warnings = append(warnings, fmt.Sprintf("%s: other processes kept %.2f cores busy during the measurement", ph.name, c))
			}
		}
		row(hr.raw)
		row(hr.api)
		if hr.seqRaw.n > 0 {
			row(hr.seqRaw)
			row(hr.seqAPI)
		}
		p("%s", indent(t.String(), "    "))
		p("    CPU/req: lmsbench is this whole process (load client + server); postgres is the backends of the benchmark database;\n")
		p("    other procs is everything else on the machine during the phase (it should be near 0).\n\n")
		if hr.rtN > 0 {
			p("    PostgreSQL traffic per request (counting proxy, %d sequential requests after warm-up):\n", hr.rtN)
			p("    HTTP API:\n%s", hr.rtAPI.describe(hr.rtN))
			p("    raw pgx:\n%s\n", hr.rtRaw.describe(hr.rtN))
		}
		if len(hr.whatIfs) > 0 {
			p("    What-if variants (diagnostic, same concurrency, %s each; pgx variants run as the app role lms_server with RLS):\n", o.whatIfDuration)
			t := &table{head: []string{"variant", "RT/req", "req/s", "p50", "p99", "CPU/req: lmsbench", "CPU/req: postgres", "CPU/req total", "other procs", "what it shows"}}
			cpu := func(ph phase) float64 { return float64(ph.cpu.self+ph.cpu.postgres) / float64(max(ph.n, 1)) }
			for _, w := range hr.whatIfs {
				t.add(w.name, fmt.Sprintf("%.2f", w.rt), fmt.Sprintf("%.0f", w.rps()), dur(w.lat.P50), dur(w.lat.P99), dur(float64(w.cpu.self)/float64(w.n)),
					dur(float64(w.cpu.postgres)/float64(w.n)), dur(cpu(w.phase)), fmt.Sprintf("%.2f cores", w.cpu.otherCores()), w.note)
			}
			p("%s\n", indent(t.String(), "    "))
			raw, api, floor := cpu(hr.raw), cpu(hr.api), cpu(hr.whatIfs[0].phase)
			cores := float64(hr.raw.cpu.self+hr.raw.cpu.postgres) / float64(hr.raw.cpu.wall)
			p("    CPU budget per request (this process + the benchmark database's backends; CPU-bound here: %.2f cores busy on raw):\n", cores)
			p("      raw pgx %s;  HTTP API %s = HTTP floor %s + auth, scope, query, casbin, logging %s", dur(raw), dur(api), dur(floor), dur(api-floor))
			if rt := hr.rtAPI.roundTrips(); hr.rtN > 0 && rt > 0 {
				p(" (%.2f round trips: %s per round trip)", float64(rt)/float64(hr.rtN), dur((api-floor)/(float64(rt)/float64(hr.rtN))))
			}
			p("\n")
			p("    Upper-bound estimates for the HTTP API if its database work cost what a variant costs and nothing else were added:\n")
			for _, w := range hr.whatIfs[1:] {
				est := cores / ((floor + cpu(w.phase)) / 1e9)
				p("      %-40s ≈ %6.0f req/s   ratio to raw ≈ %.2f\n", w.name, est, est/hr.raw.rps())
			}
			p("      a ratio of 0.60 needs ≤ %s CPU per HTTP request; the HTTP floor alone (load client included) is %s\n\n", dur(raw/0.6), dur(floor))
		}
	}

	if ab != nil {
		procs := runtime.GOMAXPROCS(0)
		p("\n(b) permission check (member, tenant, \"person\", \"read\"), synthetic role assignments (no database)\n")
		p("    roles 10%% admin / 30%% teacher / 60%% learner; only admin is allowed. Two paths:\n")
		p("      Authorizer.Allow     the production path: authz.New + Loader, each tenant loaded by its first Allow\n")
		p("      casbin Enforce       the same model, permissions, rule shape and Enforce arguments, all tenants added in ONE\n")
		p("                           AddGroupingPolicies call (Authorizer's one-by-one loading cannot reach %d tenants in time)\n", o.authzTenants)
		p("    Latency: time.Now around each call (a timer pair costs %s, included); batch-of-100 means as a cross-check.\n", dur(ab.timer))
		p("    One goroutine per call: %d runs of %d calls pooled (p99 of each run in the last column); then %d calls in batches, %d calls on %d goroutines.\n\n",
			o.authzReps, o.authzCalls, o.authzCalls, o.authzCalls, runtime.GOMAXPROCS(0))
		all := []*authzScenario{ab.az1, ab.azN, ab.e1, ab.eN}
		t := &table{head: []string{"path", "tenants", "assignments", "load time", "load/tenant p50", "p99", "first 10%", "last 10%", "heap after load", "heap Δ"}}
		for _, s := range all {
			tn := fmt.Sprint(s.loaded)
			if s.loadCut {
				tn = fmt.Sprintf("%d of %d", s.loaded, s.tenants)
			}
			lp50, lp99, lf, ll := "-", "-", "-", "-"
			if s.loadPer.N > 0 {
				lp50, lp99, lf, ll = dur(s.loadPer.P50), dur(s.loadPer.P99), dur(s.loadFirst), dur(s.loadLast)
			}
			t.add(s.name, tn, fmt.Sprint(s.loaded*s.members), dur(float64(s.loadTime)), lp50, lp99, lf, ll, mib(s.heapAfter), mib(s.heapAfter-min(s.heapAfter, s.heapBefore)))
		}
		p("%s", indent(t.String(), "    "))
		if s := ab.azN; s.loadCut {
			p("    Authorizer loading is quadratic: the last 10%% of loads took %.0f× the first 10%%; loading all %d tenants one by one\n", s.loadLast/s.loadFirst, s.tenants)
			p("    would take about %s (extrapolated from %d tenants in %s).\n", s.extrapolatedLoad().Round(time.Second), s.loaded, s.loadTime.Round(time.Millisecond))
		}
		p("\n")
		t = &table{head: []string{"path", "tenants", "mode", "checks", "allowed", "checks/s", "allocs/check", "p50", "p90", "p99", "max", "p99 per run"}}
		for _, s := range all {
			t.add(s.name, fmt.Sprint(s.loaded), "1 goroutine, per call", fmt.Sprint(s.single.N), fmt.Sprintf("%.1f%%", 100*float64(s.allowed)/float64(s.calls)),
				fmt.Sprintf("%.0f", s.singleRate), fmt.Sprintf("%.0f (%.0f B)", s.allocs, s.bytes), dur(s.single.P50), dur(s.single.P90), dur(s.single.P99), dur(s.single.Max), perRun(s.repP99))
			t.add("", "", "1 goroutine, batch/100", fmt.Sprint(s.singleBatch.N), "", "", "", dur(s.singleBatch.P50), dur(s.singleBatch.P90), dur(s.singleBatch.P99), dur(s.singleBatch.Max))
			t.add("", "", fmt.Sprintf("%d goroutines, per call", procs), fmt.Sprint(s.par.N), "",
				fmt.Sprintf("%.0f", s.parRate), "", dur(s.par.P50), dur(s.par.P90), dur(s.par.P99), dur(s.par.Max))
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
	if ab != nil {
		procs := runtime.GOMAXPROCS(0)
		e1, eN, a1, aN := ab.e1, ab.eN, ab.az1, ab.azN
		// The targets apply to the check the API runs: Authorizer.Allow
		// (permissions compiled through casbin, assignments per tenant).
		r := aN.single.P99 / a1.single.P99
		suffix := ""
		if aN.loadCut {
			suffix = fmt.Sprintf(" (only %d loaded)", aN.loaded)
		}
		t.add(fmt.Sprintf("(b) p99 Allow %d / 1 tenants%s", aN.loaded, suffix), fmt.Sprintf("%.2f  (%s / %s)", r, dur(aN.single.P99), dur(a1.single.P99)), "<= 1.50", partial(r <= 1.5, aN))
		t.add(fmt.Sprintf("(b) p99 Allow at %d tenants%s", aN.loaded, suffix), dur(aN.single.P99), "< 10 µs", partial(aN.single.P99 < 10_000, aN))
		t.add(fmt.Sprintf("(b) p99 Allow at %d tenants (%d goroutines)%s", aN.loaded, procs, suffix), dur(aN.par.P99), "< 10 µs", partial(aN.par.P99 < 10_000, aN))
		if aN.loadCut {
			t.add(fmt.Sprintf("(b) Authorizer loads all %d tenants", aN.tenants), fmt.Sprintf("%d in %s; all ≈ %s (extrapolated)", aN.loaded, aN.loadTime.Round(time.Millisecond), aN.extrapolatedLoad().Round(time.Second)), "(reported)", "INCOMPLETE")
		} else {
			t.add(fmt.Sprintf("(b) Authorizer loads all %d tenants", aN.tenants), aN.loadTime.Round(time.Millisecond).String(), "(reported)", "done")
		}
		// Reference: evaluating casbin's matcher on every request, which
		// the Authorizer avoids.
		r = eN.single.P99 / e1.single.P99
		t.add(fmt.Sprintf("    reference: casbin Enforce per check, p99 %d / 1 tenants", eN.loaded), fmt.Sprintf("%.2f  (%s / %s)", r, dur(eN.single.P99), dur(e1.single.P99)), "", "(reference)")
		t.add(fmt.Sprintf("    reference: casbin Enforce per check, p99 at %d tenants", eN.loaded), dur(eN.single.P99), "", "(reference)")
		t.add(fmt.Sprintf("    reference: casbin heap after loading %d tenants", eN.loaded), mib(eN.heapAfter), "", "(reference)")
	}
	p("%s", indent(t.String(), "  "))
	if ab != nil && ab.otherCores > 0.15 {
		warnings = append(warnings, fmt.Sprintf("(b): other processes kept %.2f cores busy on average", ab.otherCores))
	}
	for _, wn := range warnings {
		p("  WARNING: %s; figures are disturbed.\n", wn)
	}
	p("%s\n", line)
	fmt.Fprint(w, b.String())
}

func perRun(p99 []float64) string {
	var out []string
	for _, v := range p99 {
		out = append(out, dur(v))
	}
	return strings.Join(out, " / ")
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = pre + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}
