package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
)

// dying is the platform of TestNothingSurvivesDeletion: the real one on
// an S3 server of the test's own, which it kills, and a worker process it
// kills.
type dying struct {
	e         *apptest.Env
	store     *ownStore
	bin, logs string
	conn      *pgx.Conn // the database's administrator: inspection only
	bucket    string    // tenant A's
	pre       string    // tenant A's prefix
	adminA    access.Scope
	sam, jo   identity.Person
}

// Nothing of a tenant or a person survives its deletion, however its work
// failed on the way. A worker process is killed during a full export and
// a person's export (another worker takes both over within about a
// minute, and their parts go); the object store is killed during an
// upload, a person's export and a full export (their parts outlive the
// failure), then the person is erased (the erasure aborts them); the
// store is killed during another upload and a backup, then the tenant is
// deleted. Then no object version, delete marker or incomplete upload is
// left under the tenant's prefix in any bucket, no row of any table (the
// job queue's included) names the tenant outside its tombstone, and the
// certificate counts the uploads and job rows it removed. About 1.5 min:
// most of it the minute a dead worker's export waits to be taken over.
func TestNothingSurvivesDeletion(t *testing.T) {
	began := time.Now()
	d := &dying{bin: buildLMS(t), logs: procLogDir(t), store: startOwnStore(t)}
	t.Setenv("LMS_S3_ENDPOINT", d.store.endpoint())
	t.Setenv("LMS_S3_ACCESS_KEY", ownAccess)
	t.Setenv("LMS_S3_SECRET_KEY", ownSecret)
	t.Setenv("LMS_S3_REGION", "eu-west-2")
	d.e = apptest.New(t)
	d.seed(t)
	step := func(name string, fn func(t *testing.T)) bool {
		at := time.Now()
		ok := t.Run(name, fn)
		t.Logf("%s: %s", name, time.Since(at).Round(time.Millisecond))
		return ok
	}
	_ = step("worker_dies_during_exports", d.workerDiesDuringExports) &&
		step("store_dies_then_person_erased", d.storeDiesThenErase) &&
		step("store_dies_then_tenant_deleted", d.storeDiesThenDelete)
	t.Logf("whole run: %s", time.Since(began).Round(time.Millisecond))
}

func (d *dying) seed(t *testing.T) {
	ctx, e := context.Background(), d.e
	svcs := demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}
	for _, tn := range []uuid.UUID{e.A.ID, e.B.ID} {
		_, err := demo.Seed(ctx, svcs, tn)
		require.NoError(t, err)
	}
	var err error
	d.conn, err = pgx.Connect(ctx, e.DB.SuperURL)
	require.NoError(t, err)
	t.Cleanup(func() { d.conn.Close(context.Background()) })
	d.bucket, d.pre = e.App.Store.Bucket("uk"), "t/"+e.A.ID.String()+"/"
	d.adminA = access.Member(e.A.ID, e.A.AdminID)
	d.sam, err = e.App.Identity.FindByUsername(ctx, d.adminA, "sam.learner")
	require.NoError(t, err)
	d.jo, err = e.App.Identity.FindByUsername(ctx, d.adminA, "jo.teacher")
	require.NoError(t, err)
	// Sam's portfolio makes every export of him, and the school's, many
	// parts long; B's file shows B is left alone.
	_, err = e.App.Files.Upload(ctx, access.Member(e.A.ID, d.sam.ID), "portfolio.pdf", newRandomPDF(64<<20))
	require.NoError(t, err)
	_, err = e.App.Files.Upload(ctx, access.Member(e.B.ID, e.B.AdminID), "b.pdf", newRandomPDF(1<<20))
	require.NoError(t, err)
}

// uploads lists the incomplete uploads under tenant A's prefix in bucket.
func (d *dying) uploads(t *testing.T, bucket string) []string {
	t.Helper()
	ups, err := d.e.App.Store.ListUploads(context.Background(), bucket, d.pre)
	require.NoError(t, err)
	out := []string{}
	for _, u := range ups {
		out = append(out, u.Key)
	}
	return out
}

