// Package idempotency keeps the answers of the API's creates by their
// Idempotency-Key, per tenant and caller, so a client that sends the same
// POST again (a retry after a timeout) gets the first answer back instead
// of a second course. The request kernel (internal/request) decides when
// a key applies and writes the answers; this package only stores them.
package idempotency

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// Window is how long a key's answer is replayed; after it the key is
// forgotten (ignored on read, deleted by the sweep) and may be used anew.
const Window = 24 * time.Hour

// Abandoned is how long a first request may hold its key unanswered
// before a retry may take the key over: its process stopped mid-request
// (a create of JSON finishes in well under a second).
const Abandoned = 10 * time.Minute

// Key names one use of a key: whose (tenant and caller), which key, and a
// hash of the request it came with (method, route, ids and body).
type Key struct {
	Tenant    uuid.UUID
	Principal string
	Key       string
	Hash      []byte
}

// Answer is a stored answer, replayed as it was written.
type Answer struct {
	Status      int
	Location    string
	ContentType string
	Body        []byte
}

// State is what Begin found for a key.
type State int

// States.
const (
	// Reserved: the key is new (or forgotten); the request runs and its
	// answer is then kept (Finish) or the key let go (Release).
	Reserved State = iota
	// Replay: the same request succeeded before; send its Answer.
	Replay
	// Running: the same key's first request has not answered yet.
	Running
	// Mismatch: the key was used with a different request.
	Mismatch
)

// Store keeps keys and answers in the tenant table idempotency_keys.
type Store struct{ db *database.DB }

// New returns a Store over db.
func New(db *database.DB) *Store { return &Store{db: db} }

// scope is the system scope the kernel's own bookkeeping runs under: the
// caller's scope may be read-only (an integration) and this is not their
// data change.
func scope(tenant uuid.UUID) access.Scope { return access.System(tenant, "idempotency") }

// Begin reserves k's key for this request, or says why not: the first
// answer to replay, the first request still running, or a different
// request under the same key. A key whose first request was abandoned
// (Abandoned) is taken over; one older than Window is forgotten.
func (s *Store) Begin(ctx context.Context, k Key) (st State, a Answer, err error) {
	err = access.Transact(ctx, s.db, scope(k.Tenant), func(tx *gorm.DB) error {
		// A tenant whose deletion has begun gets no new rows.
		if err := access.WriteGate(tx, k.Tenant); err != nil {
			return err
		}
		// Forget expired keys as we go, so none outlives Window even if
		// the sweep is late.
		if err := tx.Exec(`DELETE FROM idempotency_keys WHERE tenant_id = ? AND created_at < now() - make_interval(secs => ?)`,
			k.Tenant, Window.Seconds()).Error; err != nil {
			return err
		}
		res := tx.Exec(`INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant_id, principal, key) DO UPDATE
				SET request_hash = excluded.request_hash, created_at = now()
				WHERE idempotency_keys.status IS NULL AND idempotency_keys.created_at < now() - make_interval(secs => ?)`,
			k.Tenant, k.Principal, k.Key, k.Hash, Abandoned.Seconds())
		if res.Error != nil || res.RowsAffected == 1 {
			st = Reserved
			return res.Error
		}
		var row struct {
			RequestHash []byte
			Status      *int
			Location    string
			ContentType string
			Reply       []byte
		}
		if err := tx.Raw(`SELECT request_hash, status, location, content_type, reply FROM idempotency_keys
			WHERE tenant_id = ? AND principal = ? AND key = ?`, k.Tenant, k.Principal, k.Key).Scan(&row).Error; err != nil {
			return err
		}
		switch {
		case !bytes.Equal(row.RequestHash, k.Hash):
			st = Mismatch
		case row.Status == nil:
			st = Running
		default:
			st, a = Replay, Answer{Status: *row.Status, Location: row.Location, ContentType: row.ContentType, Body: row.Reply}
		}
		return nil
	})
	if err != nil {
		return 0, Answer{}, fmt.Errorf("idempotency: begin: %w", err)
	}
	return st, a, nil
}

// Finish keeps the answer of k's request for replay.
func (s *Store) Finish(ctx context.Context, k Key, a Answer) error {
	return s.exec(ctx, k, "finish", `UPDATE idempotency_keys SET status = ?, location = ?, content_type = ?, reply = ?
		WHERE tenant_id = ? AND principal = ? AND key = ? AND status IS NULL`,
		a.Status, a.Location, a.ContentType, a.Body, k.Tenant, k.Principal, k.Key)
}

// Release lets k's key go after its request failed: nothing was created,
// so a retry must run again rather than replay the failure.
func (s *Store) Release(ctx context.Context, k Key) error {
	return s.exec(ctx, k, "release", `DELETE FROM idempotency_keys
		WHERE tenant_id = ? AND principal = ? AND key = ? AND status IS NULL`, k.Tenant, k.Principal, k.Key)
}

func (s *Store) exec(ctx context.Context, k Key, what, sql string, args ...any) error {
	err := access.Transact(ctx, s.db, scope(k.Tenant), func(tx *gorm.DB) error { return tx.Exec(sql, args...).Error })
	if err != nil {
		return fmt.Errorf("idempotency: %s: %w", what, err)
	}
	return nil
}
