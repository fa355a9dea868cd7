package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/policies"
)

// Synthetic tenants and members: ids encode their indexes, so the loader
// and the query generator need no stored fixture (which would blur the
// Authorizer's own memory figure).
var idSalt = func() [8]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], rand.Uint64())
	return b
}()

func tenantID(i int) uuid.UUID {
	var u uuid.UUID
	copy(u[:8], idSalt[:])
	u[6], u[8] = 0x40|u[6]&0x0f, 0x80|u[8]&0x3f
	binary.BigEndian.PutUint32(u[12:], uint32(i))
	return u
}

func tenantIndex(u uuid.UUID) int { return int(binary.BigEndian.Uint32(u[12:])) }

func personID(t, m int) uuid.UUID {
	u := tenantID(t)
	binary.BigEndian.PutUint16(u[10:], uint16(m))
	u[9] = 0xee
	return u
}

// roleOf mixes roles: 10% admin, 30% teacher, 60% learner. Only admin may
// read a person, so about one check in ten is allowed.
func roleOf(m int) identity.Role {
	switch m % 10 {
	case 0:
		return identity.RoleAdmin
	case 1, 2, 3:
		return identity.RoleTeacher
	}
	return identity.RoleLearner
}

func syntheticLoader(members int) authz.Loader {
	return func(_ context.Context, t uuid.UUID) ([]identity.RoleAssignment, error) {
		ti := tenantIndex(t)
		out := make([]identity.RoleAssignment, members)
		for m := range members {
			out[m] = identity.RoleAssignment{TenantID: t, ID: uuid.New(), PersonID: personID(ti, m), Role: roleOf(m)}
		}
		return out, nil
	}
}

// authzScenario is one measured scenario of part (b).
type authzScenario struct {
	name                string
	tenants, members    int
	loaded              int
	loadTime            time.Duration
	loadPer             dist    // per-tenant load time (Authorizer path)
	loadFirst, loadLast float64 // mean ns of the first and the last 10% of tenant loads
	loadCut             bool    // stopped at the budget
	heapBefore          uint64
	heapAfter           uint64
	allocs, bytes       float64 // per check
	single              dist    // per-call, one goroutine, all runs pooled
	repP99              []float64
	singleBatch         dist // mean of batches of 100, one goroutine
	par                 dist // per-call, GOMAXPROCS goroutines
	parRate             float64
	singleRate          float64
	calls               int
	allowed             int
}

// extrapolatedLoad estimates the time to load every tenant one by one when
// each load costs time proportional to what is already loaded (as measured:
// see loadFirst and loadLast).
func (s *authzScenario) extrapolatedLoad() time.Duration {
	if s.loaded == 0 {
		return 0
	}
	r := float64(s.tenants) / float64(s.loaded)
	return time.Duration(float64(s.loadTime) * r * r)
}

// heapAlloc collects garbage, returns freed memory to the OS now (so the
// background scavenger does not run during the next measurement) and reports
// the live heap.
func heapAlloc() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func member(t, m int) identity.Principal {
	return identity.Principal{Kind: identity.KindMember, ID: personID(t, m), TenantID: tenantID(t)}
}

// checkFn answers whether p may read a person in tenant t.
type checkFn func(ctx context.Context, p identity.Principal, t uuid.UUID) (bool, error)

// loadAuthorizer builds an authz.Authorizer over the synthetic loader and
// loads tenants the way production does: the first Allow in a tenant loads
// it. Loading stops after budget (0: no limit).
func loadAuthorizer(ctx context.Context, s *authzScenario, budget time.Duration) (checkFn, any, error) {
	az, err := authz.New(syntheticLoader(s.members))
	if err != nil {
		return nil, nil, err
	}
	loads := make([]int64, 0, s.tenants)
	start := time.Now()
	progress := start
	for t := range s.tenants {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		t0 := time.Now()
		ok, err := az.Allow(ctx, member(t, 0), tenantID(t), "person", "read")
		loads = append(loads, int64(time.Since(t0)))
		if err != nil {
			return nil, nil, fmt.Errorf("load tenant %d: %w", t, err)
		}
		if !ok {
			return nil, nil, fmt.Errorf("load tenant %d: its admin was denied person/read", t)
		}
		s.loaded = t + 1
		if time.Since(progress) > 10*time.Second {
			progress = time.Now()
			logf("(b)   loaded %d of %d tenants in %s", s.loaded, s.tenants, time.Since(start).Round(time.Millisecond))
		}
		if budget > 0 && time.Since(start) > budget && t+1 < s.tenants {
			s.loadCut = true
			break
		}
	}
	s.loadTime = time.Since(start)
	s.loadPer = summarize(loads)
	tenth := max(1, len(loads)/10)
	mean := func(x []int64) float64 {
		var sum float64
		for _, v := range x {
			sum += float64(v)
		}
		return sum / float64(len(x))
	}
	s.loadFirst, s.loadLast = mean(loads[:tenth]), mean(loads[len(loads)-tenth:])
	return func(ctx context.Context, p identity.Principal, t uuid.UUID) (bool, error) {
		return az.Allow(ctx, p, t, "person", "read")
	}, az, nil
}

