// Package ratelimit counts events per key in fixed windows, in PostgreSQL,
// so every API replica shares the same counts.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// Limiter allows at most Limit events per key in each Window.
type Limiter struct {
	db     *database.DB
	Limit  int
	Window time.Duration
	scope  string
}

// New returns a Limiter; scope separates limits (e.g. "login").
func New(db *database.DB, scope string, limit int, window time.Duration) *Limiter {
	return &Limiter{db: db, scope: scope, Limit: limit, Window: window}
}

// Allow counts one event for key and reports whether it is within the limit,
// and if not, how long until the window ends. The key is stored hashed.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	r, err := l.Take(ctx, key)
	if r.Allowed {
		return true, 0, err
	}
	return false, r.Reset, err
}

// Taken is what counting one event found: whether it is within the limit,
// how many more the window allows, and how long until the window ends
// (what a RateLimit header reports).
type Taken struct {
	Allowed   bool
	Remaining int
	Reset     time.Duration
}

// Take counts one event for key and says where its window stands.
func (l *Limiter) Take(ctx context.Context, key string) (Taken, error) {
	h := sha256.Sum256([]byte(l.scope + "\x00" + key))
	var count int
	var start time.Time
	err := l.db.Pool.QueryRow(ctx, `
		INSERT INTO rate_limits AS r (key, window_start, count) VALUES ($1, now(), 1)
		ON CONFLICT (key) DO UPDATE SET
			count        = CASE WHEN r.window_start + $2 <= now() THEN 1 ELSE r.count + 1 END,
			window_start = CASE WHEN r.window_start + $2 <= now() THEN now() ELSE r.window_start END
		RETURNING count, window_start`, hex.EncodeToString(h[:]), l.Window).Scan(&count, &start)
	if err != nil {
		return Taken{}, fmt.Errorf("ratelimit: %w", err)
	}
	return Taken{Allowed: count <= l.Limit, Remaining: max(0, l.Limit-count), Reset: max(0, time.Until(start.Add(l.Window)))}, nil
}

// Peek says where key's window stands without counting an event: Allowed
// when one more is within the limit.
func (l *Limiter) Peek(ctx context.Context, key string) (Taken, error) {
	h := sha256.Sum256([]byte(l.scope + "\x00" + key))
	var count int
	var start time.Time
	err := l.db.Pool.QueryRow(ctx, `
		SELECT CASE WHEN window_start + $2 <= now() THEN 0 ELSE count END, window_start
		FROM rate_limits WHERE key = $1`, hex.EncodeToString(h[:]), l.Window).Scan(&count, &start)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Taken{Allowed: true, Remaining: l.Limit, Reset: l.Window}, nil
	case err != nil:
		return Taken{}, fmt.Errorf("ratelimit: %w", err)
	}
	reset := time.Until(start.Add(l.Window))
	if count == 0 || reset <= 0 {
		reset = l.Window
	}
	return Taken{Allowed: count < l.Limit, Remaining: max(0, l.Limit-count), Reset: reset}, nil
}

// Sweep deletes windows that ended before cutoff.
func Sweep(ctx context.Context, db *database.DB, cutoff time.Time) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, cutoff)
	return err
}
