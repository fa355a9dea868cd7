package roster

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Guardians (parents and carers) come from users with role guardian,
// parent or relative (users.csv role or roles.csv), linked to their
// children through users.csv agentSourcedIds: a pupil's agents are their
// guardians, and a guardian's agents are their children. They are made
// only for schools that turn guardian accounts on (schools.roster_guardians,
// off by default; SetGuardians): they get the guardian role in their
// children's school and a guardianship (the same link an admin makes by
// hand, consent.LinkGuardian), so they act for the children under 13.
// Otherwise they are skipped with one warning for the upload.
//
// A link the roster made (guardianships.from_roster) is removed when a
// later users.csv lists the child or the guardian without it; a link an
// admin made by hand is never removed by a file.

// isGuardianRole reports the OneRoster roles that name a parent or carer.
func isGuardianRole(v string) bool {
	switch strings.ToLower(v) {
	case "guardian", "parent", "relative":
		return true
	}
	return false
}

// agentsRow is one users.csv row's agentSourcedIds.
type agentsRow struct {
	line   int
	agents []string
}

// parseAgents reads users.csv role/roles (for guardians) and
// agentSourcedIds.
func (p *plan) parseAgents(t *table) {
	x := p.x()
	roleCol := "role"
	if !t.has(roleCol) && t.has("roles") {
		roleCol = "roles"
	}
	for _, r := range t.rows {
		id := t.get(r, "sourcedId")
		for _, v := range list(t.get(r, roleCol)) {
			if isGuardianRole(v) {
				x.guardians[id] = true
			}
		}
		if t.has("agentSourcedIds") {
			if _, ok := x.rows[id]; ok {
				x.agents[id] = agentsRow{line: r.line, agents: list(t.get(r, "agentSourcedIds"))}
			}
		}
	}
}

// parseRolesAll reads roles.csv: the core roles, then who is a guardian.
func (p *plan) parseRolesAll(t *table) {
	p.parseRoles(t)
	x := p.x()
	for _, r := range t.rows {
		if isGuardianRole(t.get(r, "role")) && !strings.EqualFold(t.get(r, "status"), "tobedeleted") {
			x.guardians[t.get(r, "userSourcedId")] = true
		}
	}
}

// link is a guardian and child by sourcedId.
type link struct{ guardian, child string }

// fileLinks is every link the upload's users.csv gives, with the line
// that gives it.
func (x *extras) fileLinks() map[link]int {
	out := map[link]int{}
	for id, a := range x.agents {
		for _, ag := range a.agents {
			if x.guardians[id] {
				out[link{id, ag}] = a.line
			} else {
				out[link{ag, id}] = a.line
			}
		}
	}
	return out
}

func (a *applier) applyGuardians() error {
	x := a.p.extra
	if x == nil || (len(x.guardians) == 0 && len(x.agents) == 0) {
		return nil
	}
	links := x.fileLinks()
	if err := a.lookup(func(add func(string)) {
		for l := range links {
			add(l.guardian)
			add(l.child)
		}
	}); err != nil {
		return err
	}
	on, err := a.guardianSchools()
	if err != nil {
		return err
	}
	x.synced = map[string]bool{}
	for _, u := range a.p.users {
		x.synced[u.sourcedID] = true // applyUsers wrote them
	}
	for l, line := range links {
		if err := a.linkGuardian(l, line, on); err != nil {
			return err
		}
	}
	if err := a.flushLinks(); err != nil {
		return err
	}
	skipped := 0
	for id := range x.guardians {
		if _, made := a.people[id]; !made && x.rows[id].line > 0 {
			skipped++
		}
	}
	if skipped > 0 {
		a.p.warn(UsersFile, 0, "", "%d parents and carers were not imported: none of their children is in a school with guardian accounts turned on (Roster page)", skipped)
	}
	return a.unlinkGone(links)
}

// guardianSchools are the schools with guardian accounts on.
func (a *applier) guardianSchools() (map[uuid.UUID]bool, error) {
	var ids []uuid.UUID
	if err := a.tx.Raw(`SELECT id FROM schools WHERE roster_guardians`).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("roster: guardian schools: %w", err)
	}
	on := map[uuid.UUID]bool{}
	for _, id := range ids {
		on[id] = a.mine(id)
	}
	return on, nil
}

