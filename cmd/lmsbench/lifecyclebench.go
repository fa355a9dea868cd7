package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/privacy"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// lifecycleResult is part (e), contract end:
//
//	(e1) deleting a tenant of >= 1,000,000 rows and 10,000 objects, against
//	     raw batched DELETE ... WHERE tenant_id (and raw S3 list and batch
//	     delete) on an identical tenant in the same database;
//	(e2) deleting the same tenant in a database of 1,000 tenants against
//	     one of 10;
//	(e3) the full export's rows per second against a raw COPY ... TO STDOUT
//	     of the same tables, at two sizes, with the heap's peak growth.
type lifecycleResult struct {
	rows, objects      int64
	rawDel, appDel     time.Duration
	small, large       int
	delSmall, delLarge time.Duration
	exports            []exportSize
}

type exportSize struct {
	rows             int64
	raw, both, app   time.Duration
	rawPeak, appPeak uint64
	zipBytes         int64
}

const (
	e1Rows    = 1_000_000
	e1Objects = 10_000
	e2Rows    = 100_000
	e2Objects = 1_000
)

// tombstoneTables are left by a deletion (lifecycle's tombstones).
var tombstoneTables = map[string]bool{"tenants": true, "contracts": true, "deletions": true, "deletion_objects": true, "deletion_certificates": true,
	"backups": true, "backup_keys": true, "backup_erasures": true}