// exportRun is an export's status, the run that holds it and its
// heartbeat.
func (d *dying) exportRun(t *testing.T, table string, id uuid.UUID) (status string, run *uuid.UUID, beat *time.Time) {
	t.Helper()
	require.NoError(t, d.conn.QueryRow(context.Background(), `SELECT status, run_id, heartbeat_at FROM `+table+` WHERE id = $1`, id).
		Scan(&status, &run, &beat))
	return status, run, beat
}

// a. A worker process dies (SIGKILL) with a full export and a person's
// export half uploaded. Another worker runs both again once their
// heartbeat has been silent for jobs.StaleAfter (not hours later, when
// River would rescue the jobs), and the new runs abort the parts the dead
// ones left.
func (d *dying) workerDiesDuringExports(t *testing.T) {
	ctx, e := context.Background(), d.e
	prefix := strings.TrimSuffix(e.App.Store.Bucket("x"), "-x")
	env := []string{"LMS_ENV=dev", "LMS_DATABASE_URL=" + e.DB.AppURL, "LMS_S3_ENDPOINT=" + d.store.endpoint(),
		"LMS_S3_ACCESS_KEY=" + ownAccess, "LMS_S3_SECRET_KEY=" + ownSecret, "LMS_S3_REGION=eu-west-2", "LMS_S3_BUCKET_PREFIX=" + prefix,
		"LMS_DATABASE_MAX_CONNS=6", "LMS_LOG_LEVEL=info", "LMS_WORKER_HEALTH_ADDR=" + localAddr(t)}
	w1 := startLMS(t, d.bin, d.logs, "worker1", env, "worker", "--concurrency", "2")
	full, err := e.App.Handback.StartExport(ctx, d.adminA, handback.ReasonOnRequest)
	require.NoError(t, err)
	sub, err := e.App.Subjects.StartExport(ctx, d.adminA, d.sam.ID, nil)
	require.NoError(t, err)
	keys := map[string]bool{files.Key(e.A.ID, full.ID): true, files.Key(e.A.ID, sub.ID): true}
	waitForPart(t, e.App.Store, d.bucket, d.pre+"files/", func(k string) bool { return keys[k] })
	// The store holds still: the exports stall with their worker alive.
	// The worker keeps their heartbeats, and a run of either elsewhere
	// leaves them alone.
	d.store.signal(syscall.SIGSTOP)
	frozen := true
	defer func() {
		if frozen { // a check failed: the clean-ups need the store
			d.store.signal(syscall.SIGCONT)
		}
	}()
	_, fullRun, fullBeat := d.exportRun(t, "tenant_exports", full.ID)
	_, subRun, subBeat := d.exportRun(t, "subject_exports", sub.ID)
	require.NotNil(t, fullRun)
	require.NoError(t, e.App.Handback.RunExport(ctx, e.A.ID, full.ID))
	if subRun != nil {
		require.NoError(t, e.App.Subjects.RunExport(ctx, e.A.ID, sub.ID))
	}
	require.True(t, poll(jobs.HeartbeatEvery+5*time.Second, 100*time.Millisecond, func() bool {
		_, _, beat := d.exportRun(t, "tenant_exports", full.ID)
		return beat.After(*fullBeat)
	}), "a live run writes its heartbeat")
	status, run, _ := d.exportRun(t, "tenant_exports", full.ID)
	require.Equal(t, "running", status)
	require.Equal(t, *fullRun, *run, "nobody took a live run's export")
	if subRun != nil {
		// Its heartbeat ticks on its own clock: wait for it too.
		require.True(t, poll(jobs.HeartbeatEvery+5*time.Second, 100*time.Millisecond, func() bool {
			_, _, beat := d.exportRun(t, "subject_exports", sub.ID)
			return beat.After(*subBeat)
		}), "a live person's export writes its heartbeat")
		_, run, _ := d.exportRun(t, "subject_exports", sub.ID)
		require.Equal(t, *subRun, *run, "nobody took a live run's export")
	}
	// Then the worker dies mid-upload.
	require.NoError(t, w1.cmd.Process.Kill())
	<-w1.done
	killed := time.Now()
	d.store.signal(syscall.SIGCONT)
	frozen = false
	require.NotEmpty(t, d.uploads(t, d.bucket), "the dead worker left parts")

	w2, err := jobs.NewWorker(e.App.DB, e.App.JobSpec(), 2)
	require.NoError(t, err)
	wctx, cancel := context.WithCancel(ctx)
	require.NoError(t, w2.Start(wctx))
	defer func() {
		cancel()
		stop, done := context.WithTimeout(ctx, 30*time.Second)
		defer done()
		_ = w2.Stop(stop)
	}()
	taken := map[string]time.Duration{}
	require.True(t, poll(3*time.Minute, 100*time.Millisecond, func() bool {
		all := true
		for name, x := range map[string]struct {
			table string
			id    uuid.UUID
			old   *uuid.UUID
		}{"full": {"tenant_exports", full.ID, fullRun}, "person": {"subject_exports", sub.ID, subRun}} {
			status, run, _ := d.exportRun(t, x.table, x.id)
			if _, seen := taken[name]; !seen && (status == "done" || run != nil && (x.old == nil || *run != *x.old)) {
				taken[name] = time.Since(killed)
			}
			all = all && status == "done"
		}
		return all
	}), "both exports are made by the other worker")
	for name, after := range taken {
		t.Logf("%s export taken over %s after its worker died", name, after.Round(time.Second))
		// 45 s of silence, the rescue every 15 s, and River's leader lease
		// (15 s, overlapping): about a minute.
		require.Less(t, after, jobs.StaleAfter+jobs.RescueEvery+20*time.Second, "%s export", name)
	}
	require.Empty(t, d.uploads(t, d.bucket), "the new runs aborted what the dead ones left")
}

