package roster

import (
	"fmt"
	"strings"
	"time"
)

// DemographicsFile is OneRoster's demographics.csv. Only birthDate is
// kept (people.birth_date, so the under-13 guardian-consent rule applies
// to rostered pupils); its other columns (sex, ethnicity, place of birth,
// …) are read past and never stored: privacy.NotKept lists them.
const DemographicsFile = "demographics.csv"

// birthRow is one demographics.csv row with a birth date.
type birthRow struct {
	line int
	user string
	date time.Time
}

// parseDemographics reads sourcedId (the user's) and birthDate
// (YYYY-MM-DD). An empty birthDate, or a row marked tobedeleted, leaves
// the recorded date alone: a date an admin recorded by hand stays.
func (p *plan) parseDemographics(t *table) {
	seen := map[string]int{}
	today := time.Now().UTC()
	for _, r := range t.rows {
		id, ok := p.sourcedID(t, r, "sourcedId", seen)
		deleted, ok2 := p.status(t, r)
		v := t.get(r, "birthDate")
		if !ok || !ok2 || deleted || v == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, v)
		switch {
		case err != nil:
			p.fail(t.file, r.line, "birthDate", "must be a date written YYYY-MM-DD")
		case d.After(today):
			p.fail(t.file, r.line, "birthDate", "is in the future")
		case d.Year() < 1900:
			p.fail(t.file, r.line, "birthDate", "is before 1900")
		default:
			x := p.x()
			x.births = append(x.births, birthRow{line: r.line, user: id, date: d})
		}
	}
}

// applyBirths records the birth dates of the people the file names. A
// demographics row for someone the tenant does not hold (a guardian not
// imported, say) is passed over: it carries nothing else we keep.
func (a *applier) applyBirths() error {
	x := a.p.extra
	if x == nil || len(x.births) == 0 {
		return nil
	}
	if err := a.lookup(func(add func(string)) {
		for _, b := range x.births {
			add(b.user)
		}
	}); err != nil {
		return err
	}
	var ids, dates []string
	for _, b := range x.births {
		p := a.people[b.user]
		if p == nil || a.p.badUsers[b.user] {
			continue
		}
		if !a.reaches(p, true) {
			a.p.fail(DemographicsFile, b.line, "sourcedId", "is a person who also belongs to schools that are not yours; a tenant-wide admin must import them")
			continue
		}
		ids, dates = append(ids, p.ID.String()), append(dates, b.date.Format(time.DateOnly))
	}
	for len(ids) > 0 {
		k := min(len(ids), 5000)
		if err := a.tx.Exec(`UPDATE people p SET birth_date = t.d, updated_at = now()
			FROM unnest(?::uuid[], ?::date[]) AS t(id, d) WHERE p.id = t.id AND p.birth_date IS DISTINCT FROM t.d`,
			textArray(ids[:k]), textArray(dates[:k])).Error; err != nil {
			return fmt.Errorf("roster: birth dates: %w", err)
		}
		ids, dates = ids[k:], dates[k:]
	}
	return nil
}

// lookup loads into a.people the people a file names by sourcedId that
// the core steps did not load (a demographics-only or delta upload).
func (a *applier) lookup(each func(add func(string))) error {
	ext := set{}
	each(func(id string) {
		if a.people[id] == nil && id != "" {
			ext.add(strings.TrimSpace(id))
		}
	})
	if len(ext) == 0 {
		return nil
	}
	var ps []*person
	if err := a.tx.Raw(`SELECT id, username, display_name, email, status, external_id,
		left_on, restricted_at IS NOT NULL AS restricted FROM people WHERE external_id = ANY(?::text[])`,
		textArray(ext.list())).Scan(&ps).Error; err != nil {
		return fmt.Errorf("roster: look up people: %w", err)
	}
	byID := map[string]*person{}
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		a.people[p.ExternalID], byID[p.ID.String()] = p, p
		ids = append(ids, p.ID.String())
	}
	var hs []struct {
		PersonID string
		held
	}
	if err := a.tx.Raw(`SELECT person_id, role, school_id FROM role_assignments WHERE person_id = ANY(?::uuid[])`, textArray(ids)).Scan(&hs).Error; err != nil {
		return fmt.Errorf("roster: look up roles: %w", err)
	}
	for _, h := range hs {
		byID[h.PersonID].roles = append(byID[h.PersonID].roles, h.held)
	}
	return nil
}
