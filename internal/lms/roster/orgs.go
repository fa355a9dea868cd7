package roster

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// orgRow is one line of orgs.csv.
type orgRow struct {
	line                              int
	sourcedID, name, kind, identifier string
	parent                            string
}

// tenantLevel reports whether an org type stands above schools: the
// trust (district) or anything wider. It is the tenant itself.
func tenantLevel(kind string) bool {
	switch strings.ToLower(kind) {
	case "district", "state", "national", "local":
		return true
	}
	return false
}

func (p *plan) parseOrgs(t *table) {
	seen := map[string]int{}
	for _, r := range t.rows {
		id, ok := p.sourcedID(t, r, "sourcedId", seen)
		o := orgRow{line: r.line, sourcedID: id, name: t.get(r, "name"), kind: t.get(r, "type"),
			identifier: t.get(r, "identifier"), parent: t.get(r, "parentSourcedId")}
		ok = p.check(t, r, "name", o.name, true, 200) && ok
		ok = p.check(t, r, "identifier", o.identifier, false, 255) && ok
		switch strings.ToLower(o.kind) {
		case "school", "department", "district", "state", "national", "local":
		default:
			p.fail(t.file, r.line, "type", "must be school, district, department, local, state or national")
			ok = false
		}
		if ok {
			p.orgs = append(p.orgs, o)
		}
	}
}

// orgTarget is what an org of the upload is here: a school, the tenant,
// or nothing (reported once on its orgs.csv line).
type orgTarget struct {
	school uuid.UUID
	tenant bool
	bad    bool
}

// schoolRec is a school as the importer matches it.
type schoolRec struct {
	ID         uuid.UUID
	Slug       string
	ExternalID *string
	DfeNumber  *string
	URN        *string
}

// digits keeps a DfE number's digits ("330-2000" and "3302000" match).
func digits(v string) string { return strings.ReplaceAll(strings.TrimSpace(v), "-", "") }

// mapOrgs matches orgs.csv to the tenant's schools: by the org id the
// school was given before, else by its DfE number or URN (identifier),
// else by its slug or id. The match is remembered on the school. Parents
// of schools and district-like orgs are the tenant. An org that matches
// nothing is one error on its line; rows naming it are not reported again.
func (a *applier) mapOrgs(schools []schoolRec) error {
	a.orgs = map[string]orgTarget{}
	parents := map[string]bool{}
	for _, o := range a.p.orgs {
		if o.parent != "" {
			parents[o.parent] = true
		}
	}
	byExt, byCode := map[string]*schoolRec{}, map[string]*schoolRec{}
	for i := range schools {
		s := &schools[i]
		if s.ExternalID != nil {
			byExt[*s.ExternalID] = s
		}
		for _, c := range []*string{s.DfeNumber, s.URN} {
			if c != nil {
				byCode[digits(*c)] = s
			}
		}
	}
	taken := map[uuid.UUID]string{}
	for _, o := range a.p.orgs {
		if tenantLevel(o.kind) || (parents[o.sourcedID] && !strings.EqualFold(o.kind, "school")) {
			a.orgs[o.sourcedID] = orgTarget{tenant: true}
			continue
		}
		s := byExt[o.sourcedID]
		if s == nil && o.identifier != "" {
			s = byCode[digits(o.identifier)]
		}
		if s == nil {
			if id, ok := a.school(o.sourcedID); ok {
				s = &schoolRec{ID: id}
				for i := range schools {
					if schools[i].ID == id {
						s = &schools[i]
					}
				}
			}
		}
		if s == nil {
			a.orgs[o.sourcedID] = orgTarget{bad: true}
			ident := o.identifier
			if ident == "" {
				ident = "none"
			}
			a.p.fail(OrgsFile, o.line, "sourcedId", "the org %q (identifier %s) matches none of your schools: record its DfE number or URN on the school, or name the school by its slug", o.name, ident)
			continue
		}
		if prev, dup := taken[s.ID]; dup {
			a.orgs[o.sourcedID] = orgTarget{bad: true}
			a.p.fail(OrgsFile, o.line, "sourcedId", "the org %q matches the same school as org %q", o.name, prev)
			continue
		}
		taken[s.ID] = o.name
		a.orgs[o.sourcedID] = orgTarget{school: s.ID}
		if s.ExternalID == nil || *s.ExternalID != o.sourcedID {
			if s.ExternalID != nil {
				a.p.warn(OrgsFile, o.line, "sourcedId", "the org %q had another id in an earlier file; its new id is remembered", o.name)
			}
			if err := a.tx.Exec(`UPDATE schools SET external_id = ? WHERE id = ?`, o.sourcedID, s.ID).Error; err != nil {
				return fmt.Errorf("roster: remember org: %w", err)
			}
		}
	}
	return nil
}

// orgRef resolves an org reference in a row: a school, the tenant (ok
// with tenant set), or a bad org already reported (quiet).
func (a *applier) orgRef(ref string) (school uuid.UUID, tenant, quiet, ok bool) {
	if t, found := a.orgs[ref]; found {
		return t.school, t.tenant, t.bad, !t.bad && !t.tenant
	}
	id, found := a.school(ref)
	return id, false, false, found
}