// killAt is a body that, once at bytes have been read, runs kill (which
// waits for a part to be stored and kills the store), then reads on.
type killAt struct {
	r    io.Reader
	at   int
	kill func()
}

func (k *killAt) Read(p []byte) (int, error) {
	if k.at <= 0 && k.kill != nil {
		k.kill()
		k.kill = nil
	}
	if k.at > 0 && len(p) > k.at {
		p = p[:k.at]
	}
	n, err := k.r.Read(p)
	k.at -= n
	return n, err
}

// failWithStore runs work while the store is killed as soon as a part of
// an upload match accepts is stored, starts the store again, and says
// what work returned.
func (d *dying) failWithStore(t *testing.T, bucket string, match func(string) bool, work func() error) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- work() }()
	waitForPart(t, d.e.App.Store, bucket, d.pre, match)
	d.store.kill()
	err := <-errc
	d.store.start()
	return err
}

// uploadWhileStoreDies kills the store during an upload by who.
func (d *dying) uploadWhileStoreDies(t *testing.T, who identity.Person) {
	ctx := context.Background()
	body := &killAt{r: newRandomPDF(40 << 20), at: 2 * files.PartSize}
	body.kill = func() {
		waitForPart(t, d.e.App.Store, d.bucket, d.pre+"files/", func(string) bool { return true })
		d.store.kill()
	}
	_, err := d.e.App.Files.Upload(ctx, access.Member(d.e.A.ID, who.ID), "work.pdf", body)
	require.Error(t, err)
	d.store.start()
}

