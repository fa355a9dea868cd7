package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// exportResult is part (d): the access export of one person with 10,000
// activity rows and 50 files, against a raw baseline doing the least the
// same zip needs (their rows as JSON from pgx, the same objects read from
// S3, one zip streamed to S3), with the heap's peak growth during each.
type exportResult struct {
	rows, files        int
	fileBytes          int64
	raw, api           time.Duration
	rawPeak, apiPeak   uint64
	rawBytes, apiBytes int64
}

const (
	exportRows     = 10_000
	exportFiles    = 50
	exportFileSize = 256 << 10
)

func benchExport(ctx context.Context, o opts, cl *cleanups) (*exportResult, error) {
	logf("(d) creating database, seeding a learner with %d activity rows and %d files of %d KiB", exportRows, exportFiles, exportFileSize>>10)
	a, db, err := newApp(ctx, o, cl, "(d)")
	if err != nil {
		return nil, err
	}
	tenantID, person, err := seedExport(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("(d) seed: %w", err)
	}
	r := &exportResult{rows: exportRows, files: exportFiles, fileBytes: exportFiles * exportFileSize}

	logf("(d) raw baseline")
	r.rawPeak, err = peakHeap(func() error {
		t0 := time.Now()
		n, err := rawExport(ctx, a, db.OwnerURL, tenantID, person)
		r.raw, r.rawBytes = time.Since(t0), n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("(d) raw: %w", err)
	}
	logf("(d) the platform's export")
	sc := access.Member(tenantID, person)
	r.apiPeak, err = peakHeap(func() error {
		t0 := time.Now()
		e, err := a.Subjects.StartExport(ctx, sc, person, nil)
		if err != nil {
			return err
		}
		if err := a.Subjects.RunExport(ctx, tenantID, e.ID); err != nil {
			return err
		}
		r.api = time.Since(t0)
		e, err = a.Subjects.GetExport(ctx, sc, e.ID)
		r.apiBytes = e.Bytes
		if err == nil && e.Status != "done" {
			err = fmt.Errorf("export %s", e.Status)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("(d) export: %w", err)
	}
	return r, nil
}

// seedExport makes a tenant with one learner, a course, their activity and
// their uploaded files (random bytes: they do not compress).
func seedExport(ctx context.Context, a *app.App) (uuid.UUID, uuid.UUID, error) {
	res, err := a.Tenants.Apply(ctx, tenant.Manifest{Slug: "bench-x", Name: "Bench export school", Kind: "school", Region: "uk",
		Contract: tenant.ContractSpec{Reference: "BENCH-X", StartsOn: "2026-01-01"},
		Schools:  []tenant.SchoolSpec{{Slug: "main", Name: "Main School"}},
		Admins:   []tenant.AdminSpec{{Email: "admin@bench-x.example", DisplayName: "Bench Admin", InitialPassword: "bench-" + randHex(12)}}}, uuid.Nil)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	tenantID := res.TenantID
	var person uuid.UUID
	err = access.Transact(ctx, a.DB, access.System(tenantID, "lmsbench-seed"), func(tx *gorm.DB) error {
		var school uuid.UUID
		if err := tx.Raw(`SELECT id FROM schools LIMIT 1`).Row().Scan(&school); err != nil {
			return err
		}
		p, err := identity.CreatePersonTx(tx, tenantID, identity.NewPerson{Username: "learner", DisplayName: "Bench Learner"})
		if err != nil {
			return err
		}
		person = p.ID
		if _, err := identity.AssignRoleTx(tx, tenantID, p.ID, identity.RoleLearner, &school); err != nil {
			return err
		}
		course := uuid.Must(uuid.NewV7())
		if err := tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, 'Bench', 'published')`, tenantID, course, school).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO activity_events (tenant_id, id, person_id, course_id, kind, occurred_at, duration_seconds)
			SELECT ?, gen_random_uuid(), ?, ?, 'view', now() - make_interval(mins => g), g % 300 FROM generate_series(1, ?) g`,
			tenantID, person, course, exportRows).Error
	})
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	buf := make([]byte, exportFileSize)
	for i := range exportFiles {
		_, _ = rand.Read(buf)
		copy(buf, "%PDF-1.4\n") // a type uploads accept
		if _, err := a.Files.Upload(ctx, access.Member(tenantID, person), fmt.Sprintf("work-%02d.pdf", i), bytes.NewReader(buf)); err != nil {
			return uuid.Nil, uuid.Nil, err
		}
	}
	return tenantID, person, nil
}

// rawExport is the baseline: the person's activity rows as JSON lines from
// one pgx query (owner role, no scope, no registry), their 50 objects read
// from S3, all written to one zip streamed to S3.
func rawExport(ctx context.Context, a *app.App, ownerURL string, tenantID, person uuid.UUID) (int64, error) {
	pool, err := openRawPool(ctx, ownerURL, tenantID, 2)
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	var keys []string
	rows, err := pool.Query(ctx, `SELECT object_key FROM files WHERE tenant_id = $1 AND uploaded_by = $2`, tenantID, person)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return 0, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	bucket := a.Store.Bucket("uk")
	pr, pw := io.Pipe()
	var n atomic.Int64
	go func() {
		zw := zip.NewWriter(countingWriter{pw, &n})
		err := func() error {
			w, err := zw.Create("activity_events.json")
			if err != nil {
				return err
			}
			rows, err := pool.Query(ctx, `SELECT to_jsonb(t)::text FROM activity_events t WHERE tenant_id = $1 AND person_id = $2`, tenantID, person)
			if err != nil {
				return err
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				_, _ = io.WriteString(w, s+"\n")
			}
			rows.Close()
			for _, k := range keys {
				out, err := a.Store.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &k})
				if err != nil {
					return err
				}
				w, err := zw.CreateHeader(&zip.FileHeader{Name: k, Method: zip.Store})
				if err == nil {
					_, err = io.Copy(w, out.Body)
				}
				out.Body.Close()
				if err != nil {
					return err
				}
			}
			return zw.Close()
		}()
		pw.CloseWithError(err)
	}()
	tm := transfermanager.New(a.Store.S3, func(o *transfermanager.Options) {
		o.PartSizeBytes, o.Concurrency, o.MultipartUploadThreshold = files.PartSize, files.PartConcurrency, files.PartSize
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	_, err = tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: &bucket, Key: aws.String("t/" + tenantID.String() + "/raw-export.zip"), Body: pr})
	pr.CloseWithError(err)
	return n.Load(), err
}

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	c.n.Add(int64(k))
	return k, err
}

