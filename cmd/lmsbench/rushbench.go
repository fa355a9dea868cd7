package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/config"
)

// rushResult is part (g), the nine o'clock rush (issue 28): pupils of one
// school signing in within a minute, open loop, while learners already in
// keep reading course pages.
type rushResult struct {
	signIn                  dist
	signedIn, busy, failed  int
	firstFailure            string
	before, during          dist
	readErrs                int
	connsMax, connsMean     float64
	poolMax                 int32
	school, signIns, reader int
	window                  time.Duration
}

func benchRush(ctx context.Context, o opts, cl *cleanups) (*rushResult, error) {
	logf("(g) creating database, migrating, seeding a %d-person school", o.rushSchool)
	// Readers use API tokens: lift the per-token quota so it is not what
	// the part measures.
	a, _, err := newApp(ctx, o, cl, "(g)", func(c *config.Config) { c.TokenRatePerMinute = 1 << 20 })
	if err != nil {
		return nil, err
	}
	tenantID, courseID, _, tokens, err := seedCourse(ctx, a, o.rushReaders)
	if err != nil {
		return nil, fmt.Errorf("(g) seed course: %w", err)
	}
	const pw = "rush-password-1234"
	hash, err := identity.HashPassword(pw)
	if err != nil {
		return nil, err
	}
	var pupils []identity.Person
	for i := range o.rushSchool - o.rushReaders - 1 {
		p, err := identity.NewPersonRow(tenantID, identity.NewPerson{Username: fmt.Sprintf("pupil%05d", i), DisplayName: fmt.Sprintf("Pupil %d", i)})
		if err != nil {
			return nil, err
		}
		p.PasswordHash = hash
		pupils = append(pupils, p)
	}
	if len(pupils) < o.rushSignIns {
		return nil, fmt.Errorf("(g) %d sign-ins need a school of at least %d", o.rushSignIns, o.rushSignIns+o.rushReaders+1)
	}
	if err := access.Transact(ctx, a.DB, access.System(tenantID, "lmsbench-seed"), func(tx *gorm.DB) error {
		return identity.InsertPeopleTx(tx, pupils)
	}); err != nil {
		return nil, fmt.Errorf("(g) seed pupils: %w", err)
	}
	base, err := serve(a.Handler, cl)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConns: 2048, MaxIdleConnsPerHost: 2048,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true}, Timeout: 60 * time.Second}
	cl.add("close (g) HTTP client", func(context.Context) error { client.CloseIdleConnections(); return nil })
	pageURL := base + "/api/v1/t/bench-c/courses/" + courseID.String()

	// Readers: each learner opens the course page every readEvery, as a
	// class does, not as fast as it can (that would measure a saturated
	// machine, not the rush).
	const readEvery = 500 * time.Millisecond
	read := func(ctx context.Context, d time.Duration) (dist, int) {
		var mu sync.Mutex
		var lats []int64
		var errN atomic.Int32
		var wg sync.WaitGroup
		deadline := time.Now().Add(d)
		for r := range o.rushReaders {
			wg.Go(func() {
				time.Sleep(time.Duration(r) * readEvery / time.Duration(o.rushReaders)) // spread the class out
				tick := time.NewTicker(readEvery)
				defer tick.Stop()
				for time.Now().Before(deadline) && ctx.Err() == nil {
					t0 := time.Now()
					st, _, err := getPerson(ctx, client, pageURL, tokens[r])
					if err != nil || st != http.StatusOK {
						errN.Add(1)
					} else {
						mu.Lock()
						lats = append(lats, int64(time.Since(t0)))
						mu.Unlock()
					}
					<-tick.C
				}
			})
		}
		wg.Wait()
		return summarize(lats), int(errN.Load())
	}

	res := &rushResult{school: o.rushSchool, signIns: o.rushSignIns, reader: o.rushReaders, window: o.rushWindow, poolMax: a.DB.Pool.Config().MaxConns}
	logf("(g) before the rush: %d learners reading for %s", o.rushReaders, o.rushBefore)
	var readErrs int
	res.before, readErrs = read(ctx, o.rushBefore)
	res.readErrs += readErrs

	logf("(g) the rush: %d pupils sign in over %s (open loop) while the learners read", o.rushSignIns, o.rushWindow)
	stopSampling := make(chan struct{})
	var samples, sum int64
	var most int32
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-t.C:
				n := a.DB.Pool.Stat().AcquiredConns()
				samples++
				sum += int64(n)
				most = max(most, n)
			}
		}
	}()
	var during dist
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		during, readErrs = read(ctx, o.rushWindow+2*time.Second)
	}()
	var mu sync.Mutex
	var lats []int64
	var wg sync.WaitGroup
	gap := o.rushWindow / time.Duration(o.rushSignIns)
	start := time.Now()
	for i := range o.rushSignIns {
		// Open loop: the i-th pupil arrives at its time whatever the
		// server is doing with the others.
		time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
		wg.Go(func() {
			body, _ := json.Marshal(map[string]string{"tenant": "bench-c", "username": fmt.Sprintf("PUPIL%05d", i), "password": pw})
			t0 := time.Now()
			st, msg, err := post(ctx, client, base+"/api/v1/auth/login", body)
			el := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && st == http.StatusOK:
				res.signedIn++
				lats = append(lats, int64(el))
			case err == nil && st == http.StatusTooManyRequests && strings.Contains(msg, "/problems/busy"):
				res.busy++
			default:
				res.failed++
				if res.firstFailure == "" {
					res.firstFailure = fmt.Sprintf("%d %v %.200s", st, err, msg)
				}
			}
		})
	}
	wg.Wait()
	<-readDone
	close(stopSampling)
	<-sampled
	res.during, res.readErrs = during, res.readErrs+readErrs
	res.signIn = summarize(lats)
	res.connsMax, res.connsMean = float64(most), float64(sum)/float64(max(samples, 1))
	return res, ctx.Err()
}

