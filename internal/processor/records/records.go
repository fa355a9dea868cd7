// Package records is the processor's record of processing for one tenant
// (UK GDPR Art. 30(2)): what the processor processes on the tenant's
// behalf, its sub-processors, transfers and security measures. It is
// generated from the privacy registry and the sub-processor register, so a
// new table or sub-processor appears in it the day it is declared.
package records

import (
	"context"
	"encoding/csv"
	"io"
	"sort"
	"strings"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/privacy"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Record is the processor's record for one tenant.
type Record struct {
	Controller     string         `json:"controller"`
	Region         string         `json:"region"`
	Processing     []Processing   `json:"processing"`
	SubProcessors  []SubProcessor `json:"sub_processors"`
	Transfers      string         `json:"transfers"`
	SecurityAspect []string       `json:"security_measures"`
}

// Processing is one kind of data held for the tenant.
type Processing struct {
	Table       string   `json:"table"`
	Description string   `json:"description"`
	Categories  []string `json:"categories"`
	Purposes    []string `json:"purposes"`
	Bases       []string `json:"lawful_bases"`
	Retention   []string `json:"retention"`
}

// SubProcessor is a sub-processor as the tenant's record shows it.
type SubProcessor struct {
	Name     string `json:"name"`
	Purpose  string `json:"purpose"`
	Country  string `json:"country"`
	Decision string `json:"decision"` // the tenant's: authorised, objected, or none
}

// Measures are the security measures in force (each true of the code).
var Measures = []string{
	"Each school's data is isolated by PostgreSQL row-level security, enabled and forced on every table that holds it, and by per-school authorisation checks.",
	"Passwords are hashed with argon2id; session and API token secrets are stored only as SHA-256 hashes; accounts lock after repeated failed sign-ins.",
	"Processor staff read a school's data only under a support grant the school approved (read-only, scoped, time-boxed, revocable) or a recorded legal obligation; every read is in the school's hash-chained, append-only access log.",
	"Files are kept in object storage in the school's data region; downloads use short-lived signed links issued after authorisation.",
	"Sub-processors are limited to the UK, the EEA and UK adequacy countries; their staff reach a school's data only if the school authorised them.",
}

// Service builds records.
type Service struct {
	tenants *tenant.Service
	support *support.Service
}

// NewService returns a Service.
func NewService(t *tenant.Service, s *support.Service) *Service {
	return &Service{tenants: t, support: s}
}

// For builds the record for the scoped tenant.
func (s *Service) For(ctx context.Context, sc access.Scope) (Record, error) {
	t, _, err := s.tenants.ForMember(ctx, sc.Tenant())
	if err != nil {
		return Record{}, err
	}
	r := Record{Controller: t.Name, Region: tenant.Regions[t.Region], SecurityAspect: Measures}
	for _, tb := range privacy.Tables() {
		if tb.Owner != privacy.Tenant || !personal(tb) {
			continue
		}
		r.Processing = append(r.Processing, summarise(tb))
	}
	sps, err := s.support.SubProcessors(ctx, &sc)
	if err != nil {
		return Record{}, err
	}
	countries := map[string]bool{}
	for _, sp := range sps {
		if sp.RetiredAt != nil {
			continue
		}
		d := sp.Decision
		if d == "" {
			d = "none"
		}
		r.SubProcessors = append(r.SubProcessors, SubProcessor{Name: sp.Name, Purpose: sp.Purpose, Country: support.CountryName(sp.Country), Decision: d})
		countries[support.CountryName(sp.Country)] = true
	}
	r.Transfers = "Data is stored in " + r.Region + ". No transfer outside the UK and the EEA"
	if len(countries) > 0 {
		var cs []string
		for c := range countries {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		r.Transfers += " except to sub-processors in " + strings.Join(cs, ", ") + " (UK, EEA or UK adequacy)"
	}
	r.Transfers += "."
	return r, nil
}

func personal(tb privacy.Table) bool {
	for _, c := range tb.Columns {
		if c.Basis != privacy.NotPersonal {
			return true
		}
	}
	return false
}

// summarise folds a table's columns into its distinct categories,
// purposes, bases and retention rules.
func summarise(tb privacy.Table) Processing {
	p := Processing{Table: tb.Name, Description: tb.Description}
	add := func(list *[]string, seen map[string]bool, v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			*list = append(*list, v)
		}
	}
	cats, purps, bases, rets := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range tb.Columns {
		if c.Basis == privacy.NotPersonal {
			continue
		}
		add(&p.Categories, cats, string(c.Category))
		add(&p.Purposes, purps, c.Purpose)
		add(&p.Bases, bases, string(c.Basis))
		add(&p.Retention, rets, c.Retention)
	}
	return p
}

// CSV writes the record's processing and sub-processors as CSV.
func (r Record) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"section", "name", "description", "categories", "purposes", "lawful_bases", "retention_or_country", "decision"})
	for _, p := range r.Processing {
		_ = cw.Write([]string{"processing", p.Table, p.Description, strings.Join(p.Categories, "; "), strings.Join(p.Purposes, "; "),
			strings.Join(p.Bases, "; "), strings.Join(p.Retention, "; "), ""})
	}
	for _, sp := range r.SubProcessors {
		_ = cw.Write([]string{"sub-processor", sp.Name, sp.Purpose, "", "", "", sp.Country, sp.Decision})
	}
	_ = cw.Write([]string{"transfers", "", r.Transfers, "", "", "", "", ""})
	for _, m := range r.SecurityAspect {
		_ = cw.Write([]string{"security", "", m, "", "", "", "", ""})
	}
	cw.Flush()
	return cw.Error()
}
