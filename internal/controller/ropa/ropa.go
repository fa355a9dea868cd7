// Package ropa is the school's own record of processing activities (UK
// GDPR Art. 30(1)), generated from the privacy registry and the school's
// settings: the processing the platform does for it (from the processor's
// record), the people it concerns, the purposes that rest on consent, and
// the school's retention periods. A new table, sub-processor, consent
// purpose or retention setting appears in it the day it exists.
package ropa

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/privacy"
	"github.com/schoolcloud/lms/internal/processor/records"
)

// Record is the controller's record.
type Record struct {
	Controller    string                 `json:"controller"`
	Processor     string                 `json:"processor"`
	DataSubjects  []string               `json:"categories_of_data_subjects"`
	Processing    []records.Processing   `json:"processing"`
	Consent       []consent.Purpose      `json:"purposes_needing_consent"`
	Retention     []retention.Setting    `json:"retention_periods"`
	Recipients    []string               `json:"recipients"`
	SubProcessors []records.SubProcessor `json:"sub_processors"`
	Transfers     string                 `json:"transfers"`
	Security      []string               `json:"security_measures"`
	// NotKept are columns of files the school sends (its roster export)
	// that are read and never stored: data minimisation, on the record.
	NotKept []privacy.Discarded `json:"read_and_not_kept"`
	// Integrations are the programs the school's admins registered to
	// call the API (recipients of what their scopes let them read); each
	// is also a line of Recipients.
	Integrations []Integration `json:"integrations"`
}

// Integration is a live integration as a recipient: what it may read and
// do, in plain words.
type Integration struct {
	Name  string   `json:"name"`
	Reads []string `json:"reads"`
	Does  []string `json:"does"`
}

// sentence is the integration as a line of Recipients.
func (in Integration) sentence() string {
	var parts []string
	if len(in.Reads) > 0 {
		parts = append(parts, "reads "+strings.Join(in.Reads, "; "))
	}
	if len(in.Does) > 0 {
		parts = append(parts, "may "+strings.Join(in.Does, "; "))
	}
	return fmt.Sprintf("The integration “%s”, registered by the school's administrators: it %s; each of its calls is in the school's access log",
		in.Name, strings.Join(parts, ", and "))
}

// DataSubjects are the people a school's data on the platform is about.
var DataSubjects = []string{
	"Learners (pupils and students), including children",
	"Teachers and other staff of the school",
	"Administrators of the school or trust",
	"Parents and guardians who act for their children",
}

// Service builds records.
type Service struct {
	processor *records.Service
	retention *retention.Service
	// Integrations lists the school's live integrations (nil: none).
	Integrations *integration.Service
}

// NewService returns a Service.
func NewService(p *records.Service, r *retention.Service) *Service {
	return &Service{processor: p, retention: r}
}

// For builds the scoped tenant's record.
func (s *Service) For(ctx context.Context, sc access.Scope) (Record, error) {
	pr, err := s.processor.For(ctx, sc)
	if err != nil {
		return Record{}, err
	}
	periods, err := s.retention.Settings(ctx, sc)
	if err != nil {
		return Record{}, err
	}
	ins, err := s.integrations(ctx, sc)
	if err != nil {
		return Record{}, err
	}
	rec := Record{
		Controller: pr.Controller, Processor: "The platform's operator, under the processing contract",
		DataSubjects: DataSubjects, Processing: pr.Processing, Consent: consent.Purposes(), Retention: periods,
		Recipients: []string{
			pr.Controller + "'s staff, each seeing what their role needs",
			"The platform's operator, as processor; its staff read data only under a support grant the school approved or a recorded legal obligation",
			"Sub-processors listed below, where the school has not objected",
		},
		SubProcessors: pr.SubProcessors, Transfers: pr.Transfers, Security: pr.SecurityAspect, NotKept: privacy.NotKept(),
		Integrations: ins,
	}
	for _, in := range ins {
		rec.Recipients = append(rec.Recipients, in.sentence())
	}
	return rec, nil
}

// integrations are the tenant's live integrations with what their scopes
// let them read and do.
func (s *Service) integrations(ctx context.Context, sc access.Scope) ([]Integration, error) {
	out := []Integration{}
	if s.Integrations == nil {
		return out, nil
	}
	live, err := s.Integrations.Live(ctx, sc)
	if err != nil {
		return nil, err
	}
	for _, in := range live {
		r := Integration{Name: in.Name, Reads: []string{}, Does: []string{}}
		for _, scope := range in.Scopes {
			info, _ := integration.Info(scope)
			if info.Reads != "" {
				r.Reads = append(r.Reads, info.Reads)
			}
			if info.Does != "" {
				r.Does = append(r.Does, info.Does)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// CSV writes the record as one table of sections.
func (r Record) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(v ...string) { _ = cw.Write(v) }
	row("section", "name", "description", "categories", "purposes", "lawful_bases", "retention", "detail")
	row("controller", r.Controller, "", "", "", "", "", "")
	row("processor", r.Processor, "", "", "", "", "", "")
	for _, d := range r.DataSubjects {
		row("data-subjects", d, "", "", "", "", "", "")
	}
	for _, p := range r.Processing {
		row("processing", p.Table, p.Description, strings.Join(p.Categories, "; "), strings.Join(p.Purposes, "; "),
			strings.Join(p.Bases, "; "), strings.Join(p.Retention, "; "), "")
	}
	for _, c := range r.Consent {
		row("consent", c.Key, c.Title, "", c.Wording, "consent", "", "wording version "+c.Version)
	}
	for _, p := range r.Retention {
		src := "default"
		if p.SchoolMonths != nil {
			src = "set by the school"
		}
		row("retention", p.Category.Category, p.Title, "", "", "", fmt.Sprintf("%d months", p.Effective), src)
	}
	for _, rc := range r.Recipients {
		row("recipients", rc, "", "", "", "", "", "")
	}
	for _, sp := range r.SubProcessors {
		row("sub-processor", sp.Name, sp.Purpose, "", "", "", "", sp.Country+"; "+sp.Decision)
	}
	row("transfers", "", r.Transfers, "", "", "", "", "")
	for _, m := range r.Security {
		row("security", "", m, "", "", "", "", "")
	}
	for _, d := range r.NotKept {
		row("not-kept", d.File, d.Why, "", "", "", "read, never stored", strings.Join(d.Columns, "; "))
	}
	cw.Flush()
	return cw.Error()
}
