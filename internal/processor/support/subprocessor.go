package support

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// SubProcessor is one entry of the processor's register.
type SubProcessor struct {
	ID                uuid.UUID  `gorm:"primaryKey" json:"id"`
	Name              string     `json:"name"`
	Purpose           string     `json:"purpose"`
	Country           string     `json:"country"`
	Replaces          *uuid.UUID `json:"replaces"`
	ObjectionsCloseAt time.Time  `json:"objections_close_at"`
	CreatedAt         time.Time  `json:"created_at"`
	RetiredAt         *time.Time `json:"retired_at"`
	// Decision is the asking tenant's: authorised, objected or "" (none yet).
	Decision string `gorm:"->;-:migration" json:"decision,omitempty"`
}

// TableName is the gorm table.
func (SubProcessor) TableName() string { return "sub_processors" }

// Adequate are the countries outside the EEA with UK adequacy regulations
// (UK GDPR Art. 45 and the Data Protection Act 2018 s.17A). The US "data
// bridge" covers only certified organisations, so it is not listed: such a
// sub-processor needs a contract review, not this register.
var Adequate = map[string]string{
	"ad": "Andorra", "ar": "Argentina", "ca": "Canada", "fo": "Faroe Islands", "gg": "Guernsey", "gi": "Gibraltar",
	"im": "Isle of Man", "il": "Israel", "jp": "Japan", "je": "Jersey", "nz": "New Zealand", "kr": "South Korea",
	"ch": "Switzerland", "uy": "Uruguay",
}

// CountryName is a register country's name (UK, EEA or adequacy), or ""
// for any other code.
func CountryName(code string) string {
	if n, ok := tenant.Regions[code]; ok {
		return n
	}
	return Adequate[code]
}

// AllowAdequacy lets the register accept the named countries with UK
// adequacy regulations. By default it accepts only the UK and the EEA, as
// the processor notice promises: a deployment whose schools agreed to
// transfers to an adequacy country says so in its configuration
// (LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES). A code without adequacy
// regulations is refused.
func (s *Service) AllowAdequacy(codes []string) error {
	allowed := map[string]bool{}
	for _, c := range codes {
		c = strings.ToLower(strings.TrimSpace(c))
		if Adequate[c] == "" {
			return fmt.Errorf("%q is not a country with UK adequacy regulations (one of %s)", c, strings.Join(adequacyCodes(), ", "))
		}
		allowed[c] = true
	}
	s.adequacy = allowed
	return nil
}

