package roster

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func (a *applier) applyUsers() error {
	c := &a.p.counts.People
	for _, u := range a.p.users {
		ex := a.people[u.sourcedID]
		switch {
		case ex == nil && u.deleted:
			c.Unchanged++ // nothing here to suspend
		case ex == nil:
			if err := a.createPerson(u); err != nil {
				return err
			}
		case !a.reaches(ex, true):
			a.p.fail(UsersFile, u.line, "sourcedId", "is a person who also belongs to schools that are not yours; a tenant-wide admin must import them")
			a.p.badUsers[u.sourcedID] = true
		case u.deleted:
			if ex.Status == identity.PersonSuspended && ex.LeftOn != nil {
				c.Unchanged++
			} else if ok, err := a.leave(ex, u.line, "status"); err != nil {
				return err
			} else if ok {
				c.Removed++
			}
		default:
			if err := a.updatePerson(ex, u); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *applier) createPerson(u userRow) error {
	if _, taken := a.byName[strings.ToLower(u.username)]; taken {
		a.p.fail(UsersFile, u.line, "username", "is already used by another person here; an import never takes over an existing account")
		a.p.badUsers[u.sourcedID] = true
		return nil
	}
	p, err := identity.NewPersonRow(a.sc.Tenant(), identity.NewPerson{Username: u.username, Email: u.email, DisplayName: u.displayName})
	var fe errs.FieldErrors
	if errors.As(err, &fe) {
		for _, f := range fe {
			col := map[string]string{"display_name": "givenName"}[f.Field]
			if col == "" {
				col = f.Field
			}
			a.p.fail(UsersFile, u.line, col, "%s", f.Message)
		}
		a.p.badUsers[u.sourcedID] = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("roster: create person: %w", err)
	}
	status := identity.PersonActive
	if u.disabled {
		status = identity.PersonSuspended
	}
	ext := u.sourcedID
	p.ExternalID, p.Status = &ext, status
	a.newPeople = append(a.newPeople, p) // written together by flush
	np := &person{ID: p.ID, Username: p.Username, DisplayName: p.DisplayName, Email: p.Email, Status: status, ExternalID: u.sourcedID}
	a.people[u.sourcedID], a.byName[strings.ToLower(p.Username)], a.fresh[p.ID] = np, p.ID, u.line
	a.p.counts.People.Created++
	return nil
}

func (a *applier) updatePerson(ex *person, u userRow) error {
	set := map[string]any{}
	if u.username != ex.Username {
		if other, taken := a.byName[strings.ToLower(u.username)]; taken && other != ex.ID {
			a.p.fail(UsersFile, u.line, "username", "is already used by another person here")
			return nil
		}
		set["username"] = u.username
	}
	if u.displayName != ex.DisplayName {
		set["display_name"] = u.displayName
	}
	if (u.email == nil) != (ex.Email == nil) || (u.email != nil && *u.email != *ex.Email) {
		set["email"] = u.email
	}
	if len(set) > 0 {
		set["updated_at"] = gorm.Expr("now()")
		if err := a.tx.Table("people").Where("id = ?", ex.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("roster: update person: %w", err)
		}
		delete(a.byName, strings.ToLower(ex.Username))
		ex.Username, ex.DisplayName, ex.Email = u.username, u.displayName, u.email
		a.byName[strings.ToLower(ex.Username)] = ex.ID
	}
	changed := len(set) > 0
	switch {
	case u.disabled && ex.Status == identity.PersonActive:
		ok, err := a.suspend(ex, u.line, "enabledUser")
		if err != nil || !ok {
			return err
		}
		changed = true
	case !u.disabled && ex.Status == identity.PersonSuspended:
		a.p.warn(UsersFile, u.line, "enabledUser", "the person is suspended here; an import does not reactivate anyone, an admin does")
	}
	if changed {
		a.p.counts.People.Updated++
	} else {
		a.p.counts.People.Unchanged++
	}
	return nil
}

// leave records that a person has left (an explicit deletion or a bulk
// file that no longer holds them): suspended, sessions ended and the
// leaving date set, from which the school's leaver retention runs. The
// person is never deleted.
func (a *applier) leave(p *person, line int, field string) (bool, error) {
	if p.Status != identity.PersonSuspended {
		if ok, err := a.suspend(p, line, field); err != nil || !ok {
			return ok, err
		}
	} else if p.Restricted {
		return false, nil
	}
	if p.LeftOn == nil {
		if err := a.tx.Exec(`UPDATE people SET left_on = current_date, updated_at = now() WHERE id = ?`, p.ID).Error; err != nil {
			return false, fmt.Errorf("roster: leaving date: %w", err)
		}
		today := time.Now()
		p.LeftOn = &today
	}
	return true, nil
}

// suspend suspends a person and ends their sessions and tokens. It refuses
// (as a row error) a tenant-wide admin and the importing admin: those are
// changed by hand, so a file cannot lock the school out.
func (a *applier) suspend(p *person, line int, field string) (bool, error) {
	for _, h := range p.roles {
		if h.Role == identity.RoleAdmin && h.SchoolID == nil {
			a.p.fail(UsersFile, line, field, "would suspend a tenant-wide admin; an import does not, an admin does it by hand")
			return false, nil
		}
	}
	if p.ID == a.sc.Actor().ID {
		a.p.fail(UsersFile, line, field, "would suspend you, the importing admin")
		return false, nil
	}
	if p.Restricted {
		a.p.fail(UsersFile, line, field, "is a person whose record is restricted; lift the restriction first")
		return false, nil
	}
	if err := a.tx.Exec(`UPDATE people SET status = ?, updated_at = now() WHERE id = ?`, identity.PersonSuspended, p.ID).Error; err != nil {
		return false, fmt.Errorf("roster: suspend: %w", err)
	}
	if err := a.tx.Exec(`UPDATE member_credentials SET revoked_at = now() WHERE person_id = ? AND revoked_at IS NULL`, p.ID).Error; err != nil {
		return false, fmt.Errorf("roster: end sessions: %w", err)
	}
	p.Status = identity.PersonSuspended
	return true, nil
}

// person finds a user named by another row, or reports it (unless its own
// row was bad and has been reported already).
func (a *applier) person(file string, line int, field, ref string) *person {
	if p := a.people[ref]; p != nil {
		return p
	}
	if !a.p.badUsers[ref] {
		a.p.fail(file, line, field, "is not a user of this upload or of this tenant")
	}
	return nil
}

func (a *applier) applyRoles() error {
	deleted := map[string]bool{}
	for _, u := range a.p.users {
		deleted[u.sourcedID] = u.deleted
	}
	for _, r := range a.p.roles {
		if a.p.badUsers[r.user] {
			continue // its row is reported already
		}
		school, tenant, quiet, ok := a.orgRef(r.org)
		if tenant {
			a.p.counts.Roles.Skipped++ // the trust: roles are held in its schools
			continue
		}
		if !ok || !a.mine(school) {
			if !quiet {
				a.p.fail(r.file, r.line, r.field, "%s", a.orgMessage(ok))
			}
			a.p.badUsers[r.user] = true
			continue
		}
		a.cover(school)
		if r.notNow {
			a.p.counts.Roles.Skipped++ // begins later or has ended
			continue
		}
		field := "userSourcedId"
		if r.file == UsersFile {
			field = "sourcedId"
		}
		p := a.person(r.file, r.line, field, r.user)
		if p == nil || deleted[r.user] {
			continue
		}
		if !a.reaches(p, false) {
			a.p.fail(r.file, r.line, field, "is not a person of your schools")
			continue
		}
		if err := a.grant(p, r.role, school); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) applyClasses() error {
	c := &a.p.counts.Courses
	for _, row := range a.p.classes {
		school, tenant, quiet, ok := a.orgRef(row.school)
		if !ok || !a.mine(school) {
			if tenant {
				a.p.fail(ClassesFile, row.line, "schoolSourcedId", "is the trust, not a school; a class belongs to a school")
			} else if !quiet {
				a.p.fail(ClassesFile, row.line, "schoolSourcedId", "%s", a.orgMessage(ok))
			}
			a.p.badClasses[row.sourcedID] = true
			continue
		}
		a.cover(school)
		ex := a.courses[row.sourcedID]
		switch {
		case ex == nil && row.deleted:
			c.Unchanged++
		case ex == nil:
			nc := &courseRec{ID: uuid.Must(uuid.NewV7()), SchoolID: school, Title: row.title, Status: course.Draft, ExternalID: row.sourcedID}
			if err := a.tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status, external_id) VALUES (app_tenant_id(), ?, ?, ?, ?, ?)`,
				nc.ID, nc.SchoolID, nc.Title, nc.Status, nc.ExternalID).Error; err != nil {
				return fmt.Errorf("roster: create course: %w", err)
			}
			a.courses[row.sourcedID] = nc
			c.Created++
		case ex.SchoolID != school:
			a.p.fail(ClassesFile, row.line, "schoolSourcedId", "differs from the school of the course this class made; moving a class to another school is not supported")
			a.p.badClasses[row.sourcedID] = true
		case row.deleted && ex.Status == course.Archived:
			c.Unchanged++
		case row.deleted:
			if err := a.tx.Exec(`UPDATE courses SET status = ?, updated_at = now() WHERE id = ?`, course.Archived, ex.ID).Error; err != nil {
				return fmt.Errorf("roster: archive course: %w", err)
			}
			ex.Status = course.Archived
			c.Removed++
		case ex.Title != row.title:
			if err := a.tx.Exec(`UPDATE courses SET title = ?, updated_at = now() WHERE id = ?`, row.title, ex.ID).Error; err != nil {
				return fmt.Errorf("roster: rename course: %w", err)
			}
			ex.Title = row.title
			c.Updated++
		default:
			c.Unchanged++
		}
	}
	return nil
}