// peakHeap runs fn and reports how far the live heap rose above where it
// started, sampled every 5 ms.
func peakHeap(fn func() error) (uint64, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
					peak.Store(m.HeapAlloc - base)
				}
			}
		}
	}()
	err := fn()
	close(stop)
	wg.Wait()
	return peak.Load(), err
}

func reportExport(w io.Writer, r *exportResult) {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("\n(d) Access export of one person: %d activity rows, %d files (%d MiB), every registry table, JSON and CSV, zip streamed to S3\n", r.rows, r.files, r.fileBytes>>20)
	p("    vs raw: the activity rows as JSON from one pgx query and the same objects, zipped and streamed to S3 (no scope, no registry, no CSV)\n\n")
	t := &table{head: []string{"side", "time", "zip size", "peak heap growth"}}
	t.add("raw", r.raw.Round(time.Millisecond).String(), fmt.Sprintf("%.1f MiB", float64(r.rawBytes)/(1<<20)), fmt.Sprintf("%.1f MiB", float64(r.rawPeak)/(1<<20)))
	t.add("export", r.api.Round(time.Millisecond).String(), fmt.Sprintf("%.1f MiB", float64(r.apiBytes)/(1<<20)), fmt.Sprintf("%.1f MiB", float64(r.apiPeak)/(1<<20)))
	p("%s\n", indent(t.String(), "  "))
	ratio := r.raw.Seconds() / r.api.Seconds()
	t = &table{head: []string{"measure", "measured", "note"}}
	t.add("(d) export speed, raw time / export time", fmt.Sprintf("%.2f×", ratio), "reported; the issue sets no target")
	t.add("(d) export peak heap growth", fmt.Sprintf("%.1f MiB for %.1f MiB of files", float64(r.apiPeak)/(1<<20), float64(r.fileBytes)/(1<<20)),
		"streams: bounded by the upload's parts, not the data")
	p("%s\n", indent(t.String(), "  "))
	fmt.Fprint(w, b.String())
}