func adequacyCodes() []string {
	out := make([]string, 0, len(Adequate))
	for c := range Adequate {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Accepts reports whether the register takes a sub-processor in country:
// the UK, an EEA country, or an adequacy country this deployment allows.
func (s *Service) Accepts(country string) bool {
	_, ok := tenant.Regions[country]
	return ok || s.adequacy[country]
}

// AdequacyAllowed are the names of the adequacy countries this deployment
// allows, sorted (none by default).
func (s *Service) AdequacyAllowed() []string {
	var out []string
	for c := range s.adequacy {
		out = append(out, Adequate[c])
	}
	sort.Strings(out)
	return out
}

// NewSubProcessor is what an operator registers.
type NewSubProcessor struct {
	Name    string `json:"name"`
	Purpose string `json:"purpose"`
	Country string `json:"country"` // uk, an EEA code, or an adequacy country the deployment allows
	// Replaces names a sub-processor this one takes over from.
	Replaces *uuid.UUID `json:"replaces,omitempty"`
	// ObjectionDays is how long tenants have to object (default 30).
	ObjectionDays int `json:"objection_days,omitempty"`
}

// AddSubProcessor registers a sub-processor and tells every tenant, opening
// the objection window; the alert and an audit record land in each tenant
// in the same transaction as the register entry.
func (s *Service) AddSubProcessor(ctx context.Context, operator uuid.UUID, in NewSubProcessor) (SubProcessor, error) {
	var fe errs.FieldErrors
	in.Name, in.Purpose, in.Country = strings.TrimSpace(in.Name), strings.TrimSpace(in.Purpose), strings.ToLower(strings.TrimSpace(in.Country))
	if in.Country == "gb" { // ISO 3166's code for the UK; the register says uk
		in.Country = "uk"
	}
	if in.Name == "" || len(in.Name) > 200 || errs.HasControl(in.Name) {
		fe.Add("name", "must be 1-200 characters")
	}
	if in.Purpose == "" || len(in.Purpose) > 2000 {
		fe.Add("purpose", "must say what it does for us (1-2000 characters)")
	}
	if !s.Accepts(in.Country) {
		if len(s.adequacy) == 0 {
			fe.Add("country", "must be the UK or an EEA country (two-letter code): data is not transferred anywhere else")
		} else {
			fe.Add("country", "must be the UK, an EEA country or one of %s (two-letter code)", strings.Join(s.AdequacyAllowed(), ", "))
		}
	}
	if in.ObjectionDays == 0 {
		in.ObjectionDays = 30
	}
	if in.ObjectionDays < 14 || in.ObjectionDays > 90 {
		fe.Add("objection_days", "must be from 14 to 90")
	}
	if err := fe.Err(); err != nil {
		return SubProcessor{}, err
	}
	now := s.now().UTC()
	sp := SubProcessor{ID: uuid.Must(uuid.NewV7()), Name: in.Name, Purpose: in.Purpose, Country: in.Country, Replaces: in.Replaces,
		ObjectionsCloseAt: now.AddDate(0, 0, in.ObjectionDays), CreatedAt: now}
	var tenants []uuid.UUID
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		verb := "will use"
		if in.Replaces != nil {
			var old SubProcessor
			if res := tx.Where("id = ? AND retired_at IS NULL", *in.Replaces).Limit(1).Find(&old); res.Error != nil || res.RowsAffected == 0 {
				return errs.Field("replaces", "names no sub-processor in use")
			}
			verb = "will replace " + old.Name + " with"
		}
		if err := tx.Create(&sp).Error; err != nil {
			return fmt.Errorf("support: register sub-processor: %w", err)
		}
		var opName string
		if err := tx.Raw(`SELECT display_name FROM staff WHERE id = ?`, operator).Scan(&opName).Error; err != nil {
			return err
		}
		if err := tx.Raw(`SELECT id FROM tenants t
			WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.tenant_id = t.id AND c.status = ?) ORDER BY id`,
			tenant.ContractDeleted).Scan(&tenants).Error; err != nil {
			return err
		}
		for _, t := range tenants {
			if err := access.Enter(tx, access.Contract(t, operator, "sub-processor:"+sp.ID.String())); err != nil {
				return err
			}
			if _, err := alert.Raise(tx, t, alert.Alert{Kind: "sub-processor", Audience: identity.RoleAdmin,
				Title: fmt.Sprintf("We %s %s (%s)", verb, sp.Name, CountryName(sp.Country)),
				Body:  fmt.Sprintf("Purpose: %s. You may object until %s; its staff can be granted access to your data only if you authorise it.", sp.Purpose, localtime.Date(sp.ObjectionsCloseAt, localtime.London)),
				Link:  "/sub-processors"}); err != nil {
				return err
			}
			if _, err := audit.Append(tx, t, audit.Event{ActorKind: "staff", ActorID: &operator, ActorName: opName, Basis: string(access.BasisContract),
				Action: "sub-processor.registered", Target: "sub-processor " + sp.Name,
				Detail: map[string]string{"country": sp.Country, "objections_close_at": sp.ObjectionsCloseAt.Format(time.DateOnly)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SubProcessor{}, err
	}
	for _, t := range tenants {
		s.deliverSoon(ctx, t)
	}
	return sp, nil
}

// SubProcessors lists the register; with a tenant scope, each entry carries
// that tenant's decision.
func (s *Service) SubProcessors(ctx context.Context, sc *access.Scope) ([]SubProcessor, error) {
	out := []SubProcessor{}
	if err := s.db.Gorm.WithContext(ctx).Order("created_at").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("support: sub-processors: %w", err)
	}
	if sc == nil {
		return out, nil
	}
	var ds []struct {
		SubProcessorID uuid.UUID
		Decision       string
	}
	if err := access.Transact(ctx, s.db, *sc, func(tx *gorm.DB) error {
		return tx.Table("sub_processor_decisions").Select("sub_processor_id, decision").Scan(&ds).Error
	}); err != nil {
		return nil, err
	}
	for i := range out {
		for _, d := range ds {
			if d.SubProcessorID == out[i].ID {
				out[i].Decision = d.Decision
			}
		}
	}
	return out, nil
}

// DecideSubProcessor records the tenant's authorisation of, or objection
// to, a sub-processor (the latest decision stands) in its audit log.
func (s *Service) DecideSubProcessor(ctx context.Context, sc access.Scope, id uuid.UUID, decision, reason string) error {
	reason = strings.TrimSpace(reason)
	if decision != "authorised" && decision != "objected" {
		return errs.Field("decision", "must be authorised or objected")
	}
	if len(reason) > 2000 || errs.HasControl(reason) {
		return errs.Field("reason", "must be at most 2000 characters")
	}
	var sp SubProcessor
	if err := database.Found(s.db.Gorm.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&sp), "sub-processor %s", id); err != nil {
		return err
	}
	return s.inTenant(ctx, sc, id, func(tx *gorm.DB, name string, now time.Time) error {
		actor := sc.Actor().ID
		if err := tx.Exec(`INSERT INTO sub_processor_decisions (tenant_id, sub_processor_id, decision, reason, decided_by, decided_at)
			VALUES (app_tenant_id(), ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, sub_processor_id) DO UPDATE SET decision = EXCLUDED.decision, reason = EXCLUDED.reason,
			decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at`, id, decision, reason, actor, now).Error; err != nil {
			return fmt.Errorf("support: sub-processor decision: %w", err)
		}
		late := ""
		if now.After(sp.ObjectionsCloseAt) {
			late = "after the objection window"
		}
		_, err := audit.Append(tx, sc.Tenant(), audit.Event{ActorKind: "member", ActorID: &actor, ActorName: name, Basis: string(sc.Basis()),
			Action: "sub-processor." + decision, Target: "sub-processor " + sp.Name, Detail: map[string]string{"reason": reason, "late": late}})
		return err
	})
}

// authorised checks, inside a tenant-scoped tx, that the tenant authorised
// sub-processor id and that it is still in use.
func authorised(tx *gorm.DB, id uuid.UUID) error {
	var ok bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM sub_processor_decisions d JOIN sub_processors sp ON sp.id = d.sub_processor_id
		WHERE d.sub_processor_id = ? AND d.decision = 'authorised' AND sp.retired_at IS NULL)`, id).Scan(&ok).Error
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(errs.ErrForbidden, "this school has not authorised your organisation (a sub-processor) to access its data")
	}
	return nil
}
