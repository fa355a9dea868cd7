package support

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Decide approves or denies a pending request. sc is the deciding member
// (the route lets only approvers through); the requester can never decide,
// and neither can anyone once the 48 hours have passed. Approval starts the
// grant now and ends it after the asked duration, or the shorter one the
// approver sets.
func (s *Service) Decide(ctx context.Context, sc access.Scope, id uuid.UUID, d Decision) (Request, error) {
	d.Note = strings.TrimSpace(d.Note)
	if len(d.Note) > 2000 || errs.HasControl(d.Note) {
		return Request{}, errs.Field("note", "must be at most 2000 characters")
	}
	var r Request
	err := s.inTenant(ctx, sc, id, func(tx *gorm.DB, name string, now time.Time) error {
		if r = s.lockRequest(tx, sc.Tenant(), id, now); r.ID == uuid.Nil {
			return errs.New(errs.ErrNotFound, "support request %s", id)
		}
		if r.RequesterID == sc.Actor().ID {
			return errs.New(errs.ErrForbidden, "the requester cannot decide their own request")
		}
		if r.State != StatePending {
			return errs.New(errs.ErrConflict, "this request is %s and can no longer be decided", r.State)
		}
		actor := sc.Actor().ID
		r.DecidedBy, r.DecidedByName, r.DecidedAt, r.DecisionNote = &actor, &name, &now, d.Note
		action := "support.denied"
		r.Status = StateDenied
		if d.Approve {
			mins := r.DurationMinutes
			if d.DurationMinutes != 0 {
				if d.DurationMinutes < MinMinutes || d.DurationMinutes > r.DurationMinutes {
					return errs.Field("duration_minutes", "may only shorten the request: from %d to %d minutes", MinMinutes, r.DurationMinutes)
				}
				mins = d.DurationMinutes
			}
			end := now.Add(time.Duration(mins) * time.Minute)
			r.Status, r.StartsAt, r.EndsAt, r.DurationMinutes, action = StateApproved, &now, &end, mins, "support.approved"
		}
		if err := tx.Model(&Request{}).Where("tenant_id = ? AND id = ?", r.TenantID, r.ID).Updates(map[string]any{
			"status": r.Status, "decided_by": actor, "decided_by_name": name, "decided_at": now, "decision_note": d.Note,
			"starts_at": r.StartsAt, "ends_at": r.EndsAt, "duration_minutes": r.DurationMinutes}).Error; err != nil {
			return fmt.Errorf("support: decide: %w", err)
		}
		detail := map[string]string{"requester": r.RequesterName}
		if r.EndsAt != nil {
			detail["ends_at"] = r.EndsAt.UTC().Format(time.RFC3339)
		}
		_, err := audit.Append(tx, sc.Tenant(), audit.Event{ActorKind: "member", ActorID: &actor, ActorName: name, Basis: string(sc.Basis()),
			Action: action, Target: "support request " + r.ID.String(), GrantID: &r.ID, Ticket: r.Ticket, ApproverName: name, Detail: detail})
		return err
	})
	r.State = r.state(s.now())
	return r, err
}

// Revoke ends an approved grant at once: the support person's next request
// is refused, in sessions already open too.
func (s *Service) Revoke(ctx context.Context, sc access.Scope, id uuid.UUID) (Request, error) {
	var r Request
	err := s.inTenant(ctx, sc, id, func(tx *gorm.DB, name string, now time.Time) error {
		if r = s.lockRequest(tx, sc.Tenant(), id, now); r.ID == uuid.Nil {
			return errs.New(errs.ErrNotFound, "support request %s", id)
		}
		if r.State != StateApproved {
			return errs.New(errs.ErrConflict, "only access in force can be revoked; this request is %s", r.State)
		}
		actor := sc.Actor().ID
		r.Status, r.RevokedBy, r.RevokedByName, r.RevokedAt = StateRevoked, &actor, &name, &now
		if err := tx.Model(&Request{}).Where("tenant_id = ? AND id = ?", r.TenantID, r.ID).Updates(map[string]any{
			"status": r.Status, "revoked_by": actor, "revoked_by_name": name, "revoked_at": now}).Error; err != nil {
			return fmt.Errorf("support: revoke: %w", err)
		}
		_, err := audit.Append(tx, sc.Tenant(), audit.Event{ActorKind: "member", ActorID: &actor, ActorName: name, Basis: string(sc.Basis()),
			Action: "support.revoked", Target: "support request " + r.ID.String(), GrantID: &r.ID, Ticket: r.Ticket,
			ApproverName: deref(r.DecidedByName), Detail: map[string]string{"requester": r.RequesterName}})
		return err
	})
	r.State = r.state(s.now())
	return r, err
}

