package roster

import (
	"fmt"
	"strings"
)

// nameRow is a person's name as the school's information system gives it,
// and their pupil number (identifier: a UPN in England, personal data).
type nameRow struct {
	given, middle, family, preferred, pupil string
}

// parseUsersAll reads users.csv: the core columns, then names.
func (p *plan) parseUsersAll(t *table) {
	p.parseUsers(t)
	p.parseNames(t)
	p.parseAgents(t)
}

// first is the first non-empty value.
func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseNames keeps the legal name (givenName, middleName, familyName) as
// given and shows the preferred one: display_name is the preferred first
// name (1.2 preferredFirstName, or preferredGivenName) or the given name,
// then the preferred last name or the family name. The roster owns the
// display name of the people it imports: a name changed by hand is
// replaced by the next file's.
func (p *plan) parseNames(t *table) {
	at := map[string]int{}
	for i, u := range p.users {
		at[u.sourcedID] = i
	}
	x := p.x()
	for _, r := range t.rows {
		i, ok := at[t.get(r, "sourcedId")]
		if !ok || p.users[i].line != r.line || p.users[i].deleted {
			continue // a bad or deleted row
		}
		n := nameRow{given: t.get(r, "givenName"), middle: t.get(r, "middleName"), family: t.get(r, "familyName"),
			preferred: first(t.get(r, "preferredFirstName"), t.get(r, "preferredGivenName")), pupil: t.get(r, "identifier")}
		good := p.check(t, r, "middleName", n.middle, false, 100)
		good = p.check(t, r, "preferredFirstName", n.preferred, false, 100) && good
		good = p.check(t, r, "identifier", n.pupil, false, 255) && good
		last := first(t.get(r, "preferredLastName"), t.get(r, "preferredFamilyName"), n.family)
		good = p.check(t, r, "preferredLastName", last, false, 100) && good
		if !good {
			p.badUsers[p.users[i].sourcedID] = true
			continue
		}
		p.users[i].displayName = strings.TrimSpace(first(n.preferred, n.given) + " " + last)
		x.names[p.users[i].sourcedID] = n
	}
	for _, u := range p.users {
		if !u.deleted {
			x.rows[u.sourcedID] = u
		}
	}
}

// applyNames writes the names and pupil numbers of the upload's people, a
// few thousand per statement, touching only rows that change.
func (a *applier) applyNames() error {
	x := a.p.extra
	if x == nil || len(x.names) == 0 {
		return nil
	}
	var ids, given, middle, family, preferred, pupil []string
	for sid, n := range x.names {
		p := a.people[sid]
		if p == nil || a.p.badUsers[sid] {
			continue
		}
		ids, given, middle = append(ids, p.ID.String()), append(given, n.given), append(middle, n.middle)
		family, preferred, pupil = append(family, n.family), append(preferred, n.preferred), append(pupil, n.pupil)
	}
	for len(ids) > 0 {
		k := min(len(ids), 5000)
		err := a.tx.Exec(`UPDATE people p SET given_name = NULLIF(t.g, ''), middle_name = NULLIF(t.m, ''), family_name = NULLIF(t.f, ''),
				preferred_name = NULLIF(t.pr, ''), pupil_number = NULLIF(t.pn, ''), updated_at = now()
			FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS t(id, g, m, f, pr, pn)
			WHERE p.id = t.id AND (p.given_name, p.middle_name, p.family_name, p.preferred_name, p.pupil_number)
				IS DISTINCT FROM (NULLIF(t.g, ''), NULLIF(t.m, ''), NULLIF(t.f, ''), NULLIF(t.pr, ''), NULLIF(t.pn, ''))`,
			textArray(ids[:k]), textArray(given[:k]), textArray(middle[:k]), textArray(family[:k]), textArray(preferred[:k]), textArray(pupil[:k])).Error
		if err != nil {
			return fmt.Errorf("roster: names: %w", err)
		}
		ids, given, middle, family, preferred, pupil = ids[k:], given[k:], middle[k:], family[k:], preferred[k:], pupil[k:]
	}
	return nil
}
