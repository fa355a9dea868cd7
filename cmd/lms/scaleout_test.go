package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/httpapi"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/objstore/objtest"
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/migrations"
)

// Settings every process of the scale-out test shares: small limits so
// that the lockout and the per-address sign-in throttle are reached in a
// few requests.
const (
	scaleMaxFailures = 4  // LMS_LOGIN_MAX_FAILURES
	scaleRateLimit   = 12 // LMS_LOGIN_RATE_PER_MINUTE
	scaleJobs        = 120
)

// scalePeriods is every periodic job of internal/app (App.JobSpec) that
// runs when a leader starts (RunOnStart), with its period. Keep in step
// with app.go; a kind missing here is only logged, not checked.
var scalePeriods = map[string]time.Duration{
	"credential_sweep":      time.Hour,
	"files_sweep":           time.Hour,
	"alert_delivery":        time.Minute,
	"data_use_extract":      time.Minute,
	"legal_notice":          time.Hour,
	"subject_export_sweep":  5 * time.Minute,
	"retention_enforce":     24 * time.Hour,
	"tenant_deletion_sweep": 5 * time.Minute,
	"contract_watch":        time.Hour,
	"email_sweep":           time.Minute,
	"notify_due":            15 * time.Minute,
	"notify_digest":         time.Hour,
	"backup_purge":          24 * time.Hour,
	"job_rescue":            15 * time.Second,
}

// scaleOut is the fleet under test: one database, two API processes and
// two worker processes, all separate OS processes of the real binary.
type scaleOut struct {
	bin, logs string
	env       []string
	db        *pgxpool.Pool // the server's superuser on the test database: inspection only
	appPool   *pgxpool.Pool // the application role: what the processes use
	apis      [2]string     // base URLs
	servers   [2]*lmsProc
	workers   [2]*lmsProc
	workerIDs [2]string // River client ids, from each worker's log
	http      *http.Client
	member    *apiSession // a member's live session (part c), for the usage check
	meCounted int         // successful member GET /api/v1/me: what usage_daily must count
}

