package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// courseResult is part (c): a learner opening a course page of 50 items
// with their own progress, full stack against the same reads done raw.
type courseResult struct {
	raw, api phase
	items    int
	learners int
	cfg      string
}

// The raw side runs what the course page needs, each statement on its
// own (tenant set per session, no auth, no transaction, no JSON): the
// course, its sections, its published items with the learner's progress,
// and the access event the page records.
const (
	rawCourse   = `SELECT * FROM courses WHERE tenant_id = $1 AND id = $2`
	rawSections = `SELECT id, title, position FROM course_sections WHERE tenant_id = $1 AND course_id = $2 ORDER BY position, id`
	rawItems    = `SELECT i.id, i.section_id, i.kind, i.title, i.position, i.published, i.url, i.file_id, p.views, p.seconds
		FROM course_items i LEFT JOIN item_progress p ON p.tenant_id = i.tenant_id AND p.item_id = i.id AND p.person_id = $3
		WHERE i.tenant_id = $1 AND i.course_id = $2 AND i.published ORDER BY i.position, i.id`
	rawAccess = `INSERT INTO activity_events (tenant_id, id, person_id, course_id, kind) VALUES ($1, $2, $3, $4, 'access')`
)

func rawCoursePage(ctx context.Context, pool *pgxpool.Pool, tenant, courseID, learner uuid.UUID) (int, error) {
	var title string
	var n int
	rows, err := pool.Query(ctx, rawCourse, tenant, courseID)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return 0, err
		}
		title, _ = vals[3].(string)
	}
	if rows.Close(); rows.Err() != nil || title == "" {
		return 0, fmt.Errorf("raw course: %v", rows.Err())
	}
	rows, err = pool.Query(ctx, rawSections, tenant, courseID)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id uuid.UUID
		var t string
		var pos int
		if err := rows.Scan(&id, &t, &pos); err != nil {
			return 0, err
		}
	}
	rows.Close()
	rows, err = pool.Query(ctx, rawItems, tenant, courseID, learner)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id, section uuid.UUID
		var kind, t string
		var pos int
		var pub bool
		var url *string
		var file *uuid.UUID
		var views, secs *int
		if err := rows.Scan(&id, &section, &kind, &t, &pos, &pub, &url, &file, &views, &secs); err != nil {
			return 0, err
		}
		n++
	}
	rows.Close()
	if _, err := pool.Exec(ctx, rawAccess, tenant, uuid.Must(uuid.NewV7()), learner, courseID); err != nil {
		return 0, err
	}
	return n, rows.Err()
}