// b. The store dies during Sam's upload, his export and the school's full
// export: their parts outlive the failures (the aborts failed too). The
// erasure of Sam aborts all three.
func (d *dying) storeDiesThenErase(t *testing.T) {
	ctx, e := context.Background(), d.e
	d.uploadWhileStoreDies(t, d.sam)
	sub, err := e.App.Subjects.StartExport(ctx, d.adminA, d.sam.ID, nil)
	require.NoError(t, err)
	err = d.failWithStore(t, d.bucket, func(k string) bool { return k == files.Key(e.A.ID, sub.ID) },
		func() error { return e.App.Subjects.RunExport(ctx, e.A.ID, sub.ID) })
	require.Error(t, err)
	full, err := e.App.Handback.StartExport(ctx, d.adminA, handback.ReasonOnRequest)
	require.NoError(t, err)
	err = d.failWithStore(t, d.bucket, func(k string) bool { return k == files.Key(e.A.ID, full.ID) },
		func() error { return e.App.Handback.RunExport(ctx, e.A.ID, full.ID) })
	require.Error(t, err)
	require.Len(t, d.uploads(t, d.bucket), 3, "an upload and two exports left their parts")

	out, err := e.App.Subjects.Erase(ctx, d.adminA, d.sam.ID, nil)
	require.NoError(t, err)
	require.Empty(t, d.uploads(t, d.bucket), "the erasure aborted them")
	require.Equal(t, 3, out.UploadsAborted, "and counted them")
}

// c. The store dies during Jo's upload and during a backup of the school,
// then the school's data is deleted: the deletion aborts both, counts
// them, and removes the job rows that name the tenant.
func (d *dying) storeDiesThenDelete(t *testing.T) {
	ctx, e := context.Background(), d.e
	// Jo's teaching material makes the backup (which carries every file)
	// many parts long.
	_, err := e.App.Files.Upload(ctx, access.Member(e.A.ID, d.jo.ID), "lessons.pdf", newRandomPDF(32<<20))
	require.NoError(t, err)
	d.uploadWhileStoreDies(t, d.jo)
	backups := e.App.Backups.Bucket("uk")
	err = d.failWithStore(t, backups, func(string) bool { return true },
		func() error { _, err := e.App.Backups.Make(ctx, e.A.ID); return err })
	require.Error(t, err)
	require.Len(t, d.uploads(t, d.bucket), 1, "the upload left its parts")
	require.Len(t, d.uploads(t, backups), 1, "the backup left its parts")
	var jobRows int64
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT count(*) FROM river_job j WHERE strpos(j::text, $1) > 0`, e.A.ID.String()).Scan(&jobRows))
	require.Positive(t, jobRows)
	objectsB := leftovers(t, e.App.Store, "t/"+e.B.ID.String()+"/")
	require.NotEmpty(t, objectsB)

	_, err = d.conn.Exec(ctx, `UPDATE contracts SET starts_on = current_date - 400, ends_on = current_date - 31,
		updated_at = now() - interval '31 days' WHERE tenant_id = $1`, e.A.ID)
	require.NoError(t, err)
	op, _, err := e.App.Identity.EnsureStaff(ctx, e.Operator, "Olive Operator", "operator", apptest.OperatorPassword)
	require.NoError(t, err)
	del, err := e.App.Lifecycle.Start(ctx, op.ID, e.A.ID)
	require.NoError(t, err)
	require.NoError(t, e.App.Lifecycle.Run(ctx, del.ID))

	require.Empty(t, leftovers(t, e.App.Store, d.pre), "no version, delete marker or upload of A in any bucket")
	require.Equal(t, objectsB, leftovers(t, e.App.Store, "t/"+e.B.ID.String()+"/"), "B's objects are untouched")
	tombstone := map[string]bool{"tenants": true, "contracts": true, "deletions": true, "deletion_certificates": true,
		"backups": true, "backup_keys": true, "backup_erasures": true}
	for table, n := range rowsNaming(t, d.conn, e.A.ID) {
		require.True(t, tombstone[table], "%d rows of %s still name tenant A", n, table)
	}
	signed, err := e.App.Lifecycle.CertificateOf(ctx, e.A.ID)
	require.NoError(t, err)
	file, err := json.Marshal(signed)
	require.NoError(t, err)
	cert, err := lifecycle.Verify(file, e.App.Config.Signer().Public())
	require.NoError(t, err)
	require.EqualValues(t, 2, cert.UploadsAborted, "Jo's upload and the backup")
	require.Equal(t, jobRows, cert.JobRowsRemoved)
}
