package subject

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/privacy"
)

// summary is the information Article 15 requires beside the data itself:
// purposes, lawful bases, categories, recipients, retention, source and
// rights. It is generated from the registry, with the tenant's own names.
type summary struct {
	Controller  string            `json:"controller"`
	PersonID    uuid.UUID         `json:"person_id"`
	GeneratedAt time.Time         `json:"generated_at"`
	Tables      []tableSummary    `json:"data"`
	Files       []exportedFile    `json:"files"`
	Withheld    []withheldSummary `json:"withheld_for_now,omitempty"`
	Recipients  []string          `json:"recipients"`
	Transfers   string            `json:"transfers"`
	Source      string            `json:"source"`
	Automated   string            `json:"automated_decision_making"`
	Rights      string            `json:"your_rights"`
}

type tableSummary struct {
	Table       string         `json:"table"`
	Description string         `json:"description"`
	Rows        int            `json:"rows"`
	Fields      []fieldSummary `json:"fields"`
	Omitted     []string       `json:"held_but_not_exported,omitempty"`
}

type fieldSummary struct {
	Name      string `json:"name"`
	Category  string `json:"category"`
	Purpose   string `json:"purpose"`
	Basis     string `json:"lawful_basis"`
	Retention string `json:"retention"`
}

type withheldSummary struct {
	Table string `json:"table"`
	Rows  int    `json:"rows"`
	Why   string `json:"why"`
}

type exportedFile struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	Path        string    `json:"path"`
}

// summary starts the summary: the controller's name and the recipients.
func (s *Service) summary(ctx context.Context, sc access.Scope, person uuid.UUID) (*summary, error) {
	sum := &summary{PersonID: person, GeneratedAt: s.now().UTC(), Tables: []tableSummary{}, Files: []exportedFile{},
		Transfers: "None outside the UK and the EEA (sub-processors, if any, are in the UK, the EEA or UK-adequacy countries).",
		Source:    "You, your school (including its management information system, through roster imports), and your teachers.",
		Automated: "None. Engagement summaries and scores inform teachers; no decision about you is made by automated means.",
		Rights: "You may ask your school to correct, erase or restrict this data, object to processing based on legitimate interests, " +
			"and receive it in this portable form. You may complain to the Information Commissioner's Office (ico.org.uk)."}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT name FROM tenants WHERE id = ?`, sc.Tenant()).Scan(&sum.Controller).Error; err != nil {
			return err
		}
		var sps []struct{ Name, Purpose, Country string }
		if err := tx.Raw(`SELECT sp.name, sp.purpose, sp.country FROM sub_processors sp
			WHERE sp.retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM sub_processor_decisions d WHERE d.sub_processor_id = sp.id AND d.decision = 'objected')
			ORDER BY sp.name`).Scan(&sps).Error; err != nil {
			return err
		}
		sum.Recipients = []string{sum.Controller + " (your school, the controller) and its staff who need it",
			"The platform's operator, as processor under contract with your school; its staff read data only with your school's approval or a legal obligation"}
		for _, sp := range sps {
			sum.Recipients = append(sum.Recipients, fmt.Sprintf("%s (sub-processor, %s): %s", sp.Name, strings.ToUpper(sp.Country), sp.Purpose))
		}
		return nil
	})
	return sum, err
}

// add records a table of the export.
func (sum *summary) add(tb privacy.Table, rows int) {
	ts := tableSummary{Table: tb.Name, Description: tb.Description, Rows: rows, Fields: []fieldSummary{}}
	for _, c := range tb.Columns {
		if c.Name == "tenant_id" {
			continue
		}
		if c.Export == privacy.Omit {
			ts.Omitted = append(ts.Omitted, c.Name)
			continue
		}
		ts.Fields = append(ts.Fields, fieldSummary{Name: c.Name, Category: string(c.Category), Purpose: c.Purpose, Basis: string(c.Basis), Retention: c.Retention})
	}
	sum.Tables = append(sum.Tables, ts)
}

// readme is the summary in words.
func (sum *summary) readme() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your personal data held by %s\nMade %s\n\n", sum.Controller, sum.GeneratedAt.Format(time.RFC1123))
	b.WriteString("data/      your records, one JSON and one CSV file per kind of record\n")
	b.WriteString("files/     files you uploaded or that belong to your work\n")
	b.WriteString("summary.json  why each item is held, on what lawful basis, for how long, and who receives it\n\n")
	b.WriteString("Rows marked \"about you\" are your records. Rows marked \"names you\" are other records that mention you (for example a mark you gave); only their ids are included. Other people's identities are withheld.\n\n")
	b.WriteString("What is held:\n")
	for _, t := range sum.Tables {
		if t.Rows > 0 {
			fmt.Fprintf(&b, "  %-28s %6d  %s\n", t.Table, t.Rows, t.Description)
		}
	}
	for _, w := range sum.Withheld {
		fmt.Fprintf(&b, "  Not included yet: %d %s row(s): %s.\n", w.Rows, w.Table, w.Why)
	}
	b.WriteString("\nWho receives it:\n")
	for _, r := range sum.Recipients {
		b.WriteString("  - " + r + "\n")
	}
	fmt.Fprintf(&b, "\nTransfers: %s\nSource: %s\nAutomated decisions: %s\n\nYour rights: %s\n", sum.Transfers, sum.Source, sum.Automated, sum.Rights)
	return b.String()
}
