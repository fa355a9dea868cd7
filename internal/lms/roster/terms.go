package roster

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// AcademicSessionsFile is OneRoster's academicSessions.csv: the terms,
// semesters and school years. They are kept tenant-wide (table terms,
// matched on sourcedId); classes.csv termSourcedIds puts each class's
// course in the term it runs in (courses.term_id: of several, the one
// that ends last), so the course ends with its term and is rolled over
// after it. A session marked tobedeleted is removed; its courses keep
// running, in no term. Terms serve every school of a tenant, so only a
// tenant-wide admin's upload changes them.
const AcademicSessionsFile = "academicSessions.csv"

// termRow is one academic session.
type termRow struct {
	line         int
	sourcedID    string
	title, kind  string
	starts, ends time.Time
	parent       string
	deleted      bool
}

// classTerms is one classes.csv row's termSourcedIds.
type classTerms struct {
	line  int
	terms []string
}

// termKinds maps OneRoster session types to ours.
var termKinds = map[string]string{"term": "term", "semester": "semester", "schoolyear": "schoolYear", "gradingperiod": "gradingPeriod"}

func (p *plan) parseTerms(t *table) {
	seen := map[string]int{}
	for _, r := range t.rows {
		id, ok := p.sourcedID(t, r, "sourcedId", seen)
		deleted, ok2 := p.status(t, r)
		if !ok || !ok2 {
			continue
		}
		tr := termRow{line: r.line, sourcedID: id, deleted: deleted, title: t.get(r, "title"), parent: t.get(r, "parentSourcedId")}
		if !deleted {
			good := p.check(t, r, "title", tr.title, true, 200)
			kind, known := termKinds[strings.ToLower(t.get(r, "type"))]
			if !known {
				p.fail(t.file, r.line, "type", "must be term, semester, schoolYear or gradingPeriod")
				good = false
			}
			tr.kind = kind
			var err error
			if tr.starts, err = time.Parse(time.DateOnly, t.get(r, "startDate")); err != nil {
				p.fail(t.file, r.line, "startDate", "must be a date written YYYY-MM-DD")
				good = false
			}
			if tr.ends, err = time.Parse(time.DateOnly, t.get(r, "endDate")); err != nil {
				p.fail(t.file, r.line, "endDate", "must be a date written YYYY-MM-DD")
				good = false
			} else if good && tr.ends.Before(tr.starts) {
				p.fail(t.file, r.line, "endDate", "is before startDate")
				good = false
			}
			if tr.parent == id {
				p.fail(t.file, r.line, "parentSourcedId", "names the session itself")
				good = false
			}
			if !good {
				continue
			}
		}
		x := p.x()
		x.terms = append(x.terms, tr)
	}
}

// parseClassesAll reads classes.csv: the core columns, then terms.
func (p *plan) parseClassesAll(t *table) {
	p.parseClasses(t)
	if !t.has("termSourcedIds") {
		return
	}
	x := p.x()
	for _, r := range t.rows {
		id := t.get(r, "sourcedId")
		if ts := list(t.get(r, "termSourcedIds")); len(ts) > 0 && id != "" && !strings.EqualFold(t.get(r, "status"), "tobedeleted") {
			x.classTerms[id] = classTerms{line: r.line, terms: ts}
		}
	}
}

// termRec is a stored term.
type termRec struct {
	ID         uuid.UUID
	ExternalID string
	Title      string
	Kind       string
	StartsOn   time.Time
	EndsOn     time.Time
	ParentID   *uuid.UUID
}

func (a *applier) applyTerms() error {
	x := a.p.extra
	if x == nil || (len(x.terms) == 0 && len(x.classTerms) == 0) {
		return nil
	}
	ext := set{}
	for _, t := range x.terms {
		ext.add(t.sourcedID)
		if t.parent != "" {
			ext.add(t.parent)
		}
	}
	for _, c := range x.classTerms {
		for _, t := range c.terms {
			ext.add(t)
		}
	}
	var ts []*termRec
	if err := a.tx.Raw(`SELECT id, external_id, title, kind, starts_on, ends_on, parent_id FROM terms WHERE external_id = ANY(?::text[])`,
		textArray(ext.list())).Scan(&ts).Error; err != nil {
		return fmt.Errorf("roster: load terms: %w", err)
	}
	byExt := map[string]*termRec{}
	for _, t := range ts {
		byExt[t.ExternalID] = t
	}
	if len(x.terms) > 0 && a.allowed != nil {
		a.p.warn(AcademicSessionsFile, 0, "", "terms serve every school of the trust, so only a tenant-wide admin's upload changes them; this file was not applied")
	} else if err := a.writeTerms(x.terms, byExt); err != nil {
		return err
	}
	return a.placeInTerms(x.classTerms, byExt, len(x.terms) > 0)
}