// inTenant runs fn in one transaction in the member's scope, with the
// member's name (for the log: a named person, never an account id alone).
func (s *Service) inTenant(ctx context.Context, sc access.Scope, id uuid.UUID, fn func(tx *gorm.DB, name string, now time.Time) error) error {
	if !sc.TenantWide() {
		return errs.New(errs.ErrForbidden, "this concerns the whole tenant; a role for some schools cannot decide it")
	}
	return s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := access.Enter(tx, sc); err != nil {
			return err
		}
		var name string
		if err := tx.Raw(`SELECT display_name FROM people WHERE id = ?`, sc.Actor().ID).Scan(&name).Error; err != nil {
			return err
		}
		if name == "" {
			return errs.New(errs.ErrForbidden, "support: deciding member not found")
		}
		return fn(tx, name, s.now().UTC())
	})
}

// lockRequest reads the tenant's request for update (zero if none).
func (s *Service) lockRequest(tx *gorm.DB, tenant, id uuid.UUID, now time.Time) Request {
	var rs []Request
	if err := tx.Raw(`SELECT * FROM support_requests WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenant, id).Scan(&rs).Error; err != nil || len(rs) == 0 {
		return Request{}
	}
	rs[0].State = rs[0].state(now)
	return rs[0]
}

// ForTenant lists the scoped tenant's requests, newest first. It reads in
// the tenant's scope, so row-level security keeps to its rows too.
func (s *Service) ForTenant(ctx context.Context, sc access.Scope, after uuid.UUID, limit int) ([]Request, error) {
	return s.list(ctx, &sc, func(q *gorm.DB) *gorm.DB { return q.Where("support_requests.tenant_id = ?", sc.Tenant()) }, after, limit)
}

// Get returns one of the scoped tenant's requests.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (Request, error) {
	return s.one(s.list(ctx, &sc, func(q *gorm.DB) *gorm.DB {
		return q.Where("support_requests.tenant_id = ? AND support_requests.id = ?", sc.Tenant(), id)
	}, uuid.Nil, 1))
}

// ForStaff lists a support person's own requests across tenants.
func (s *Service) ForStaff(ctx context.Context, staff uuid.UUID, after uuid.UUID, limit int) ([]Request, error) {
	return s.list(ctx, nil, func(q *gorm.DB) *gorm.DB { return q.Where("requester_id = ?", staff) }, after, limit)
}

// Mine returns one of a support person's own requests.
func (s *Service) Mine(ctx context.Context, staff, id uuid.UUID) (Request, error) {
	return s.one(s.list(ctx, nil, func(q *gorm.DB) *gorm.DB {
		return q.Where("requester_id = ? AND support_requests.id = ?", staff, id)
	}, uuid.Nil, 1))
}

func (s *Service) one(rs []Request, err error) (Request, error) {
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, errs.New(errs.ErrNotFound, "support request")
	}
	return rs[0], nil
}

// list reads requests matching filter, newest first: in sc's scope when
// given (a school), else as the processor (a support person's own).
func (s *Service) list(ctx context.Context, sc *access.Scope, filter func(*gorm.DB) *gorm.DB, after uuid.UUID, limit int) ([]Request, error) {
	out := []Request{}
	read := func(db *gorm.DB) error {
		q := filter(db.Table("support_requests").Select("support_requests.*, t.slug AS tenant_slug").
			Joins("JOIN tenants t ON t.id = support_requests.tenant_id").Order("support_requests.id DESC").Limit(limit))
		if after != uuid.Nil {
			q = q.Where("support_requests.id < ?", after)
		}
		return q.Scan(&out).Error
	}
	var err error
	if sc != nil {
		err = access.Transact(ctx, s.db, *sc, read)
	} else {
		err = read(s.db.Gorm.WithContext(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("support: list: %w", err)
	}
	now := s.now()
	for i := range out {
		out[i].State = out[i].state(now)
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
