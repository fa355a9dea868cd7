package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/lms/roster/rostertest"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// rosterRun is one roster import of part (f): a generated OneRoster 1.2
// export of a trust imported into a fresh tenant, then imported again
// unchanged.
type rosterRun struct {
	people, enrolments, rows int
	bytes                    int
	uploads                  int    // 1, or one per school when the whole files were refused
	refused                  string // why the whole export was refused, if it was
	imp, reimp               time.Duration
	impCPU, reimpCPU         cpuUse
	heapPeak, rssPeak        uint64 // heap in use above the start; resident set at its highest
	created                  roster.Counts
	unchanged                roster.Counts
	impScans, reimpScans     []string // the tables PostgreSQL read most, and how
}

// rosterResult is part (f): the trust against a baseline of a tenth of it,
// both imported in the same run.
type rosterResult struct {
	base, trust *rosterRun
	schools     int
	orgIDs      string
	profile     string
}

func benchRoster(ctx context.Context, o opts, cl *cleanups) (*rosterResult, error) {
	logf("(f) creating database for the roster import")
	a, db, err := newApp(ctx, o, cl, "(f)")
	if err != nil {
		return nil, err
	}
	stats, err := pgxpool.New(ctx, db.OwnerURL)
	if err != nil {
		return nil, err
	}
	cl.add("close (f) statistics pool", func(context.Context) error { stats.Close(); return nil })
	r := &rosterResult{schools: o.rosterSchools, orgIDs: o.rosterOrgIDs, profile: o.rosterProfile}
	for i, people := range []int{o.rosterBase, o.rosterPeople} {
		profile := ""
		if i == 1 {
			profile = o.rosterProfile
		}
		run, err := rosterImport(ctx, a, stats, o, fmt.Sprintf("bench-r%d", i), people, profile)
		if err != nil {
			return nil, fmt.Errorf("(f) %d people: %w", people, err)
		}
		if i == 0 {
			r.base = run
		} else {
			r.trust = run
		}
	}
	return r, nil
}