// seedCourse makes a school with a published course of 5 sections × 10
// items, learners enrolled with tokens, and each learner's progress on
// every third item.
func seedCourse(ctx context.Context, a *app.App, learners int) (tenantID, courseID uuid.UUID, ids []uuid.UUID, tokens []string, err error) {
	pw := "bench-" + randHex(12)
	res, err := a.Tenants.Apply(ctx, tenant.Manifest{Slug: "bench-c", Name: "Bench course school", Kind: "school", Region: "uk",
		Contract: tenant.ContractSpec{Reference: "BENCH-C", StartsOn: "2026-01-01"},
		Schools:  []tenant.SchoolSpec{{Slug: "main", Name: "Main School"}},
		Admins:   []tenant.AdminSpec{{Email: "admin@bench-c.example", DisplayName: "Bench Admin", InitialPassword: pw}}}, uuid.Nil)
	if err != nil {
		return
	}
	tenantID = res.TenantID
	sc := access.System(tenantID, "lmsbench-seed")
	courseID = uuid.Must(uuid.NewV7())
	var items []uuid.UUID
	err = access.Transact(ctx, a.DB, sc, func(tx *gorm.DB) error {
		var school uuid.UUID
		if err := tx.Raw(`SELECT id FROM schools LIMIT 1`).Row().Scan(&school); err != nil {
			return err
		}
		if err := tx.Create(&course.Course{TenantID: tenantID, ID: courseID, SchoolID: school, Title: "Year 7 Science", Summary: "Bench course", Status: course.Published}).Error; err != nil {
			return err
		}
		for s := range 5 {
			sec := course.Section{TenantID: tenantID, ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Title: fmt.Sprintf("Week %d", s+1), Position: s}
			if err := tx.Create(&sec).Error; err != nil {
				return err
			}
			for i := range 10 {
				u := fmt.Sprintf("https://example.org/resource/%d/%d", s, i)
				it := course.Item{TenantID: tenantID, ID: uuid.Must(uuid.NewV7()), CourseID: courseID, SectionID: sec.ID, Kind: course.KindLink,
					Title: fmt.Sprintf("Resource %d.%d", s+1, i+1), Position: i, Published: true, URL: &u}
				if err := tx.Create(&it).Error; err != nil {
					return err
				}
				items = append(items, it.ID)
			}
		}
		for l := range learners {
			p, err := identity.CreatePersonTx(tx, tenantID, identity.NewPerson{Username: fmt.Sprintf("learner%03d", l), DisplayName: fmt.Sprintf("Learner %03d", l), Password: pw})
			if err != nil {
				return err
			}
			if _, err := identity.AssignRoleTx(tx, tenantID, p.ID, identity.RoleLearner, nil); err != nil {
				return err
			}
			if err := tx.Create(&course.Enrolment{TenantID: tenantID, CourseID: courseID, PersonID: p.ID, Role: course.RoleLearner}).Error; err != nil {
				return err
			}
			for i := 0; i < len(items); i += 3 {
				if err := tx.Exec(`INSERT INTO item_progress (tenant_id, item_id, person_id, course_id, views, seconds) VALUES (?, ?, ?, ?, 2, 120)`,
					tenantID, items[i], p.ID, courseID).Error; err != nil {
					return err
				}
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil {
		return
	}
	for l, id := range ids {
		iss, _, err2 := a.Identity.Login(ctx, tenantID, fmt.Sprintf("learner%03d", l), pw, identity.Client{UserAgent: "lmsbench"})
		if err2 != nil {
			return tenantID, courseID, ids, tokens, fmt.Errorf("login: %w", err2)
		}
		tok, err2 := a.Identity.CreateToken(ctx, identity.Principal{Kind: identity.KindMember, ID: id, TenantID: tenantID, CredentialID: iss.ID}, "lmsbench", 24*time.Hour)
		if err2 != nil {
			return tenantID, courseID, ids, tokens, fmt.Errorf("token: %w", err2)
		}
		tokens = append(tokens, tok.Secret)
	}
	return
}

func benchCourse(ctx context.Context, o opts, cl *cleanups) (*courseResult, error) {
	logf("(c) creating database, migrating, seeding a 50-item course")
	a, db, err := newApp(ctx, o, cl, "(c)")
	if err != nil {
		return nil, err
	}
	const learners = 40
	tenantID, courseID, people, tokens, err := seedCourse(ctx, a, learners)
	if err != nil {
		return nil, fmt.Errorf("(c) seed: %w", err)
	}
	base, err := serve(a.Handler, cl)
	if err != nil {
		return nil, err
	}
	raw, err := openRawPool(ctx, db.OwnerURL, tenantID, int32(o.dbConns))
	if err != nil {
		return nil, err
	}
	cl.add("close (c) raw pool", func(context.Context) error { raw.Close(); return nil })
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConns: 4 * o.concurrency, MaxIdleConnsPerHost: 4 * o.concurrency,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true}, Timeout: 30 * time.Second}
	cl.add("close (c) HTTP client", func(context.Context) error { client.CloseIdleConnections(); return nil })
	url := base + "/api/v1/t/bench-c/courses/" + courseID.String()

	// Both sides must return the 50 items; the API also the learner's progress.
	st, b, err := getPerson(ctx, client, url, tokens[0])
	if err != nil || st != http.StatusOK {
		return nil, fmt.Errorf("(c) verify API: %d %v %.200s", st, err, b)
	}
	var pv course.PageView
	if err := json.Unmarshal(b, &pv); err != nil {
		return nil, err
	}
	got, withProgress := 0, 0
	for _, s := range pv.Sections {
		for _, it := range s.Items {
			got++
			if it.Progress != nil {
				withProgress++
			}
		}
	}
	if got != 50 || withProgress != 17 {
		return nil, fmt.Errorf("(c) verify API: %d items, %d with progress; want 50 and 17", got, withProgress)
	}
	if n, err := rawCoursePage(ctx, raw, tenantID, courseID, people[0]); err != nil || n != 50 {
		return nil, fmt.Errorf("(c) verify raw: %d items, %v", n, err)
	}

	pick := func(w, i int) int { return (w*31 + i) % learners }
	rawOp := func(ctx context.Context, w, i int) error {
		n, err := rawCoursePage(ctx, raw, tenantID, courseID, people[pick(w, i)])
		if err == nil && n != 50 {
			err = fmt.Errorf("raw: %d items", n)
		}
		return err
	}
	apiOp := func(ctx context.Context, w, i int) error {
		st, b, err := getPerson(ctx, client, url, tokens[pick(w, i)])
		if err == nil && st != http.StatusOK {
			err = fmt.Errorf("http: status %d: %.200s", st, b)
		}
		return err
	}
	res := &courseResult{items: 50, learners: learners, cfg: fmt.Sprintf("concurrency %d, %s measured after %s warm-up per side, %d learners, pools %d conns",
		o.concurrency, o.duration, o.warmup, learners, o.dbConns)}
	logf("(c) raw baseline: warm-up %s, measure %s", o.warmup, o.duration)
	if _, err := load(ctx, "raw warm-up", o.concurrency, o.warmup, rawOp); err != nil {
		return nil, err
	}
	if res.raw, err = load(ctx, "raw pgx", o.concurrency, o.duration, rawOp); err != nil {
		return nil, err
	}
	logf("(c) HTTP: warm-up %s, measure %s", o.warmup, o.duration)
	if _, err := load(ctx, "http warm-up", o.concurrency, o.warmup, apiOp); err != nil {
		return nil, err
	}
	if res.api, err = load(ctx, "HTTP API", o.concurrency, o.duration, apiOp); err != nil {
		return nil, err
	}
	for _, p := range []phase{res.raw, res.api} {
		if p.errs > 0 {
			return nil, fmt.Errorf("(c) %s: %d of %d requests failed; first: %w", p.name, p.errs, p.n+p.errs, p.firstErr)
		}
	}
	return res, nil
}

func reportCourse(w io.Writer, r *courseResult) {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("\n(c) Learner course page GET /api/v1/t/{slug}/courses/{id} (course, %d items in 5 sections, own progress, access recorded) with a bearer token\n", r.items)
	p("    vs the same reads and insert as raw pgx statements (owner role, tenant set per session, no auth, no transaction, no JSON)\n")
	p("    %s\n\n", r.cfg)
	t := &table{head: []string{"side", "requests", "req/s", "p50", "p90", "p99", "max"}}
	for _, ph := range []phase{r.raw, r.api} {
		t.add(ph.name, fmt.Sprint(ph.n), fmt.Sprintf("%.0f", ph.rps()), dur(ph.lat.P50), dur(ph.lat.P90), dur(ph.lat.P99), dur(ph.lat.Max))
	}
	p("%s\n", indent(t.String(), "  "))
	ratio := r.api.rps() / r.raw.rps()
	t = &table{head: []string{"target", "measured", "goal", "result"}}
	t.add("(c) course page throughput, API / raw", fmt.Sprintf("%.2f×  (%.0f / %.0f req/s)", ratio, r.api.rps(), r.raw.rps()), ">= 0.50×", met(ratio >= 0.5))
	p("%s", indent(t.String(), "  "))
	fmt.Fprint(w, b.String())
}