// post sends a JSON body and returns the status and the body.
func post(ctx context.Context, client *http.Client, url string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func reportRush(w io.Writer, r *rushResult) {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("\n(g) The nine o'clock rush: %d distinct pupils of a %d-person school sign in (POST /api/v1/auth/login) over %s, open loop,\n", r.signIns, r.school, r.window)
	p("    while %d learners each open the course page every 500 ms (bearer tokens); the API's pool holds %d connections\n\n", r.reader, r.poolMax)
	t := &table{head: []string{"", "n", "p50", "p90", "p99", "max"}}
	t.add("sign-in", fmt.Sprint(r.signIn.N), dur(r.signIn.P50), dur(r.signIn.P90), dur(r.signIn.P99), dur(r.signIn.Max))
	t.add("course page before", fmt.Sprint(r.before.N), dur(r.before.P50), dur(r.before.P90), dur(r.before.P99), dur(r.before.Max))
	t.add("course page during", fmt.Sprint(r.during.N), dur(r.during.P50), dur(r.during.P90), dur(r.during.P99), dur(r.during.Max))
	p("%s\n", indent(t.String(), "  "))
	p("  signed in %d, busy (429, designed) %d, failed %d, course page errors %d; connections in use: max %.0f, mean %.1f of %d\n",
		r.signedIn, r.busy, r.failed, r.readErrs, r.connsMax, r.connsMean, r.poolMax)
	if r.firstFailure != "" {
		p("  first failure: %s\n", r.firstFailure)
	}
	ratio := r.during.P99 / max(r.before.P99, 1)
	t = &table{head: []string{"target", "measured", "goal", "result"}}
	t.add("(g) errors other than designed 429s", fmt.Sprint(r.failed+r.readErrs), "0", met(r.failed+r.readErrs == 0))
	t.add("(g) course page p99 during / before", fmt.Sprintf("%.2f×  (%s / %s)", ratio, dur(r.during.P99), dur(r.before.P99)), "<= 2×", met(ratio <= 2))
	t.add("(g) sign-in p99", dur(r.signIn.P99), "<= 1 s", met(r.signIn.N > 0 && r.signIn.P99 <= 1e9))
	p("%s", indent(t.String(), "  "))
	fmt.Fprint(w, b.String())
}