// rosterImport makes a trust tenant of o.rosterSchools schools, generates
// its export and imports it twice, timing each import and sampling memory
// during the first.
func rosterImport(ctx context.Context, a *app.App, stats *pgxpool.Pool, o opts, slug string, people int, profile string) (*rosterRun, error) {
	m := tenant.Manifest{Slug: slug, Name: "Bench trust " + slug, Kind: "trust", Region: "uk",
		Contract: tenant.ContractSpec{Reference: "BENCH-" + slug, StartsOn: "2026-01-01"},
		Admins:   []tenant.AdminSpec{{Email: "admin@" + slug + ".example", DisplayName: "Bench Admin", InitialPassword: "bench-" + randHex(12)}}}
	var slugs []string
	for i := range o.rosterSchools {
		s := fmt.Sprintf("%s-school-%d", slug, i+1)
		slugs = append(slugs, s)
		m.Schools = append(m.Schools, tenant.SchoolSpec{Slug: s, Name: fmt.Sprintf("School %d", i+1)})
	}
	res, err := a.Tenants.Apply(ctx, m, uuid.Nil)
	if err != nil {
		return nil, err
	}
	set := rostertest.Generate(rostertest.Options{Schools: o.rosterSchools, People: people, EnrolmentsPerPupil: o.rosterEnrolments,
		Seed: 24, OrgIDs: o.rosterOrgIDs, SchoolSlugs: slugs})
	if o.rosterOrgIDs == "guid" {
		// A school is matched to its GUID org by the DfE number an admin
		// records on it.
		err := access.Transact(ctx, a.DB, access.System(res.TenantID, "lmsbench seed"), func(tx *gorm.DB) error {
			for i, s := range set.Schools {
				if err := tx.Exec(`UPDATE schools SET dfe_number = ? WHERE slug = ?`, s.Identifier, slugs[i]).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("record DfE numbers: %w", err)
		}
	}
	sc := access.System(res.TenantID, "lmsbench roster")
	// Guardian accounts on in every school, as a trust that uses them.
	for _, sl := range slugs {
		var id uuid.UUID
		if err := access.Transact(ctx, a.DB, sc, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id FROM schools WHERE slug = ?`, sl).Row().Scan(&id)
		}); err != nil {
			return nil, err
		}
		if err := a.Roster.SetGuardians(ctx, sc, id, true); err != nil {
			return nil, fmt.Errorf("guardian accounts on: %w", err)
		}
	}
	files := set.BulkFiles()
	run := &rosterRun{people: people}
	for n, k := range rostertest.Rows(files) {
		run.rows += k
		if n == "enrollments.csv" {
			run.enrolments = k
		}
	}
	for _, b := range files {
		run.bytes += len(b)
	}
	// importAll imports the whole export, or each school's part in turn
	// when one upload may not hold it (rows or bytes over the limits).
	importAll := func() (roster.Counts, error) {
		if run.uploads <= 1 {
			rec, err := a.Roster.Import(ctx, sc, files, false)
			rej, ok := roster.AsRejected(err)
			if ok && !rej.FileLevel {
				return rec.Counts, rejection(rej)
			}
			if !ok {
				run.uploads = 1
				return rec.Counts, err
			}
			run.refused = rej.Import.Errors[0].File + ": " + rej.Import.Errors[0].Message
			logf("(f)   the whole export was refused (%s); importing it school by school", run.refused)
		}
		run.uploads = o.rosterSchools
		var sum roster.Counts
		for i := range o.rosterSchools {
			rec, err := a.Roster.Import(ctx, sc, set.SchoolFiles(i), false)
			if rej, ok := roster.AsRejected(err); ok {
				return sum, fmt.Errorf("school %d: %w", i+1, rejection(rej))
			} else if err != nil {
				return sum, fmt.Errorf("school %d: %w", i+1, err)
			}
			addCounts(&sum, rec.Counts)
		}
		return sum, nil
	}

	logf("(f) %s: importing %d people, %d enrolments (%d rows, %.1f MiB)", slug, people, run.enrolments, run.rows, float64(run.bytes)/(1<<20))
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	settleStats()
	scans0, err := scanCounts(ctx, stats)
	if err != nil {
		return nil, err
	}
	cpu0 := sampleCPU()
	t0 := time.Now()
	run.heapPeak, run.rssPeak, err = peakMem(func() error {
		var err error
		run.created, err = importAll()
		return err
	})
	run.imp, run.impCPU = time.Since(t0), cpuSince(cpu0)
	if profile != "" {
		pprof.StopCPUProfile()
		logf("(f)   CPU profile of the import written to %s (go tool pprof -top %s)", profile, profile)
	}
	if err != nil {
		return nil, err
	}
	logf("(f) %s: imported in %s; importing it again unchanged", slug, run.imp.Round(time.Millisecond))
	settleStats()
	scans1, err := scanCounts(ctx, stats)
	if err != nil {
		return nil, err
	}
	run.impScans = scanDiff(scans0, scans1, 6)
	if profile != "" {
		f, err := os.Create(profile + ".reimport")
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	cpu0 = sampleCPU()
	t0 = time.Now()
	run.unchanged, err = importAll()
	run.reimp, run.reimpCPU = time.Since(t0), cpuSince(cpu0)
	if profile != "" {
		pprof.StopCPUProfile()
		logf("(f)   CPU profile of the re-import written to %s.reimport", profile)
	}
	if err != nil {
		return nil, err
	}
	logf("(f) %s: re-imported in %s", slug, run.reimp.Round(time.Millisecond))
	settleStats()
	scans2, err := scanCounts(ctx, stats)
	if err != nil {
		return nil, err
	}
	run.reimpScans = scanDiff(scans1, scans2, 6)
	return run, nil
}

// rejection words a refused upload by its first problems.
func rejection(rej *roster.RejectedError) error {
	var msgs []string
	for _, e := range rej.Import.Errors[:min(3, len(rej.Import.Errors))] {
		msgs = append(msgs, fmt.Sprintf("%s line %d %s: %s", e.File, e.Line, e.Field, e.Message))
	}
	return fmt.Errorf("refused, %d problems: %s", rej.Import.ErrorCount, strings.Join(msgs, "; "))
}

func addCounts(sum *roster.Counts, c roster.Counts) {
	for _, p := range [][2]*roster.Tally{{&sum.People, &c.People}, {&sum.Roles, &c.Roles}, {&sum.Courses, &c.Courses}, {&sum.Enrolments, &c.Enrolments}} {
		p[0].Created += p[1].Created
		p[0].Updated += p[1].Updated
		p[0].Unchanged += p[1].Unchanged
		p[0].Removed += p[1].Removed
		p[0].Skipped += p[1].Skipped
	}
}

// peakMem runs fn, sampling every 20 ms the heap in use (its rise above
// the start) and the process's resident set (its highest).
func peakMem(fn func() error) (heap, rss uint64, err error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > base {
					heap = max(heap, m.HeapInuse-base)
				}
				rss = max(rss, residentBytes())
			}
		}
	}()
	err = fn()
	close(stop)
	wg.Wait()
	return heap, rss, err
}

// residentBytes is this process's resident set, from /proc/self/statm.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

func reportRoster(w io.Writer, r *rosterResult) {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("\n(f) Roster import: a generated OneRoster 1.2 export (rostertest: trust of %d schools, org ids %s, BOM, CRLF, quoted commas,\n", r.schools, r.orgIDs)
	p("    guardians, aides, demographics) imported into a fresh tenant through roster.Service.Import (no HTTP), then again unchanged;\n")
	p("    baseline: a tenth of the trust imported the same way in the same run\n\n")
	t := &table{head: []string{"export", "people", "enrolments", "rows", "size", "uploads", "import", "per 1,000 rows", "CPU: lmsbench / postgres",
		"re-import", "heap in use peak", "RSS peak", "other procs"}}
	row := func(name string, x *rosterRun) {
		per := float64(x.imp) / float64(x.rows) * 1000
		t.add(name, fmt.Sprint(x.people), fmt.Sprint(x.enrolments), fmt.Sprint(x.rows), fmt.Sprintf("%.1f MiB", float64(x.bytes)/(1<<20)),
			fmt.Sprint(x.uploads), x.imp.Round(time.Millisecond).String(), dur(per),
			fmt.Sprintf("%s / %s", x.impCPU.self.Round(time.Millisecond), x.impCPU.postgres.Round(time.Millisecond)),
			x.reimp.Round(time.Millisecond).String(), mib(x.heapPeak), mib(x.rssPeak), fmt.Sprintf("%.2f cores", x.impCPU.otherCores()))
	}
	row("baseline", r.base)
	row("trust", r.trust)
	p("%s", indent(t.String(), "    "))
	for _, x := range []*rosterRun{r.base, r.trust} {
		if x.refused != "" {
			p("    The whole export of %d people was refused as one upload (%s): it was imported school by school, %d uploads.\n", x.people, x.refused, x.uploads)
		}
	}
	c := r.trust.created
	p("    trust, first import: people %d created, %d skipped; enrolments %d created, %d skipped; courses %d created\n",
		c.People.Created, c.People.Skipped, c.Enrolments.Created, c.Enrolments.Skipped, c.Courses.Created)
	u := r.trust.unchanged
	p("    trust, re-import: people %d unchanged, %d updated; enrolments %d unchanged, %d created\n",
		u.People.Unchanged, u.People.Updated, u.Enrolments.Unchanged, u.Enrolments.Created)
	p("    CPU of the re-imports: lmsbench %s / postgres %s (baseline), lmsbench %s / postgres %s (trust)\n",
		r.base.reimpCPU.self.Round(time.Millisecond), r.base.reimpCPU.postgres.Round(time.Millisecond),
		r.trust.reimpCPU.self.Round(time.Millisecond), r.trust.reimpCPU.postgres.Round(time.Millisecond))
	for _, x := range []struct {
		name  string
		lines []string
	}{{"trust's import", r.trust.impScans}, {"trust's re-import", r.trust.reimpScans}, {"baseline's re-import", r.base.reimpScans}} {
		p("    Tables PostgreSQL read most during the %s (pg_stat_user_tables):\n", x.name)
		for _, l := range x.lines {
			p("      %s\n", l)
		}
	}
	if r.profile != "" {
		p("    CPU profiles of the trust's import and re-import: %s and %s.reimport (go tool pprof -top FILE)\n", r.profile, r.profile)
	}
	perBase := float64(r.base.imp) / float64(r.base.rows)
	perTrust := float64(r.trust.imp) / float64(r.trust.rows)
	t = &table{head: []string{"target", "measured", "goal", "result"}}
	t.add(fmt.Sprintf("(f) import of %d people, %d enrolments", r.trust.people, r.trust.enrolments), r.trust.imp.Round(time.Millisecond).String(), "< 60 s", met(r.trust.imp < time.Minute))
	t.add("(f) its re-import, nothing changed", r.trust.reimp.Round(time.Millisecond).String(), "< 5 s", met(r.trust.reimp < 5*time.Second))
	t.add("(f) cost per row, trust / baseline", fmt.Sprintf("%.2f  (%s / %s per 1,000 rows)", perTrust/perBase, dur(perTrust*1000), dur(perBase*1000)), "≈ 1 (linear)", "(reported)")
	t.add("(f) re-import / import, trust", fmt.Sprintf("%.3f", r.trust.reimp.Seconds()/r.trust.imp.Seconds()), "", "(reported)")
	t.add("(f) heap in use peak, trust / baseline", fmt.Sprintf("%.1f  (%s / %s)", float64(r.trust.heapPeak)/float64(max(r.base.heapPeak, 1)), mib(r.trust.heapPeak), mib(r.base.heapPeak)),
		"flat (streamed)", "(reported)")
	p("\n%s\n", indent(t.String(), "  "))
	fmt.Fprint(w, b.String())
}