func benchLifecycle(ctx context.Context, o opts, cl *cleanups) (*lifecycleResult, error) {
	r := &lifecycleResult{rows: e1Rows, objects: e1Objects, small: 10, large: 1000}
	a, db, err := newApp(ctx, o, cl, "(e)")
	if err != nil {
		return nil, err
	}
	super, err := superPool(ctx, db)
	if err != nil {
		return nil, err
	}
	defer super.Close()
	op, _, err := a.Identity.EnsureStaff(ctx, "bench-operator@processor.example", "Bench Operator", identity.StaffOperator, "bench-"+randHex(12))
	if err != nil {
		return nil, err
	}

	if strings.Contains(o.lifecycleParts, "e1") {
		if err := benchE1(ctx, a, super, op.ID, r); err != nil {
			return nil, err
		}
	}
	for _, n := range []int{r.small, r.large} {
		if !strings.Contains(o.lifecycleParts, "e2") {
			break
		}
		logf("(e2) a database of %d tenants", n)
		a2, db2, err := newApp(ctx, o, cl, "(e2)")
		if err != nil {
			return nil, err
		}
		super2, err := superPool(ctx, db2)
		if err != nil {
			return nil, err
		}
		op2, _, err := a2.Identity.EnsureStaff(ctx, "bench-operator@processor.example", "Bench Operator", identity.StaffOperator, "bench-"+randHex(12))
		if err != nil {
			super2.Close()
			return nil, err
		}
		if err := seedManyTenants(ctx, super2, n-1, 1000); err != nil {
			super2.Close()
			return nil, fmt.Errorf("(e2) seed: %w", err)
		}
		target, err := seedBulkTenant(ctx, a2, super2, "bench-del-target", e2Rows, e2Objects)
		if err != nil {
			super2.Close()
			return nil, fmt.Errorf("(e2) seed: %w", err)
		}
		d, err := platformDelete(ctx, a2, super2, op2.ID, target)
		super2.Close()
		if err != nil {
			return nil, fmt.Errorf("(e2) deletion: %w", err)
		}
		if n == r.small {
			r.delSmall = d
		} else {
			r.delLarge = d
		}
	}

	for i, n := range []int64{200_000, 1_000_000} {
		if !strings.Contains(o.lifecycleParts, "e3") {
			break
		}
		logf("(e3) full export of a tenant of %d rows", n)
		t, err := seedBulkTenant(ctx, a, super, fmt.Sprintf("bench-export-%d", i), n, 0)
		if err != nil {
			return nil, fmt.Errorf("(e3) seed: %w", err)
		}
		x := exportSize{}
		x.rawPeak, err = peakHeap(func() error {
			t0 := time.Now()
			rows, err := rawCopy(ctx, super, t)
			x.raw, x.rows = time.Since(t0), rows
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("(e3) raw: %w", err)
		}
		t0 := time.Now()
		if err := rawCopyBoth(ctx, super, t); err != nil {
			return nil, fmt.Errorf("(e3) raw both: %w", err)
		}
		x.both = time.Since(t0)
		x.appPeak, err = peakHeap(func() error {
			t0 := time.Now()
			sc := access.System(t, "lmsbench")
			e, err := a.Handback.StartExport(ctx, sc, "on-request")
			if err != nil {
				return err
			}
			if err := a.Handback.RunExport(ctx, t, e.ID); err != nil {
				return err
			}
			x.app = time.Since(t0)
			xs, err := a.Handback.Exports(ctx, sc)
			if err == nil && len(xs) > 0 {
				x.zipBytes = xs[0].Bytes
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("(e3) export: %w", err)
		}
		r.exports = append(r.exports, x)
	}
	return r, nil
}

// benchE1 deletes one of two identical tenants raw, the other with the
// platform's job.
func benchE1(ctx context.Context, a *app.App, super *pgxpool.Pool, op uuid.UUID, r *lifecycleResult) error {
	logf("(e1) seeding two identical tenants of %d rows and %d objects", e1Rows, e1Objects)
	rawT, err := seedBulkTenant(ctx, a, super, "bench-del-raw", e1Rows, e1Objects)
	if err != nil {
		return fmt.Errorf("(e1) seed: %w", err)
	}
	appT, err := seedBulkTenant(ctx, a, super, "bench-del-app", e1Rows, e1Objects)
	if err != nil {
		return fmt.Errorf("(e1) seed: %w", err)
	}
	logf("(e1) raw batched DELETE and S3 batch delete")
	t0 := time.Now()
	if err := rawDelete(ctx, a, super, rawT); err != nil {
		return fmt.Errorf("(e1) raw: %w", err)
	}
	r.rawDel = time.Since(t0)
	logf("(e1) the platform's deletion")
	if r.appDel, err = platformDelete(ctx, a, super, op, appT); err != nil {
		return fmt.Errorf("(e1) deletion: %w", err)
	}

	return nil
}

// superPool connects to the bench database as the server's administrator
// (no row-level security): the raw baselines and the bulk seeding.
func superPool(ctx context.Context, db *benchDB) (*pgxpool.Pool, error) {
	u, err := url.Parse(db.AdminURL)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + db.Name
	return pgxpool.New(ctx, u.String())
}

// seedBulkTenant makes a tenant through its manifest, then gives it rows
// rows (people, courses, enrolments and, for the rest, activity events)
// and objects small objects under its prefix, in bulk.
func seedBulkTenant(ctx context.Context, a *app.App, super *pgxpool.Pool, slug string, rows, objects int64) (uuid.UUID, error) {
	res, err := a.Tenants.Apply(ctx, tenant.Manifest{Slug: slug, Name: "Bench " + slug, Kind: "school", Region: "uk",
		Contract: tenant.ContractSpec{Reference: "BENCH-" + strings.ToUpper(slug), StartsOn: "2025-01-01"},
		Schools:  []tenant.SchoolSpec{{Slug: "main", Name: "Main School"}},
		Admins:   []tenant.AdminSpec{{Email: "admin@" + slug + ".example", DisplayName: "Bench Admin", InitialPassword: "bench-" + randHex(12)}}}, uuid.Nil)
	if err != nil {
		return uuid.Nil, err
	}
	t := res.TenantID
	people := max(rows/100, 10)
	_, err = super.Exec(ctx, `INSERT INTO people (tenant_id, id, username, display_name)
		SELECT $1, gen_random_uuid(), 'p' || g, 'Person ' || g FROM generate_series(1, $2::int) g`, t, people)
	if err != nil {
		return t, err
	}
	_, err = super.Exec(ctx, `INSERT INTO courses (tenant_id, id, school_id, title, status)
		SELECT $1, gen_random_uuid(), (SELECT id FROM schools WHERE tenant_id = $1 LIMIT 1), 'Course', 'published'`, t)
	if err != nil {
		return t, err
	}
	_, err = super.Exec(ctx, `INSERT INTO enrolments (tenant_id, course_id, person_id, role)
		SELECT $1, (SELECT id FROM courses WHERE tenant_id = $1 LIMIT 1), id, 'learner' FROM people WHERE tenant_id = $1 AND username LIKE 'p%'`, t)
	if err != nil {
		return t, err
	}
	_, err = super.Exec(ctx, `INSERT INTO activity_events (tenant_id, id, person_id, course_id, kind, occurred_at, duration_seconds)
		SELECT $1, gen_random_uuid(), p.ids[1 + g % array_length(p.ids, 1)], (SELECT id FROM courses WHERE tenant_id = $1 LIMIT 1),
			'view', now() - make_interval(mins => g), g % 300
		FROM generate_series(1, $2::int) g, (SELECT array_agg(id) AS ids FROM people WHERE tenant_id = $1) p`, t, rows-2*people-1)
	if err != nil {
		return t, err
	}
	if objects == 0 {
		return t, nil
	}
	bucket := a.Store.Bucket("uk")
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	next := make(chan int64)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				key := fmt.Sprintf("t/%s/files/bench-%06d", t, i)
				if _, err := a.Store.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("bench object " + key)}); err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range objects {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errc:
		return t, err
	default:
	}
	return t, nil
}

// seedManyTenants adds n tenants of rowsEach activity rows each, straight
// into the tables (as tenants' data at rest: no admin accounts to hash).
func seedManyTenants(ctx context.Context, super *pgxpool.Pool, n int, rowsEach int64) error {
	conn, err := super.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, q := range []string{
		`CREATE TEMP TABLE many AS SELECT gen_random_uuid() AS t, gen_random_uuid() AS s, gen_random_uuid() AS c, gen_random_uuid() AS p, g
			FROM generate_series(1, ` + fmt.Sprint(n) + `) g`,
		`INSERT INTO tenants (id, slug, name, kind, region) SELECT t, 'many-' || g, 'Many ' || g, 'school', 'uk' FROM many`,
		`INSERT INTO contracts (tenant_id, reference, starts_on) SELECT t, 'MANY-' || g, '2025-01-01' FROM many`,
		`INSERT INTO schools (tenant_id, id, slug, name) SELECT t, s, 'main', 'Main' FROM many`,
		`INSERT INTO people (tenant_id, id, username, display_name) SELECT t, p, 'p', 'Person' FROM many`,
		`INSERT INTO courses (tenant_id, id, school_id, title, status) SELECT t, c, s, 'Course', 'published' FROM many`,
		`INSERT INTO activity_events (tenant_id, id, person_id, course_id, kind, occurred_at, duration_seconds)
			SELECT t, gen_random_uuid(), p, c, 'view', now(), 1 FROM many, generate_series(1, ` + fmt.Sprint(rowsEach) + `)`,
		`DROP TABLE many`,
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// rawDelete is (e1)'s baseline: every tenant table but the tombstones,
// children first, emptied by batched DELETE ... WHERE tenant_id as the
// database's administrator; then every object version under the prefix
// listed and deleted a thousand at a time.
func rawDelete(ctx context.Context, a *app.App, super *pgxpool.Pool, t uuid.UUID) error {
	tables, err := tenantTableOrder(ctx, a)
	if err != nil {
		return err
	}
	for _, tb := range tables {
		for {
			tag, err := super.Exec(ctx, `DELETE FROM `+pgx.Identifier{tb}.Sanitize()+` WHERE ctid = ANY (ARRAY(SELECT ctid FROM `+
				pgx.Identifier{tb}.Sanitize()+` WHERE tenant_id = $1 LIMIT 5000))`, t)
			if err != nil {
				return fmt.Errorf("%s: %w", tb, err)
			}
			if tag.RowsAffected() < 5000 {
				break
			}
		}
	}
	bucket, prefix := a.Store.Bucket("uk"), "t/"+t.String()+"/"
	for {
		out, err := a.Store.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
		if err != nil {
			return err
		}
		var ids []types.ObjectIdentifier
		for _, v := range out.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range out.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := a.Store.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}}); err != nil {
			return err
		}
	}
}