// linkGuardian makes (or finds) the guardian of one link, gives them the
// guardian role in each of the child's schools that has guardian accounts
// on, and links them.
func (a *applier) linkGuardian(l link, line int, on map[uuid.UUID]bool) error {
	x := a.p.extra
	child := a.people[l.child]
	if child == nil || a.p.badUsers[l.child] || a.p.badUsers[l.guardian] || child.Status == identity.PersonSuspended {
		return nil // not here (yet), reported already, or left
	}
	if !x.guardians[l.guardian] && !a.holds(a.people[l.guardian], identity.RoleGuardian) {
		a.p.warn(UsersFile, line, "agentSourcedIds", "names a user who is not a guardian, parent or relative; that link is skipped")
		return nil
	}
	var schools []uuid.UUID
	for _, h := range child.roles {
		if h.SchoolID != nil && on[*h.SchoolID] && h.Role == identity.RoleLearner {
			schools = append(schools, *h.SchoolID)
		}
	}
	if len(schools) == 0 {
		return nil // guardian accounts are off there
	}
	g := a.people[l.guardian]
	if g == nil {
		u, ok := x.rows[l.guardian]
		if !ok {
			a.p.fail(UsersFile, line, "agentSourcedIds", "names a user who is not in this upload or this tenant")
			return nil
		}
		if err := a.createPerson(u); err != nil {
			return err
		}
		if g = a.people[l.guardian]; g == nil {
			return nil // createPerson reported why
		}
		if a.p.counts.People.Skipped > 0 {
			a.p.counts.People.Skipped-- // skipUnrostered counted them before we knew
		}
		x.synced[l.guardian] = true
	}
	if u, ok := x.rows[l.guardian]; ok && !x.synced[l.guardian] && a.reaches(g, true) {
		// A guardian skipped from plan.users: their row's changes (name,
		// email, username, enabledUser) are applied here.
		x.synced[l.guardian] = true
		if err := a.updatePerson(g, u); err != nil {
			return err
		}
		if a.p.counts.People.Skipped > 0 {
			a.p.counts.People.Skipped--
		}
	}
	if !a.reaches(g, false) {
		a.p.warn(UsersFile, line, "agentSourcedIds", "names a guardian who belongs to schools that are not yours; a tenant-wide admin links them")
		return nil
	}
	for _, s := range schools {
		if err := a.grant(g, identity.RoleGuardian, s); err != nil {
			return err
		}
	}
	x.linkG, x.linkC = append(x.linkG, g.ID.String()), append(x.linkC, child.ID.String())
	return nil
}

// flushLinks writes the links found, a few thousand per statement; a link
// that exists (made by the roster or by hand) is left as it is.
func (a *applier) flushLinks() error {
	if err := a.flush(); err != nil { // the guardians made just now, first
		return err
	}
	x := a.p.extra
	var by *uuid.UUID
	if ac := a.sc.Actor(); ac.Kind == access.ActorMember {
		by = &ac.ID
	}
	for len(x.linkG) > 0 {
		k := min(len(x.linkG), 5000)
		res := a.tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id, created_by, from_roster)
			SELECT app_tenant_id(), g, c, ?::uuid, true FROM unnest(?::uuid[], ?::uuid[]) AS t(g, c)
			ON CONFLICT DO NOTHING`, by, textArray(x.linkG[:k]), textArray(x.linkC[:k]))
		if res.Error != nil {
			return fmt.Errorf("roster: link guardians: %w", res.Error)
		}
		a.p.counts.Guardianships.Created += int(res.RowsAffected)
		a.p.counts.Guardianships.Unchanged += k - int(res.RowsAffected)
		x.linkG, x.linkC = x.linkG[k:], x.linkC[k:]
	}
	return nil
}

// holds reports whether p holds role anywhere.
func (a *applier) holds(p *person, role identity.Role) bool {
	if p == nil {
		return false
	}
	for _, h := range p.roles {
		if h.Role == role {
			return true
		}
	}
	return false
}

// unlinkGone removes the roster's links of the people whose users.csv
// row lists their agents, when the upload no longer gives them.
func (a *applier) unlinkGone(links map[link]int) error {
	x := a.p.extra
	var listed []string
	for id := range x.agents {
		if p := a.people[id]; p != nil && !a.p.badUsers[id] && a.reaches(p, false) {
			listed = append(listed, p.ID.String())
		}
	}
	if len(listed) == 0 {
		return nil
	}
	var keepG, keepC []string
	for l := range links {
		g, c := a.people[l.guardian], a.people[l.child]
		if g != nil && c != nil {
			keepG, keepC = append(keepG, g.ID.String()), append(keepC, c.ID.String())
		}
	}
	res := a.tx.Exec(`DELETE FROM guardianships g WHERE g.from_roster
		AND (g.child_id = ANY(?::uuid[]) OR g.guardian_id = ANY(?::uuid[]))
		AND NOT EXISTS (SELECT 1 FROM unnest(?::uuid[], ?::uuid[]) AS k(g, c) WHERE k.g = g.guardian_id AND k.c = g.child_id)`,
		textArray(listed), textArray(listed), textArray(keepG), textArray(keepC))
	if res.Error != nil {
		return fmt.Errorf("roster: unlink guardians: %w", res.Error)
	}
	a.p.counts.Guardianships.Removed += int(res.RowsAffected)
	return nil
}

// Guardians says whether a roster import makes guardian accounts for
// school's parents and carers.
func (s *Service) Guardians(ctx context.Context, sc access.Scope, school uuid.UUID) (on bool, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return database.Found(tx.Raw(`SELECT roster_guardians FROM schools WHERE id = ?`, school).Scan(&on), "school %s", school)
	})
	return on, err
}

// SetGuardians turns guardian accounts from the roster on or off for
// school; only an admin of that school (or of the tenant) may.
func (s *Service) SetGuardians(ctx context.Context, sc access.Scope, school uuid.UUID, on bool) error {
	if ids, limited := sc.Schools(); limited && !contains(ids, school) {
		return errs.New(errs.ErrForbidden, "you are not an admin of that school")
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var was bool
		if err := database.Found(tx.Raw(`SELECT roster_guardians FROM schools WHERE id = ? FOR UPDATE`, school).Scan(&was), "school %s", school); err != nil {
			return err
		}
		if was == on {
			return nil
		}
		if err := tx.Exec(`UPDATE schools SET roster_guardians = ? WHERE id = ?`, on, school).Error; err != nil {
			return fmt.Errorf("roster: guardian accounts: %w", err)
		}
		v := "off"
		if on {
			v = "on"
		}
		return identity.Record(tx, sc, "", "school.roster_guardians", "school "+school.String(), map[string]string{"guardian_accounts": v})
	})
}

func contains(ids []uuid.UUID, id uuid.UUID) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}
