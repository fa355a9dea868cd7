package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// PeopleFilter narrows the people page's list; the zero value lists
// everyone the scope reaches.
type PeopleFilter struct {
	// Text is part of a name or username (any case).
	Text string
	// Role keeps people holding that role; with School, in that school.
	Role Role
	// School keeps people holding a role in that school.
	School *uuid.UUID
	// Class is part of the title of a course they are enrolled on, or of
	// the name of a teaching group they are in (any case).
	Class string
	// Status is one of the ListStatuses: "" keeps everyone.
	Status string
}

// The statuses a list may be narrowed to: the account's status, and two
// states of it people ask about (left the school, locked out).
const (
	ListActive    = "active"    // may sign in and has not left
	ListSuspended = "suspended" // an admin stopped them signing in
	ListLeft      = "left"      // their leaving date has passed
	ListLocked    = "locked"    // locked by failed sign-ins, for now
)

// ListStatuses are the statuses PeopleFilter.Status accepts.
var ListStatuses = []string{ListActive, ListSuspended, ListLeft, ListLocked}

// Listed is one row of the people list: the person and the roles they hold.
type Listed struct {
	Person
	Roles []Role `gorm:"-"`
	// RoleList is the roles as the query returns them, comma-separated.
	RoleList string `json:"-"`
}

// Locked reports whether the person is locked out by failed sign-ins now.
func (p Person) Locked(now time.Time) bool { return p.LockedUntil != nil && now.Before(*p.LockedUntil) }

func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(strings.TrimSpace(s))) + "%"
}

// Check says which of f's fields cannot be used, as field errors.
func (f PeopleFilter) Check() error {
	var fe errs.FieldErrors
	if f.Role != "" && !validRole(f.Role) {
		fe.Add("role", "Choose a role from the list")
	}
	ok := f.Status == ""
	for _, s := range ListStatuses {
		ok = ok || f.Status == s
	}
	if !ok {
		fe.Add("status", "Choose a status from the list")
	}
	if len(f.Text) > 200 {
		fe.Add("q", "Type at most 200 characters")
	}
	if len(f.Class) > 200 {
		fe.Add("class", "Type at most 200 characters")
	}
	return fe.Err()
}

// FindPeople pages through the people sc reaches that match f, by name
// (then id, so equal names page stably). after is the last id of the
// previous page (uuid.Nil for the first).
func (s *Service) FindPeople(ctx context.Context, sc access.Scope, f PeopleFilter, after uuid.UUID, limit int) (out []Listed, err error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	out = []Listed{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := visible(tx.Table("people").Select(`people.*, (SELECT string_agg(DISTINCT ra.role, ',') FROM role_assignments ra
			WHERE ra.tenant_id = people.tenant_id AND ra.person_id = people.id) AS role_list`), sc)
		if f.Text != "" {
			q = q.Where(`(lower(people.display_name) LIKE ? OR lower(people.username) LIKE ?)`, likeArg(f.Text), likeArg(f.Text))
		}
		switch {
		case f.Role != "" && f.School != nil:
			q = q.Where(`EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.tenant_id = people.tenant_id AND ra.person_id = people.id AND ra.role = ? AND ra.school_id = ?)`, f.Role, *f.School)
		case f.Role != "":
			q = q.Where(`EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.tenant_id = people.tenant_id AND ra.person_id = people.id AND ra.role = ?)`, f.Role)
		case f.School != nil:
			q = q.Where(`EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.tenant_id = people.tenant_id AND ra.person_id = people.id AND ra.school_id = ?)`, *f.School)
		}
		if f.Class != "" {
			like := likeArg(f.Class)
			q = q.Where(`(EXISTS (SELECT 1 FROM enrolments e JOIN courses c ON c.tenant_id = e.tenant_id AND c.id = e.course_id
				WHERE e.tenant_id = people.tenant_id AND e.person_id = people.id AND lower(c.title) LIKE ?)
				OR EXISTS (SELECT 1 FROM teaching_group_members m JOIN teaching_groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
				WHERE m.tenant_id = people.tenant_id AND m.person_id = people.id AND lower(g.name) LIKE ?))`, like, like)
		}
		switch f.Status {
		case ListActive:
			q = q.Where(`people.status = 'active' AND (people.left_on IS NULL OR people.left_on > current_date)`)
		case ListSuspended:
			q = q.Where(`people.status = 'suspended'`)
		case ListLeft:
			q = q.Where(`people.left_on <= current_date`)
		case ListLocked:
			q = q.Where(`people.locked_until > now()`)
		}
		if after != uuid.Nil {
			q = q.Where(`(lower(people.display_name), people.id) > (SELECT lower(display_name), id FROM people WHERE id = ?)`, after)
		}
		return q.Order("lower(people.display_name), people.id").Limit(limit).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	for i := range out {
		for _, r := range strings.Split(out[i].RoleList, ",") {
			if r != "" {
				out[i].Roles = append(out[i].Roles, Role(r))
			}
		}
	}
	return out, nil
}

// LockedAt is when a lockout still in force began (it lasts LockFor);
// nil when the person is not locked out.
func (s *Service) LockedAt(p Person) *time.Time {
	if !p.Locked(time.Now()) {
		return nil
	}
	at := p.LockedUntil.Add(-s.cfg.LockFor)
	return &at
}

// Unlock ends a lockout by failed sign-ins before it runs out, and clears
// the count of failures, so the person may sign in again at once. The
// admin's unlock is in the tenant's audit trail. A person who is not
// locked out is a conflict (someone else unlocked them, or it ran out).
func (s *Service) Unlock(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, id, true); err != nil {
			return err
		}
		var p Person
		if err := getPerson(tx, id, &p); err != nil {
			return err
		}
		if !p.Locked(time.Now()) {
			return errs.New(errs.ErrConflict, "%s is not locked out: they can sign in already.", p.DisplayName)
		}
		if err := tx.Exec(`UPDATE people SET failed_logins = 0, locked_until = NULL WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("unlock: %w", err)
		}
		return Record(tx, sc, "", "person.unlocked", "person "+id.String(),
			map[string]string{"locked_until": p.LockedUntil.UTC().Format(time.RFC3339)})
	})
}
