package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
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
func roleOf(m int) string {
	switch m % 10 {
	case 0:
		return "admin"
	case 1, 2, 3:
		return "teacher"
	}
	return "learner"
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
	tenants, members    int
	loaded              int
	loadTime            time.Duration
	loadPer             dist    // per-tenant load time
	loadFirst, loadLast float64 // mean ns of the first and the last 10% of tenant loads
	loadCut             bool    // stopped at the budget
	heapBefore          uint64
	heapAfter           uint64
	single              dist // per-call, one goroutine
	singleBatch         dist // mean of batches of 100, one goroutine
	par                 dist // per-call, GOMAXPROCS goroutines
	parRate             float64
	singleRate          float64
	calls               int
	allowed             int
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func member(t, m int) identity.Principal {
	return identity.Principal{Kind: identity.KindMember, ID: personID(t, m), TenantID: tenantID(t)}
}

// runAuthz builds an Authorizer, loads every tenant through Allow and times
// many checks.
func runAuthz(ctx context.Context, tenants, members, calls int, budget time.Duration) (*authzScenario, error) {
	s := &authzScenario{tenants: tenants, members: members, calls: calls}
	s.heapBefore = heapAlloc()
	az, err := authz.New(syntheticLoader(members))
	if err != nil {
		return nil, err
	}
	loads := make([]int64, 0, tenants)
	start := time.Now()
	progress := start
	for t := range tenants {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		t0 := time.Now()
		ok, err := az.Allow(ctx, member(t, 0), tenantID(t), "person", "read")
		loads = append(loads, int64(time.Since(t0)))
		if err != nil {
			return nil, fmt.Errorf("load tenant %d: %w", t, err)
		}
		if !ok {
			return nil, fmt.Errorf("load tenant %d: its admin was denied person/read", t)
		}
		s.loaded = t + 1
		if time.Since(progress) > 10*time.Second {
			progress = time.Now()
			logf("(b)   loaded %d of %d tenants in %s", s.loaded, tenants, time.Since(start).Round(time.Millisecond))
		}
		if budget > 0 && time.Since(start) > budget && t+1 < tenants {
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
	loads = nil
	s.heapAfter = heapAlloc()

	check := func(rng *rand.Rand) (identity.Principal, uuid.UUID, bool) {
		t, m := rng.IntN(s.loaded), rng.IntN(members)
		return member(t, m), tenantID(t), roleOf(m) == "admin"
	}

	// One goroutine, every call timed on its own.
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]int64, calls)
	t0all := time.Now()
	for k := range calls {
		p, t, want := check(rng)
		t0 := time.Now()
		ok, err := az.Allow(ctx, p, t, "person", "read")
		lat[k] = int64(time.Since(t0))
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
	s.singleRate = float64(calls) / time.Since(t0all).Seconds()
	s.single = summarize(lat)

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
			p, t, _ := check(rng)
			qs[i] = q{p, t}
		}
		t0 := time.Now()
		for i := range qs {
			if _, err := az.Allow(ctx, qs[i].p, qs[i].t, "person", "read"); err != nil {
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
	t0all = time.Now()
	for w := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w)+10, 3))
			l := make([]int64, calls/procs)
			for k := range l {
				p, t, want := check(r)
				t0 := time.Now()
				ok, err := az.Allow(ctx, p, t, "person", "read")
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
	runtime.KeepAlive(az)
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