// loadEnforcer builds the same casbin enforcer authz.New builds (embedded
// model and permissions, SyncedEnforcer) and adds every tenant's role
// assignments, in the same rule shape the Authorizer uses, in one bulk call.
// The check makes the same Enforce call Allow makes, strings included.
func loadEnforcer(_ context.Context, s *authzScenario) (checkFn, any, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, nil, err
	}
	e.EnableAutoSave(false)
	var perms [][]string
	for _, line := range strings.Split(policies.Roles, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return nil, nil, fmt.Errorf("policies/roles.csv: bad line %q", line)
		}
		perms = append(perms, []string{strings.TrimSpace(f[1]), strings.TrimSpace(f[2]), strings.TrimSpace(f[3])})
	}
	if _, err := e.AddPolicies(perms); err != nil {
		return nil, nil, err
	}
	start := time.Now()
	rules := make([][]string, 0, s.tenants*s.members)
	for t := range s.tenants {
		dom := tenantID(t).String()
		for m := range s.members {
			rules = append(rules, []string{"member:" + personID(t, m).String(), string(roleOf(m)), dom})
		}
	}
	if _, err := e.AddGroupingPolicies(rules); err != nil {
		return nil, nil, err
	}
	s.loadTime = time.Since(start)
	s.loaded = s.tenants
	return func(_ context.Context, p identity.Principal, t uuid.UUID) (bool, error) {
		return e.Enforce(p.Subject(), t.String(), "person", "read")
	}, e, nil
}

type loaderFn func(ctx context.Context, s *authzScenario) (checkFn, any, error)

// runAuthz loads a scenario and times many checks: one goroutine timing each
// call, one goroutine timing batches of 100, and GOMAXPROCS goroutines.
func runAuthz(ctx context.Context, name string, tenants, members, calls, reps int, load loaderFn) (*authzScenario, error) {
	s := &authzScenario{name: name, tenants: tenants, members: members, calls: calls * reps}
	s.heapBefore = heapAlloc()
	check, keep, err := load(ctx, s)
	if err != nil {
		return nil, err
	}
	s.heapAfter = heapAlloc()

	next := func(rng *rand.Rand) (identity.Principal, uuid.UUID, bool) {
		t, m := rng.IntN(s.loaded), rng.IntN(members)
		return member(t, m), tenantID(t), roleOf(m) == identity.RoleAdmin
	}

	// Allocations per check, untimed.
	{
		rng := rand.New(rand.NewPCG(7, 7))
		const n = 20_000
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		for range n {
			p, t, _ := next(rng)
			if _, err := check(ctx, p, t); err != nil {
				return nil, err
			}
		}
		runtime.ReadMemStats(&b)
		s.allocs = float64(b.Mallocs-a.Mallocs) / n
		s.bytes = float64(b.TotalAlloc-a.TotalAlloc) / n
	}

	// One goroutine, every call timed on its own, in reps runs pooled (a
	// garbage collection of a large heap lands in some runs and not others).
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]int64, 0, calls*reps)
	var busy time.Duration
	for range reps {
		from := len(lat)
		t0all := time.Now()
		for range calls {
			p, t, want := next(rng)
			t0 := time.Now()
			ok, err := check(ctx, p, t)
			lat = append(lat, int64(time.Since(t0)))
			if err != nil {
				return nil, err
			}
			if ok != want {
				return nil, fmt.Errorf("authz: %s in tenant %s: allowed=%v, want %v", p.Subject(), t, ok, want)
			}
			if ok {
				s.allowed++
			}
		}
		busy += time.Since(t0all)
		s.repP99 = append(s.repP99, summarize(lat[from:]).P99)
	}
	s.singleRate = float64(len(lat)) / busy.Seconds()
	s.single = summarize(lat)
	lat = nil

	// One goroutine, batches of 100 timed together (timer cost amortised).
	const batch = 100
	type q struct {
		p identity.Principal
		t uuid.UUID
	}
	qs := make([]q, batch)
	bl := make([]int64, 0, calls/batch)
	for range calls / batch {
		for i := range qs {
			p, t, _ := next(rng)
			qs[i] = q{p, t}
		}
		t0 := time.Now()
		for i := range qs {
			if _, err := check(ctx, qs[i].p, qs[i].t); err != nil {
				return nil, err
			}
		}
		bl = append(bl, int64(time.Since(t0))/batch)
	}
	s.singleBatch = summarize(bl)

	// GOMAXPROCS goroutines at once.
	procs := runtime.GOMAXPROCS(0)
	lats := make([][]int64, procs)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	t0all := time.Now()
	for w := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w)+10, 3))
			l := make([]int64, calls/procs)
			for k := range l {
				p, t, want := next(r)
				t0 := time.Now()
				ok, err := check(ctx, p, t)
				l[k] = int64(time.Since(t0))
				if err == nil && ok != want {
					err = fmt.Errorf("authz: %s allowed=%v, want %v", p.Subject(), ok, want)
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
			}
			lats[w] = l
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	var all []int64
	for _, l := range lats {
		all = append(all, l...)
	}
	s.parRate = float64(len(all)) / time.Since(t0all).Seconds()
	s.par = summarize(all)
	runtime.KeepAlive(keep)
	return s, nil
}

// timerCost is the cost of one time.Now + time.Since pair.
func timerCost() float64 {
	const n = 1_000_000
	var sink time.Duration
	t0 := time.Now()
	for range n {
		a := time.Now()
		sink += time.Since(a)
	}
	_ = sink
	return float64(time.Since(t0)) / n
}
