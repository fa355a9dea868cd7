// Package retention enforces each school's retention periods: a period per
// data category (defaults in policies/retention.yaml, overridable by the
// school), legal holds that exempt named people or courses, a dry run that
// reports what would go, and a daily job that deletes or anonymises what
// has expired, once the school has seen a dry run and switched it on.
package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"sigs.k8s.io/yaml"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/policies"
)

// Category is a kind of data with its own retention period.
type Category struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Months   int    `json:"default_months"`
}

var categories = mustCategories()

func mustCategories() []Category {
	var cs []Category
	if err := yaml.Unmarshal(policies.Retention, &cs); err != nil {
		panic("policies/retention.yaml: " + err.Error())
	}
	for _, c := range cs {
		if _, ok := rules[c.Category]; !ok && c.Category != leavers {
			panic("policies/retention.yaml: no rule for category " + c.Category)
		}
		if c.Months < 1 || c.Months > 1200 {
			panic("policies/retention.yaml: " + c.Category + ": default_months must be 1-1200")
		}
	}
	return cs
}

// Categories are the categories with their default periods.
func Categories() []Category { return categories }

// leavers is the category whose expiry erases people, by the registry.
const leavers = "leavers"

// rule says how a category's expired rows are found: the table, the
// column holding the row's age, and the columns a legal hold matches.
type rule struct{ table, age, person, course string }

var rules = map[string]rule{
	"activity":         {"activity_events", "occurred_at", "person_id", "course_id"},
	"security-signals": {"security_events", "created_at", "person_id", ""},
	"roster-log":       {"roster_imports", "created_at", "", ""},
	"closed-requests":  {"subject_requests", "closed_at", "person_id", ""},
}

// notHeld is the SQL that exempts held rows of alias t.
func (r rule) notHeld() string {
	var or []string
	if r.person != "" {
		or = append(or, "h.person_id = t."+r.person)
	}
	if r.course != "" {
		or = append(or, "h.course_id = t."+r.course)
	}
	if len(or) == 0 {
		return "true"
	}
	q := "NOT EXISTS (SELECT 1 FROM retention_holds h WHERE h.released_at IS NULL AND (" + or[0]
	for _, o := range or[1:] {
		q += " OR " + o
	}
	return q + "))"
}

// Setting is a category's period in a school.
type Setting struct {
	Category
	SchoolMonths *int `json:"school_months"` // nil: the default applies
	Effective    int  `json:"months"`
}

// Service keeps settings and holds, and runs retention.
type Service struct {
	db       *database.DB
	subjects *subject.Service
	now      func() time.Time
}

// NewService returns a Service; subjects erases leavers.
func NewService(db *database.DB, subjects *subject.Service) *Service {
	return &Service{db: db, subjects: subjects, now: time.Now}
}

// Settings is every category's period for the scoped tenant.
func (s *Service) Settings(ctx context.Context, sc access.Scope) (out []Setting, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		out, err = settings(tx)
		return err
	})
	return out, err
}