// writeTerms creates, updates and removes terms, then sets their parents.
func (a *applier) writeTerms(rows []termRow, byExt map[string]*termRec) error {
	c := &a.p.counts.Terms
	for _, r := range rows {
		ex := byExt[r.sourcedID]
		switch {
		case r.deleted && ex == nil:
			c.Unchanged++
		case r.deleted:
			if err := a.tx.Exec(`DELETE FROM terms WHERE id = ?`, ex.ID).Error; err != nil {
				return fmt.Errorf("roster: remove term: %w", err)
			}
			delete(byExt, r.sourcedID)
			c.Removed++
		case ex == nil:
			t := &termRec{ID: uuid.Must(uuid.NewV7()), ExternalID: r.sourcedID, Title: r.title, Kind: r.kind, StartsOn: r.starts, EndsOn: r.ends}
			if err := a.tx.Exec(`INSERT INTO terms (tenant_id, id, external_id, title, kind, starts_on, ends_on) VALUES (app_tenant_id(), ?, ?, ?, ?, ?, ?)`,
				t.ID, t.ExternalID, t.Title, t.Kind, t.StartsOn, t.EndsOn).Error; err != nil {
				return fmt.Errorf("roster: create term: %w", err)
			}
			byExt[r.sourcedID] = t
			c.Created++
		case ex.Title != r.title || ex.Kind != r.kind || !ex.StartsOn.Equal(r.starts) || !ex.EndsOn.Equal(r.ends):
			if err := a.tx.Exec(`UPDATE terms SET title = ?, kind = ?, starts_on = ?, ends_on = ?, updated_at = now() WHERE id = ?`,
				r.title, r.kind, r.starts, r.ends, ex.ID).Error; err != nil {
				return fmt.Errorf("roster: update term: %w", err)
			}
			ex.Title, ex.Kind, ex.StartsOn, ex.EndsOn = r.title, r.kind, r.starts, r.ends
			c.Updated++
		default:
			c.Unchanged++
		}
	}
	for _, r := range rows {
		t := byExt[r.sourcedID]
		if r.deleted || t == nil {
			continue
		}
		var parent *uuid.UUID
		if r.parent != "" {
			pt := byExt[r.parent]
			if pt == nil {
				a.p.fail(AcademicSessionsFile, r.line, "parentSourcedId", "is not an academic session of this upload or of this tenant")
				continue
			}
			parent = &pt.ID
		}
		if (parent == nil) != (t.ParentID == nil) || (parent != nil && *parent != *t.ParentID) {
			if err := a.tx.Exec(`UPDATE terms SET parent_id = ? WHERE id = ?`, parent, t.ID).Error; err != nil {
				return fmt.Errorf("roster: term parent: %w", err)
			}
			t.ParentID = parent
		}
	}
	return nil
}

// placeInTerms sets each class's course in the term it runs in. A term
// unknown here is an error when the upload holds academicSessions.csv
// (the export contradicts itself); without it, the class is left as it
// is until a file with its terms arrives.
func (a *applier) placeInTerms(classes map[string]classTerms, byExt map[string]*termRec, withSessions bool) error {
	var ids, terms []string // course → term, written a few thousand per statement
	for class, ct := range classes {
		course := a.courses[class]
		if course == nil || a.p.badClasses[class] || !a.mine(course.SchoolID) {
			continue // reported by the class's own row
		}
		var last *termRec
		for _, ref := range ct.terms {
			t := byExt[ref]
			if t == nil {
				if withSessions {
					a.p.fail(ClassesFile, ct.line, "termSourcedIds", "names an academic session that is not in this upload or this tenant")
				}
				last = nil
				break
			}
			if last == nil || t.EndsOn.After(last.EndsOn) {
				last = t
			}
		}
		if last != nil {
			ids, terms = append(ids, course.ID.String()), append(terms, last.ID.String())
		}
	}
	for len(ids) > 0 {
		k := min(len(ids), 5000)
		if err := a.tx.Exec(`UPDATE courses c SET term_id = t.term, updated_at = now()
			FROM unnest(?::uuid[], ?::uuid[]) AS t(id, term) WHERE c.id = t.id AND c.term_id IS DISTINCT FROM t.term`,
			textArray(ids[:k]), textArray(terms[:k])).Error; err != nil {
			return fmt.Errorf("roster: course terms: %w", err)
		}
		ids, terms = ids[k:], terms[k:]
	}
	return nil
}