// Many API and worker replicas at once are safe: migrations run once when
// two start together (a), a session made on one API works on the other and
// ends on both, and role changes reach both (c), the lockout and the
// sign-in throttle are shared (d), each job is worked once by one of two
// workers (e), when the worker that leads is killed the other takes over
// without scheduling any periodic job twice in its period (f), every
// process stops cleanly (g) and keeps the usage it counted (h). Everything
// runs as real processes of the `lms` binary against one fresh database:
// about 35 s on two cores plus the build, half of it River's leader lease
// running out after the kill, so it runs in -short too.
func TestScaleOut(t *testing.T) {
	began := time.Now()
	ctx := context.Background()
	s := &scaleOut{bin: buildLMS(t), logs: procLogDir(t), http: &http.Client{Timeout: 15 * time.Second}}

	// A fresh, empty database (not dbtest.New's migrated clone): the
	// migrations themselves are under test. Dropped when the test ends,
	// after the processes (cleanups run last-registered first).
	admin := dbtest.AdminURL()
	require.NoError(t, database.EnsureRoles(ctx, admin))
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := "lms_scaleout_" + hex.EncodeToString(b)
	require.NoError(t, database.EnsureDatabase(ctx, admin, name, ""))
	t.Cleanup(func() {
		if err := database.DropDatabase(context.Background(), admin, name); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	appURL, err := database.RoleURL(admin, database.ServerRole, name)
	require.NoError(t, err)
	ownerURL, err := database.RoleURL(admin, database.OwnerRole, name)
	require.NoError(t, err)
	u, err := url.Parse(admin)
	require.NoError(t, err)
	u.Path = "/" + name
	s.db, err = pgxpool.New(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(s.db.Close)
	s.appPool, err = pgxpool.New(ctx, appURL)
	require.NoError(t, err)
	t.Cleanup(s.appPool.Close)
	s3 := objtest.Config()
	objtest.NewFrom(t, s3)

	s.env = []string{
		"LMS_ENV=dev", // plain-HTTP session cookie, dev keys
		"LMS_DATABASE_URL=" + appURL,
		"LMS_MIGRATE_DATABASE_URL=" + ownerURL,
		"LMS_S3_ENDPOINT=" + s3.Endpoint,
		"LMS_S3_REGION=" + s3.Region,
		"LMS_S3_ACCESS_KEY=" + s3.AccessKey,
		"LMS_S3_SECRET_KEY=" + s3.SecretKey,
		"LMS_S3_BUCKET_PREFIX=" + s3.BucketPrefix,
		"LMS_DATABASE_MAX_CONNS=8", // four processes share one PostgreSQL with other tests
		fmt.Sprintf("LMS_LOGIN_MAX_FAILURES=%d", scaleMaxFailures),
		"LMS_LOGIN_LOCKOUT=10m",
		fmt.Sprintf("LMS_LOGIN_RATE_PER_MINUTE=%d", scaleRateLimit),
		"LMS_LOG_LEVEL=info",
	}

	step := func(name string, fn func(t *testing.T)) bool {
		at := time.Now()
		ok := t.Run(name, fn)
		t.Logf("%s: %s", name, time.Since(at).Round(time.Millisecond))
		return ok
	}
	if !step("migrate_twice_at_once", s.migrateTwiceAtOnce) {
		return
	}
	s.start(t)
	_ = step("sessions_across_apis", s.sessionsAcrossAPIs) &&
		step("lockout_and_throttle_across_apis", s.lockoutAcrossAPIs) &&
		step("jobs_taken_once", s.jobsTakenOnce) &&
		step("periodic_jobs_once_across_leader_change", s.leaderChange) &&
		step("graceful_stop", s.gracefulStop) &&
		step("usage_counts_survive_stop", s.usageSurvivesStop)
	t.Logf("whole scale-out run: %s", time.Since(began).Round(time.Millisecond))
}

// a. Two `lms migrate` started together on an empty database both succeed
// and every migration is applied exactly once.
func (s *scaleOut) migrateTwiceAtOnce(t *testing.T) {
	ctx := context.Background()
	files, err := fs.Glob(migrations.FS, "*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)

	outs, errs := runLMSConcurrently(s.bin, s.env, 2, "migrate")
	applied := map[string]int{}
	jobEngine := 0
	for i := range outs {
		require.NoError(t, errs[i], "migrate #%d:\n%s", i+1, outs[i])
		n := 0
		for _, l := range strings.Split(outs[i], "\n") {
			if f, ok := strings.CutPrefix(l, "applied "); ok && len(strings.Fields(f)) > 0 && strings.HasSuffix(strings.Fields(f)[0], ".sql") {
				applied[strings.Fields(f)[0]]++
				n++
			}
			if strings.HasPrefix(l, "applied job engine migration") {
				jobEngine++
			}
		}
		t.Logf("migrate #%d applied %d schema migrations", i+1, n)
	}
	require.Len(t, applied, len(files), "between them the two runs apply every migration")
	for f, n := range applied {
		require.Equal(t, 1, n, "%s applied by both runs", f)
	}

	// goose's table: one applied row per migration, none twice.
	var rows, versions int
	require.NoError(t, s.db.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version
		WHERE version_id > 0 AND is_applied`).Scan(&rows, &versions))
	require.Equal(t, len(files), versions)
	require.Equal(t, versions, rows, "a migration recorded twice in goose_db_version")
	var river int
	require.NoError(t, s.db.QueryRow(ctx, `SELECT count(*) FROM river_migration`).Scan(&river))
	require.Positive(t, river)
	require.Equal(t, river, jobEngine, "each job engine migration applied by exactly one run")

	out, err := runLMS(s.bin, s.env, "migrate", "status")
	require.NoError(t, err, out)
	require.NotContains(t, out, "pending")
	require.Contains(t, out, fmt.Sprintf("job engine: %d of %d migrations applied", river, river))
}

// b. Two API processes and two workers on the migrated database, with the
// demo tenants applied (through the binary, as an operator would).
func (s *scaleOut) start(t *testing.T) {
	out, err := runLMS(s.bin, s.env, "tenants", "apply", "../../tenants")
	require.NoError(t, err, out)
	require.Contains(t, out, "created tenant oakfield-primary")
	require.Contains(t, out, "created tenant northern-lights-trust")

	for i := range s.servers {
		addr := localAddr(t)
		s.apis[i] = "http://" + addr
		s.servers[i] = startLMS(t, s.bin, s.logs, fmt.Sprintf("api%d", i+1),
			append(s.env, "LMS_HTTP_ADDR="+addr, "LMS_PUBLIC_URL="+s.apis[i]), "serve")
	}
	for i := range s.workers {
		// Debug: River logs when it gains leadership and inserts the
		// periodic jobs that run on start, which part f waits for.
		// LMS_WORKER_HEALTH_ADDR: each worker needs a port of its own.
		// Four jobs at a time each, so neither can drain part e's batch
		// alone before the other fetches.
		s.workers[i] = startLMS(t, s.bin, s.logs, fmt.Sprintf("worker%d", i+1),
			append(s.env, "LMS_LOG_LEVEL=debug", "LMS_WORKER_HEALTH_ADDR="+localAddr(t)), "worker", "--concurrency", "4")
	}
	for i, base := range s.apis {
		ready := poll(30*time.Second, 50*time.Millisecond, func() bool {
			if s.servers[i].exited() {
				return true
			}
			res, err := s.http.Get(base + "/readyz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == http.StatusOK
		})
		require.False(t, s.servers[i].exited(), "api%d exited: %v", i+1, s.servers[i].waitErr)
		require.True(t, ready, "api%d never ready", i+1)
	}
	for i, w := range s.workers {
		started := poll(30*time.Second, 50*time.Millisecond, func() bool {
			s.workerIDs[i] = riverClientID(w.output())
			return s.workerIDs[i] != "" || w.exited()
		})
		require.False(t, w.exited(), "worker%d exited: %v", i+1, w.waitErr)
		require.True(t, started, "worker%d's River client never started", i+1)
	}
	require.NotEqual(t, s.workerIDs[0], s.workerIDs[1], "two workers on one host need distinct River client ids")
	t.Logf("APIs %s and %s ready; workers %q and %q started", s.apis[0], s.apis[1], s.workerIDs[0], s.workerIDs[1])
}

// c. A session made through one API works on the other; a role given or
// taken on one API is honoured by the other; signing out on one ends the
// session on both.
func (s *scaleOut) sessionsAcrossAPIs(t *testing.T) {
	const tp = "/api/v1/t/oakfield-primary"
	res, head := s.login(t, 0, "oakfield-primary", "head@oakfield.example", "oakfield-demo-pass")
	require.Equal(t, http.StatusOK, res.Status, res)
	var in httpapi.LoginReply
	require.NoError(t, json.Unmarshal(res.Body, &in))

	res = s.call(t, 1, "GET", "/api/v1/me", nil, head)
	require.Equal(t, http.StatusOK, res.Status, "the session made on API 1 works on API 2: %s", res)
	var me httpapi.Me
	require.NoError(t, json.Unmarshal(res.Body, &me))
	require.Equal(t, in.ID, me.ID)
	res = s.call(t, 1, "GET", tp+"/people", nil, head)
	require.Equal(t, http.StatusOK, res.Status, res)

	// Roles: API 2 caches who may do what; a change made on API 1 must
	// reach it (PostgreSQL NOTIFY), both ways.
	res = s.call(t, 0, "POST", tp+"/people", map[string]any{"username": "riley.scaleout", "display_name": "Riley Scaleout",
		"password": "riley-scaleout-pass"}, head)
	require.Equal(t, http.StatusCreated, res.Status, res)
	var riley identity.Person
	require.NoError(t, json.Unmarshal(res.Body, &riley))
	res, rs := s.login(t, 1, "oakfield-primary", "riley.scaleout", "riley-scaleout-pass")
	require.Equal(t, http.StatusOK, res.Status, res)
	res = s.call(t, 1, "GET", tp+"/people", nil, rs)
	require.Equal(t, http.StatusForbidden, res.Status, "no role yet: %s", res)
	res = s.call(t, 0, "POST", tp+"/people/"+riley.ID.String()+"/roles", map[string]any{"role": "admin"}, head)
	require.Equal(t, http.StatusCreated, res.Status, res)
	var role identity.RoleAssignment
	require.NoError(t, json.Unmarshal(res.Body, &role))
	s.eventuallyStatus(t, 1, tp+"/people", rs, http.StatusOK, "a role given on API 1 is honoured by API 2")
	res = s.call(t, 0, "DELETE", tp+"/people/"+riley.ID.String()+"/roles/"+role.ID.String(), nil, head)
	require.Equal(t, http.StatusNoContent, res.Status, res)
	s.eventuallyStatus(t, 1, tp+"/people", rs, http.StatusForbidden, "a role taken on API 1 is refused by API 2")
	s.member = rs

	res = s.call(t, 1, "POST", "/api/v1/auth/logout", nil, head)
	require.Equal(t, http.StatusNoContent, res.Status, res)
	for i := range s.apis {
		res = s.call(t, i, "GET", "/api/v1/me", nil, head)
		require.Equal(t, http.StatusUnauthorized, res.Status, "API %d after signing out on API 2: %s", i+1, res)
	}
}

// d. Failed sign-ins alternated between the APIs lock the account after
// LMS_LOGIN_MAX_FAILURES in total, and the per-address sign-in throttle
// counts the attempts of both APIs together.
func (s *scaleOut) lockoutAcrossAPIs(t *testing.T) {
	const tenant, user, pass = "northern-lights-trust", "ceo@nlt.example", "nlt-demo-pass"
	for i := 1; i <= scaleMaxFailures; i++ {
		res, _ := s.login(t, i%2, tenant, user, fmt.Sprintf("wrong-password-%d", i))
		if i < scaleMaxFailures {
			require.Equal(t, http.StatusUnauthorized, res.Status, "failure %d of %d (API %d): %s", i, scaleMaxFailures, i%2+1, res)
			continue
		}
		require.Equal(t, http.StatusTooManyRequests, res.Status,
			"failure %d on API %d must lock: the replicas count failures together (each saw only half): %s", i, i%2+1, res)
		require.Equal(t, "/problems/locked", res.problemType(), res)
	}
	for i := range s.apis {
		res, sess := s.login(t, i, tenant, user, pass)
		require.Equal(t, http.StatusTooManyRequests, res.Status, "the right password on locked account, API %d: %s", i+1, res)
		require.Equal(t, "/problems/locked", res.problemType(), res)
		require.NotEmpty(t, res.Header.Get("Retry-After"))
		require.Nil(t, sess)
	}

	// The throttle: start a fresh window (the attempts above used some of
	// it), then alternate; the limit is for both APIs together.
	_, err := s.db.Exec(context.Background(), `DELETE FROM rate_limits`)
	require.NoError(t, err)
	for i := 1; i <= scaleRateLimit; i++ {
		res, _ := s.login(t, i%2, "no-such-school", "nobody", "not-a-password")
		require.Equal(t, http.StatusUnauthorized, res.Status, "attempt %d of %d (API %d): %s", i, scaleRateLimit, i%2+1, res)
	}
	for i := range s.apis {
		res, _ := s.login(t, i, "no-such-school", "nobody", "not-a-password")
		require.Equal(t, http.StatusTooManyRequests, res.Status,
			"attempt over %d/min from one address on API %d must be throttled (each API saw only half): %s", scaleRateLimit, i+1, res)
		require.Equal(t, "/problems/rate-limited", res.problemType(), res)
	}
}

// e. Many jobs inserted at once are each worked exactly once, by one of the
// two workers, and both workers take a share.
func (s *scaleOut) jobsTakenOnce(t *testing.T) {
	byWorker := s.insertAndWait(t, "scaleout", scaleJobs)
	t.Logf("%d %s jobs: worker1 took %d, worker2 took %d", scaleJobs, identity.SweepArgs{}.Kind(), byWorker[s.workerIDs[0]], byWorker[s.workerIDs[1]])
	require.Positive(t, byWorker[s.workerIDs[0]], "worker1 took none: %v", byWorker)
	require.Positive(t, byWorker[s.workerIDs[1]], "worker2 took none: %v", byWorker)
}

// insertAndWait inserts n credential sweeps (idempotent and cheap) tagged
// tag with an insert-only River client, as the API does, waits until all
// are completed, checks each was attempted once by one known worker, and
// counts them by worker.
func (s *scaleOut) insertAndWait(t *testing.T, tag string, n int) map[string]int {
	ctx := context.Background()
	c, err := river.NewClient(riverpgxv5.New(s.appPool), &river.Config{})
	require.NoError(t, err)
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: identity.SweepArgs{}, InsertOpts: &river.InsertOpts{Tags: []string{tag}}}
	}
	inserted, err := c.InsertMany(ctx, params)
	require.NoError(t, err)
	require.Len(t, inserted, n)

	var done int
	ok := poll(30*time.Second, 100*time.Millisecond, func() bool {
		require.NoError(t, s.db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE $1 = ANY(tags) AND state = 'completed'`, tag).Scan(&done))
		return done == n
	})
	require.True(t, ok, "only %d of %d %s jobs completed", done, n, tag)

	rows, err := s.db.Query(ctx, `SELECT id, attempt, attempted_by, coalesce(array_length(errors, 1), 0) FROM river_job WHERE $1 = ANY(tags)`, tag)
	require.NoError(t, err)
	defer rows.Close()
	byWorker := map[string]int{}
	for rows.Next() {
		var id int64
		var attempt, nerrs int
		var by []string
		require.NoError(t, rows.Scan(&id, &attempt, &by, &nerrs))
		require.Equal(t, 1, attempt, "job %d attempted %d times (by %v)", id, attempt, by)
		require.Len(t, by, 1, "job %d taken by more than one client: %v", id, by)
		require.Zero(t, nerrs, "job %d failed on the way", id)
		require.Contains(t, s.workerIDs[:], by[0], "job %d taken by an unknown client", id)
		byWorker[by[0]]++
	}
	require.NoError(t, rows.Err())
	return byWorker
}

// f. Kill the worker that leads (SIGKILL: its lease is never given back);
// the other becomes leader once the lease runs out and inserts its
// run-on-start periodic jobs, which must not duplicate any the old leader
// already made in the same period (InsertOpts.UniqueOpts.ByPeriod in
// internal/app). The survivor then works everything alone.
func (s *scaleOut) leaderChange(t *testing.T) {
	ctx := context.Background()
	leader := func() string {
		var id string
		err := s.db.QueryRow(ctx, `SELECT leader_id FROM river_leader WHERE expires_at > now()`).Scan(&id)
		if err != nil {
			return ""
		}
		return id
	}
	var first string
	require.True(t, poll(30*time.Second, 100*time.Millisecond, func() bool { first = leader(); return first != "" }), "no River leader elected")
	old := indexOf(s.workerIDs[:], first)
	require.GreaterOrEqual(t, old, 0, "leader %q is neither worker (%v)", first, s.workerIDs)
	heir := 1 - old

	// Wait for the first leader's run-on-start jobs: every kind present.
	var missing []string
	ok := poll(30*time.Second, 100*time.Millisecond, func() bool {
		missing = missingKinds(s.periodicJobs(t))
		return len(missing) == 0
	})
	require.True(t, ok, "the first leader never inserted its run-on-start jobs: %v missing", missing)
	before := s.periodicJobs(t)

	killed := time.Now()
	err := s.workers[old].stop(syscall.SIGKILL, 10*time.Second)
	require.Error(t, err, "SIGKILL ends the process with a signal")
	t.Logf("killed leader worker%d (%s); waiting for worker%d to take over", old+1, first, heir+1)

	require.True(t, poll(45*time.Second, 200*time.Millisecond, func() bool { return leader() == s.workerIDs[heir] }),
		"worker%d never became leader after the leader was killed", heir+1)
	t.Logf("worker%d leads %s after the kill", heir+1, time.Since(killed).Round(time.Millisecond))
	// River says (debug) when the new leader's enqueuer has inserted its
	// run-on-start jobs; only then is a duplicate possible.
	var restarted time.Time
	require.True(t, poll(15*time.Second, 100*time.Millisecond, func() bool {
		restarted = logTime(s.workers[heir].output(), "Inserted RunOnStart jobs")
		return !restarted.IsZero()
	}), "worker%d's periodic enqueuer never ran its run-on-start jobs", heir+1)
	after := s.periodicJobs(t)
	t.Logf("periodic jobs: %d before the kill, %d after the new leader's start (%s)", len(before), len(after), restarted.Format(time.RFC3339Nano))
	checkOncePerPeriod(t, after, restarted)

	// The survivor alone works what is inserted now.
	byWorker := s.insertAndWait(t, "scaleout-after-kill", 20)
	require.Equal(t, map[string]int{s.workerIDs[heir]: 20}, byWorker)
}

// checkOncePerPeriod fails if two jobs of one periodic kind are scheduled
// in one period window. It logs every window, and whether any kind's window
// held both leaders' starts (restarted is the new leader's): only then
// could a missing uniqueness have shown.
func checkOncePerPeriod(t *testing.T, jobs []periodicJob, restarted time.Time) {
	byWindow := map[string][]periodicJob{}
	covered := 0
	for _, j := range jobs {
		period, ok := scalePeriods[j.kind]
		if !ok {
			t.Logf("periodic kind %q is not in scalePeriods: not checked (job %v)", j.kind, j)
			continue
		}
		w := j.kind + " @ " + j.scheduledAt.UTC().Truncate(period).Format(time.RFC3339)
		byWindow[w] = append(byWindow[w], j)
	}
	for kind, period := range scalePeriods {
		for _, j := range jobs { // ordered by kind, then time: the first is the old leader's
			if j.kind == kind {
				if j.scheduledAt.UTC().Truncate(period).Equal(restarted.UTC().Truncate(period)) {
					covered++
				}
				break
			}
		}
	}
	windows := make([]string, 0, len(byWindow))
	for w := range byWindow {
		windows = append(windows, w)
	}
	sort.Strings(windows)
	var twice []string
	for _, w := range windows {
		js := byWindow[w]
		t.Logf("  %-50s %d job(s) %v", w, len(js), js)
		if len(js) > 1 {
			twice = append(twice, fmt.Sprintf("%s: %v", w, js))
		}
	}
	require.Empty(t, twice, "periodic jobs scheduled more than once in one period window after the leader changed")
	if covered == 0 {
		t.Logf("every period boundary fell between the two leaders' starts (midnight UTC?): duplicates could not have shown this run")
		return
	}
	t.Logf("%d of %d kinds had both leaders' run-on-start in one period window", covered, len(scalePeriods))
}

// g. Both APIs and the surviving worker stop cleanly on SIGTERM, right after
// serving members' requests (counted for usage_daily, part h).
func (s *scaleOut) gracefulStop(t *testing.T) {
	for i := range s.apis {
		for range 3 {
			res := s.call(t, i, "GET", "/api/v1/me", nil, s.member)
			require.Equal(t, http.StatusOK, res.Status, res)
		}
	}
	for _, p := range append(s.servers[:], s.workers[:]...) {
		if p.exited() {
			continue
		}
		at := time.Now()
		require.NoError(t, p.stop(syscall.SIGTERM, 20*time.Second), "%s on SIGTERM", p.name)
		t.Logf("%s stopped in %s", p.name, time.Since(at).Round(time.Millisecond))
	}
}

// h. Usage counts are kept in each API's memory and added to usage_daily
// every half minute; an API that is stopped (every rolling deploy stops
// every replica) must write what it counted before it exits, as
// Server.FlushUsage's comment promises.
func (s *scaleOut) usageSurvivesStop(t *testing.T) {
	var got int
	require.NoError(t, s.db.QueryRow(context.Background(), `SELECT coalesce(sum(requests), 0) FROM usage_daily
		WHERE area = 'GET /api/v1/me'`).Scan(&got))
	t.Logf("usage_daily counts %d successful member GET /api/v1/me; the APIs answered %d", got, s.meCounted)
	require.Equal(t, s.meCounted, got,
		"usage counted in memory by the APIs was lost when they stopped gracefully (no flush on shutdown)")
}

// periodicJob is one row of river_job made by the periodic enqueuer.
type periodicJob struct {
	id          int64
	kind, state string
	scheduledAt time.Time
}

func (j periodicJob) String() string {
	return fmt.Sprintf("#%d %s %s", j.id, j.scheduledAt.UTC().Format("15:04:05.000"), j.state)
}

// periodicJobs is every job this test did not insert itself.
func (s *scaleOut) periodicJobs(t *testing.T) []periodicJob {
	rows, err := s.db.Query(context.Background(), `SELECT id, kind, state, scheduled_at FROM river_job
		WHERE NOT (tags && ARRAY['scaleout', 'scaleout-after-kill']::varchar[]) ORDER BY kind, scheduled_at, id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []periodicJob
	for rows.Next() {
		var j periodicJob
		require.NoError(t, rows.Scan(&j.id, &j.kind, &j.state, &j.scheduledAt))
		out = append(out, j)
	}
	require.NoError(t, rows.Err())
	return out
}

func missingKinds(js []periodicJob) []string {
	have := map[string]bool{}
	for _, j := range js {
		have[j.kind] = true
	}
	var missing []string
	for k := range scalePeriods {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	return missing
}

// apiReply is one HTTP answer.
type apiReply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r apiReply) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

func (r apiReply) problemType() string {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(r.Body, &p)
	return p.Type
}

// apiSession is a sign-in: the session cookie and its CSRF token.
type apiSession struct{ cookie, csrf string }

// call sends a request to API i (0 or 1), with sess's cookie and CSRF
// token when sess is not nil.
func (s *scaleOut) call(t *testing.T, i int, method, path string, body any, sess *apiSession) apiReply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.apis[i]+path, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if sess != nil {
		req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: sess.cookie})
		req.Header.Set("X-CSRF-Token", sess.csrf)
	}
	res, err := s.http.Do(req)
	require.NoError(t, err, "%s %s on API %d", method, path, i+1)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if method == "GET" && path == "/api/v1/me" && sess != nil && res.StatusCode < 400 {
		s.meCounted++
	}
	return apiReply{Status: res.StatusCode, Header: res.Header, Body: b}
}

// login signs in on API i; the session is nil unless it succeeded.
func (s *scaleOut) login(t *testing.T, i int, tenant, user, password string) (apiReply, *apiSession) {
	t.Helper()
	res := s.call(t, i, "POST", "/api/v1/auth/login", map[string]string{"tenant": tenant, "username": user, "password": password}, nil)
	if res.Status != http.StatusOK {
		return res, nil
	}
	var in httpapi.LoginReply
	require.NoError(t, json.Unmarshal(res.Body, &in))
	sess := &apiSession{csrf: in.CSRFToken}
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == request.SessionCookie {
			sess.cookie = c.Value
		}
	}
	require.NotEmpty(t, sess.cookie, "sign-in on API %d set no session cookie", i+1)
	return res, sess
}

// eventuallyStatus polls GET path on API i until it answers want (5 s at most).
func (s *scaleOut) eventuallyStatus(t *testing.T, i int, path string, sess *apiSession, want int, what string) {
	t.Helper()
	at := time.Now()
	var last apiReply
	ok := poll(5*time.Second, 20*time.Millisecond, func() bool {
		last = s.call(t, i, "GET", path, nil, sess)
		return last.Status == want
	})
	require.True(t, ok, "%s; last answer %s", what, last)
	t.Logf("%s after %s", what, time.Since(at).Round(time.Millisecond))
}