func settings(tx *gorm.DB) ([]Setting, error) {
	var rows []struct {
		Category string
		Months   int
	}
	if err := tx.Raw(`SELECT category, months FROM retention_settings`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	own := map[string]int{}
	for _, r := range rows {
		own[r.Category] = r.Months
	}
	var out []Setting
	for _, c := range categories {
		st := Setting{Category: c, Effective: c.Months}
		if m, ok := own[c.Category]; ok {
			st.SchoolMonths, st.Effective = &m, m
		}
		out = append(out, st)
	}
	return out, nil
}

// Set overrides a category's period (months 0 returns to the default).
func (s *Service) Set(ctx context.Context, sc access.Scope, category string, months int) error {
	known := false
	for _, c := range categories {
		known = known || c.Category == category
	}
	if !known {
		return errs.New(errs.ErrNotFound, "category %q", category)
	}
	err := s.SetPeriods(ctx, sc, map[string]int{category: months})
	var fe errs.FieldErrors
	if errors.As(err, &fe) {
		return errs.Field("months", "must be from 1 to 1200 months (0 returns to the default)")
	}
	return err
}

// SetPeriods sets several categories' periods at once: all are checked
// first (field errors are keyed by category) and saved in one
// transaction, so a form with one bad value changes nothing.
func (s *Service) SetPeriods(ctx context.Context, sc access.Scope, months map[string]int) error {
	if !sc.TenantWide() {
		return errs.New(errs.ErrForbidden, "retention periods are set for the whole tenant")
	}
	var fe errs.FieldErrors
	for _, c := range categories {
		if m, ok := months[c.Category]; ok && (m < 0 || m > 1200) {
			fe.Add(c.Category, "must be from 1 to 1200 months (0 returns to the default)")
		}
	}
	for k := range months {
		known := false
		for _, c := range categories {
			known = known || c.Category == k
		}
		if !known {
			fe.Add(k, "is not a retention category")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		for category, m := range months {
			var err error
			if m == 0 {
				err = tx.Exec(`DELETE FROM retention_settings WHERE category = ?`, category).Error
			} else {
				err = tx.Exec(`INSERT INTO retention_settings (tenant_id, category, months, updated_by) VALUES (?, ?, ?, ?)
					ON CONFLICT (tenant_id, category) DO UPDATE SET months = EXCLUDED.months, updated_by = EXCLUDED.updated_by, updated_at = now()`,
					sc.Tenant(), category, m, sc.Actor().ID).Error
			}
			if err != nil {
				return fmt.Errorf("retention: set %s: %w", category, err)
			}
		}
		return nil
	})
}

// Hold is a legal hold on a person or a course.
type Hold struct {
	TenantID   uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID         uuid.UUID  `gorm:"primaryKey" json:"id"`
	PersonID   *uuid.UUID `json:"person_id"`
	CourseID   *uuid.UUID `json:"course_id"`
	Reason     string     `json:"reason"`
	CreatedBy  *uuid.UUID `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ReleasedAt *time.Time `json:"released_at"`
}

// TableName is the gorm table.
func (Hold) TableName() string { return "retention_holds" }

// NewHold places a hold on one person or one course.
type NewHold struct {
	PersonID *uuid.UUID `json:"person_id"`
	CourseID *uuid.UUID `json:"course_id"`
	Reason   string     `json:"reason"`
}

// PlaceHold records a legal hold.
func (s *Service) PlaceHold(ctx context.Context, sc access.Scope, in NewHold) (Hold, error) {
	if !sc.TenantWide() {
		return Hold{}, errs.New(errs.ErrForbidden, "legal holds are the whole tenant's")
	}
	if (in.PersonID == nil) == (in.CourseID == nil) {
		return Hold{}, errs.Field("person_id", "name exactly one person or one course")
	}
	if in.Reason == "" || len(in.Reason) > 2000 || errs.HasControlText(in.Reason) {
		return Hold{}, errs.Field("reason", "say why the data must be kept (1-2000 characters)")
	}
	actor := sc.Actor().ID
	h := Hold{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), PersonID: in.PersonID, CourseID: in.CourseID, Reason: in.Reason, CreatedBy: &actor}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var n int64
		if in.PersonID != nil {
			tx.Raw(`SELECT count(*) FROM people WHERE id = ?`, *in.PersonID).Scan(&n)
		} else {
			tx.Raw(`SELECT count(*) FROM courses WHERE id = ?`, *in.CourseID).Scan(&n)
		}
		if n == 0 {
			return errs.Field("person_id", "no such person or course in this school")
		}
		return tx.Create(&h).Error
	})
	return h, err
}

// ReleaseHold ends a hold.
func (s *Service) ReleaseHold(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	if !sc.TenantWide() {
		return errs.New(errs.ErrForbidden, "legal holds are the whole tenant's")
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return database.Found(tx.Exec(`UPDATE retention_holds SET released_at = now() WHERE id = ? AND released_at IS NULL`, id), "hold %s", id)
	})
}

// Holds lists the holds in force.
func (s *Service) Holds(ctx context.Context, sc access.Scope) (out []Hold, err error) {
	return s.HoldPage(ctx, sc, database.Page{})
}

// holdOrder lists holds newest first.
var holdOrder = database.Keyset{Key: "created_at", Cast: "timestamptz", ID: "id", Desc: true}

// At is where a hold sits in the order HoldPage lists them.
func (h Hold) At() (string, uuid.UUID) { return database.TimeKey(h.CreatedAt), h.ID }

// HoldPage is a page of the legal holds in force, newest first.
func (s *Service) HoldPage(ctx context.Context, sc access.Scope, p database.Page) (out []Hold, err error) {
	out = []Hold{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return holdOrder.Apply(tx.Where("released_at IS NULL"), p).Find(&out).Error
	})
	return out, err
}