func tenantTableOrder(ctx context.Context, a *app.App) ([]string, error) {
	all, err := database.TenantTables(a.DB.Gorm.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tb := range all {
		if !tombstoneTables[tb] {
			out = append(out, tb)
		}
	}
	return out, nil
}

// platformDelete ends the tenant's contract and return window, then times
// the deletion job from start to certificate, and checks nothing is left.
func platformDelete(ctx context.Context, a *app.App, super *pgxpool.Pool, op, t uuid.UUID) (time.Duration, error) {
	if _, err := super.Exec(ctx, `UPDATE contracts SET ends_on = current_date - 31, updated_at = now() - interval '31 days' WHERE tenant_id = $1`, t); err != nil {
		return 0, err
	}
	t0 := time.Now()
	d, err := a.Lifecycle.Start(ctx, op, t)
	if err != nil {
		return 0, err
	}
	if err := a.Lifecycle.Run(ctx, d.ID); err != nil {
		return 0, err
	}
	took := time.Since(t0)
	if d, err = a.Lifecycle.Get(ctx, t); err != nil || d.Status != "done" {
		return took, fmt.Errorf("deletion %s: %v", d.Status, err)
	}
	var left int64
	if err := super.QueryRow(ctx, `SELECT (SELECT count(*) FROM activity_events WHERE tenant_id = $1) + (SELECT count(*) FROM people WHERE tenant_id = $1)`, t).Scan(&left); err != nil {
		return took, err
	}
	if left > 0 {
		return took, fmt.Errorf("%d rows left after the deletion", left)
	}
	return took, nil
}

// rawCopy is (e3)'s baseline: COPY (SELECT * FROM t WHERE tenant_id = ...)
// TO STDOUT of every tenant table of the registry, read and discarded.
func rawCopy(ctx context.Context, super *pgxpool.Pool, t uuid.UUID) (int64, error) {
	conn, err := super.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	var rows int64
	for _, tb := range registryTenantTables() {
		tag, err := conn.Conn().PgConn().CopyTo(ctx, io.Discard, `COPY (SELECT * FROM `+tb+` WHERE tenant_id = '`+t.String()+`') TO STDOUT`)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", tb, err)
		}
		rows += tag.RowsAffected()
	}
	return rows, nil
}

