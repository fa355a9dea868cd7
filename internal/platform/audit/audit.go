// Package audit is each tenant's append-only, hash-chained audit log: every
// look by processor staff at a tenant's data and every decision about such
// access. The tenant reads its own log; nobody can change it: the
// application's database role may only insert and read, a trigger refuses
// updates, and each record's hash covers its content and the previous
// record's hash, with the chain's head kept apart, so an edited, removed or
// reordered record is found by Verify.
//
// Functions take a transaction already scoped to the tenant (row-level
// security applies); the caller decides the scope.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Event is what happened, as the caller tells it.
type Event struct {
	ActorKind    string     // member, staff or system
	ActorID      *uuid.UUID // nil for the system
	ActorName    string     // a named person, never a shared account
	Basis        string     // the access basis (support-grant, member, …)
	Action       string     // e.g. support.read, support.approve
	Target       string     // what was read or decided
	GrantID      *uuid.UUID
	Ticket       string
	ApproverName string
	Detail       map[string]string
}

// Record is one stored event with its place in the chain.
type Record struct {
	TenantID     uuid.UUID         `json:"-"`
	Seq          int64             `json:"seq"`
	At           time.Time         `json:"at"`
	ActorKind    string            `json:"actor_kind"`
	ActorID      *uuid.UUID        `json:"actor_id"`
	ActorName    string            `json:"actor_name"`
	Basis        string            `json:"basis"`
	Action       string            `json:"action"`
	Target       string            `json:"target"`
	GrantID      *uuid.UUID        `json:"grant_id"`
	Ticket       string            `json:"ticket"`
	ApproverName string            `json:"approver_name"`
	Detail       map[string]string `json:"detail" gorm:"serializer:json"`
	PrevHash     []byte            `json:"prev_hash"`
	Hash         []byte            `json:"hash"`
}

// TableName is the gorm table.
func (Record) TableName() string { return "audit_events" }

// genesis is the previous hash of each chain's first record.
var genesis = make([]byte, sha256.Size)

// digest is the hash of r: SHA-256 over the previous hash and a fixed JSON
// encoding of every other field (struct order; map keys sorted).
func (r Record) digest() []byte {
	body := struct {
		Tenant       uuid.UUID         `json:"tenant"`
		Seq          int64             `json:"seq"`
		At           string            `json:"at"`
		ActorKind    string            `json:"actor_kind"`
		ActorID      *uuid.UUID        `json:"actor_id"`
		ActorName    string            `json:"actor_name"`
		Basis        string            `json:"basis"`
		Action       string            `json:"action"`
		Target       string            `json:"target"`
		GrantID      *uuid.UUID        `json:"grant_id"`
		Ticket       string            `json:"ticket"`
		ApproverName string            `json:"approver_name"`
		Detail       map[string]string `json:"detail"`
	}{r.TenantID, r.Seq, r.At.UTC().Format(time.RFC3339Nano), r.ActorKind, r.ActorID, r.ActorName, r.Basis, r.Action, r.Target,
		r.GrantID, r.Ticket, r.ApproverName, r.Detail}
	b, _ := json.Marshal(body) // cannot fail: strings, numbers and uuids
	h := sha256.New()
	h.Write(r.PrevHash)
	h.Write(b)
	return h.Sum(nil)
}

// Append adds e to the end of tenant's chain. tx must be in tenant's scope;
// the chain's head row is locked until tx ends, so appends are serialised
// per tenant and the chain never forks.
func Append(tx *gorm.DB, tenant uuid.UUID, e Event) (Record, error) {
	if e.Detail == nil {
		e.Detail = map[string]string{}
	}
	if err := tx.Exec(`INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, 0, ?) ON CONFLICT DO NOTHING`, tenant, genesis).Error; err != nil {
		return Record{}, fmt.Errorf("audit: head: %w", err)
	}
	var head struct {
		Seq  int64
		Hash []byte
	}
	if err := tx.Raw(`SELECT seq, hash FROM audit_heads WHERE tenant_id = ? FOR UPDATE`, tenant).Scan(&head).Error; err != nil {
		return Record{}, fmt.Errorf("audit: lock head: %w", err)
	}
	r := Record{TenantID: tenant, Seq: head.Seq + 1, At: time.Now().UTC().Truncate(time.Microsecond),
		ActorKind: e.ActorKind, ActorID: e.ActorID, ActorName: e.ActorName, Basis: e.Basis, Action: e.Action, Target: e.Target,
		GrantID: e.GrantID, Ticket: e.Ticket, ApproverName: e.ApproverName, Detail: e.Detail, PrevHash: head.Hash}
	r.Hash = r.digest()
	if err := tx.Create(&r).Error; err != nil {
		return Record{}, fmt.Errorf("audit: append: %w", err)
	}
	if err := tx.Exec(`UPDATE audit_heads SET seq = ?, hash = ? WHERE tenant_id = ?`, r.Seq, r.Hash, tenant).Error; err != nil {
		return Record{}, fmt.Errorf("audit: move head: %w", err)
	}
	return r, nil
}

// List pages through tenant's log, newest first. before is the seq to
// start below (0: from the newest).
func List(tx *gorm.DB, before int64, limit int) ([]Record, error) {
	out := []Record{}
	q := tx.Order("seq DESC").Limit(limit)
	if before > 0 {
		q = q.Where("seq < ?", before)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return out, nil
}

// Problem is one break in a chain.
type Problem struct {
	Tenant uuid.UUID
	Seq    int64
	What   string
}

func (p Problem) String() string {
	return fmt.Sprintf("tenant %s, record %d: %s", p.Tenant, p.Seq, p.What)
}

// Verify walks tenant's whole chain in order (tx scoped to tenant) and
// reports every record whose hash, predecessor or position is wrong, and a
// head that does not match the last record.
func Verify(tx *gorm.DB, tenant uuid.UUID) ([]Problem, error) {
	var problems []Problem
	prev, want := genesis, int64(1)
	rows, err := tx.Model(&Record{}).Order("seq").Rows()
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Record
		if err := tx.ScanRows(rows, &r); err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
		if r.Seq != want {
			problems = append(problems, Problem{tenant, r.Seq, fmt.Sprintf("expected record %d here: records are missing or out of order", want)})
		}
		if !bytes.Equal(r.PrevHash, prev) {
			problems = append(problems, Problem{tenant, r.Seq, "does not follow the record before it"})
		}
		if !bytes.Equal(r.digest(), r.Hash) {
			problems = append(problems, Problem{tenant, r.Seq, "content does not match its hash: edited"})
		}
		prev, want = r.Hash, r.Seq+1
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var head struct {
		Seq  int64
		Hash []byte
	}
	res := tx.Raw(`SELECT seq, hash FROM audit_heads WHERE tenant_id = ?`, tenant).Scan(&head)
	if res.Error != nil {
		return nil, fmt.Errorf("audit: verify head: %w", res.Error)
	}
	if res.RowsAffected > 0 && (head.Seq != want-1 || !bytes.Equal(head.Hash, prev)) {
		problems = append(problems, Problem{tenant, head.Seq, fmt.Sprintf("the log ends at record %d but its head says %d: records were removed", want-1, head.Seq)})
	}
	return problems, nil
}
