// Package usage counts how the platform is used, per tenant, day and part
// (route), with no person, device or address, and reports it to the
// tenant's admins.
package usage

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// New is a counter that writes to db.
func New(db *database.DB) *Counter { return &Counter{db: db} }

// Counter counts members' successful requests per tenant, day and
// route in memory and adds them to usage_daily every half minute: no
// person, device or address is kept, and nothing is counted for a person
// whose browser sends Do Not Track or Global Privacy Control. Counting
// costs a map update on the request path; a process that dies loses at
// most half a minute of counts (they are analytics, not records).
type Counter struct {
	db     *database.DB
	mu     sync.Mutex
	n      map[key]int64
	start  sync.Once
	pruned map[uuid.UUID]string // tenant → the day its old counts were last removed (flush only)
}

// kept is how long counts are kept, as the privacy registry declares
// for usage_daily: each tenant's older days are removed by the first flush
// of a day.
const kept = "13 months"

type key struct {
	tenant uuid.UUID
	day    string
	area   string
}

const flushEvery = 30 * time.Second

// optedOut reports the browser's Do Not Track or Global Privacy Control
// signal: non-essential analytics stay off for that request.
func optedOut(r *http.Request) bool {
	return r.Header.Get("Sec-GPC") == "1" || r.Header.Get("DNT") == "1"
}

// Observe counts one finished request of a member of tenant: route is the
// route pattern ("GET /t/:tenant/courses"); failures and requests from
// browsers that opted out are not counted.
func (u *Counter) Observe(r *http.Request, tenant uuid.UUID, route string, status int) {
	if tenant == uuid.Nil || status >= 400 || optedOut(r) || route == "" {
		return
	}
	k := key{tenant, time.Now().UTC().Format(time.DateOnly), r.Method + " " + route}
	u.mu.Lock()
	if u.n == nil {
		u.n = map[key]int64{}
	}
	if len(u.n) < 100_000 {
		u.n[k]++
	}
	u.mu.Unlock()
	u.start.Do(func() {
		go func() {
			for range time.Tick(flushEvery) {
				if err := u.Flush(context.Background()); err != nil {
					slog.Warn("usage: flush", "err", err)
				}
			}
		}()
	})
}

// Flush adds the counts so far to usage_daily, one transaction per tenant.
func (u *Counter) Flush(ctx context.Context) error {
	u.mu.Lock()
	batch := u.n
	u.n = nil
	u.mu.Unlock()
	byTenant := map[uuid.UUID][]key{}
	written := map[uuid.UUID]bool{}
	for k := range batch {
		byTenant[k.tenant] = append(byTenant[k.tenant], k)
	}
	for t, keys := range byTenant {
		today := time.Now().UTC().Format(time.DateOnly)
		u.mu.Lock()
		prune := u.pruned[t] != today
		u.mu.Unlock()
		err := access.Transact(ctx, u.db, access.System(t, "usage"), func(tx *gorm.DB) error {
			// Nothing is counted for a tenant whose data is being deleted.
			if err := access.WriteGate(tx, t); err != nil {
				return err
			}
			if prune {
				if err := tx.Exec(`DELETE FROM usage_daily WHERE day < current_date - interval '` + kept + `'`).Error; err != nil {
					return err
				}
			}
			for _, k := range keys {
				if err := tx.Exec(`INSERT INTO usage_daily (tenant_id, day, area, requests) VALUES (?, ?, ?, ?)
					ON CONFLICT (tenant_id, day, area) DO UPDATE SET requests = usage_daily.requests + EXCLUDED.requests`,
					t, k.day, k.area, batch[k]).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if errors.Is(err, access.ErrTenantDeleting) {
			written[t] = true // dropped, not kept for the next flush
			continue
		}
		if err != nil {
			// Keep what was not written for the next flush.
			u.mu.Lock()
			if u.n == nil {
				u.n = map[key]int64{}
			}
			for k, n := range batch {
				if k.tenant == t || !written[k.tenant] {
					u.n[k] += n
				}
			}
			u.mu.Unlock()
			return err
		}
		written[t] = true
		u.mu.Lock()
		if u.pruned == nil {
			u.pruned = map[uuid.UUID]string{}
		}
		u.pruned[t] = today
		u.mu.Unlock()
	}
	return nil
}

// Row is one day's use of one part of the platform.
type Row struct {
	Day      string `json:"day"`
	Area     string `json:"area"`
	Requests int64  `json:"requests"`
}

// Of is the scoped tenant's use of the platform over 30 days.
func Of(ctx context.Context, db *database.DB, sc access.Scope) ([]Row, error) {
	out := []Row{}
	err := access.Transact(ctx, db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT to_char(day, 'YYYY-MM-DD') AS day, area, requests FROM usage_daily
			WHERE day > current_date - 30 ORDER BY day DESC, requests DESC LIMIT 5000`).Scan(&out).Error
	})
	return out, err
}