// rawCopyBoth is a second reference for (e3): the same tables read in the
// export's two formats (JSON lines and CSV), still discarded: what writing
// each row twice costs the database, before any zip or upload.
func rawCopyBoth(ctx context.Context, super *pgxpool.Pool, t uuid.UUID) error {
	conn, err := super.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, tb := range registryTenantTables() {
		sel := `SELECT * FROM ` + tb + ` WHERE tenant_id = '` + t.String() + `'`
		for _, q := range []string{`COPY (SELECT row_to_json(r) FROM (` + sel + `) r) TO STDOUT WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')`,
			`COPY (` + sel + `) TO STDOUT WITH (FORMAT csv, HEADER)`} {
			if _, err := conn.Conn().PgConn().CopyTo(ctx, io.Discard, q); err != nil {
				return fmt.Errorf("%s: %w", tb, err)
			}
		}
	}
	return nil
}

func reportLifecycle(w io.Writer, r *lifecycleResult) {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("\n(e) Contract end: deletion and full export\n\n")
	t := &table{head: []string{"measure", "measured", "target", "verdict"}}
	ratio := r.rawDel.Seconds() / r.appDel.Seconds()
	t.add(fmt.Sprintf("(e1) delete %d rows + %d objects: raw time / platform time", r.rows, r.objects),
		fmt.Sprintf("%.2f×  (%s / %s)", ratio, r.rawDel.Round(time.Millisecond), r.appDel.Round(time.Millisecond)), ">= 0.80", verdict(ratio >= 0.8))
	scale := r.delLarge.Seconds() / r.delSmall.Seconds()
	t.add(fmt.Sprintf("(e2) delete %d rows + %d objects: %d tenants / %d tenants", e2Rows, e2Objects, r.large, r.small),
		fmt.Sprintf("%.2f×  (%s / %s)", scale, r.delLarge.Round(time.Millisecond), r.delSmall.Round(time.Millisecond)), "<= 1.20", verdict(scale <= 1.2))
	for _, x := range r.exports {
		rawRate, appRate := float64(x.rows)/x.raw.Seconds(), float64(x.rows)/x.app.Seconds()
		t.add(fmt.Sprintf("(e3) full export of %d rows: platform rows/s / raw COPY rows/s", x.rows),
			fmt.Sprintf("%.2f×  (%.0f / %.0f rows/s)", appRate/rawRate, appRate, rawRate), ">= 0.70", verdict(appRate/rawRate >= 0.7))
		bothRate := float64(x.rows) / x.both.Seconds()
		t.add(fmt.Sprintf("(e3) full export of %d rows: platform / raw COPY of both formats (JSON and CSV)", x.rows),
			fmt.Sprintf("%.2f×  (%.0f / %.0f rows/s)", appRate/bothRate, appRate, bothRate), "reference", "-")
		t.add(fmt.Sprintf("(e3) full export of %d rows: peak heap growth (raw)", x.rows),
			fmt.Sprintf("%s (%s); zip %s", mib(x.appPeak), mib(x.rawPeak), mib(uint64(x.zipBytes))), "flat as rows grow", "see both sizes")
	}
	p("%s\n", indent(t.String(), "  "))
	fmt.Fprint(w, b.String())
}

func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

// registryTenantTables is the tenant tables the full export covers.
func registryTenantTables() []string {
	var out []string
	for _, tb := range privacy.Tables() {
		if tb.Owner == privacy.Tenant {
			out = append(out, tb.Name)
		}
	}
	return out
}
