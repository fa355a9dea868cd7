// Package consent keeps the consents a school's processing depends on:
// the purposes that need consent (policies/consents.yaml), each person's
// consents given and withdrawn with their evidence, and guardians, who
// consent for children under 13. Withdrawal is one action, as easy as
// giving, and takes effect at once: processing asks Has (or Recipients)
// at the moment it runs.
package consent

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"sigs.k8s.io/yaml"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/policies"
)

// ChildAge is the age under which a guardian must consent.
const ChildAge = 13

// Purpose is something done only with consent.
type Purpose struct {
	Key     string `json:"key"`
	Title   string `json:"title"`
	Version string `json:"version"`
	Wording string `json:"wording"`
}

// Purposes are the purposes from policies/consents.yaml.
func Purposes() []Purpose { return purposes }

var purposes = mustPurposes()

func mustPurposes() []Purpose {
	var ps []Purpose
	if err := yaml.Unmarshal(policies.Consents, &ps); err != nil {
		panic("policies/consents.yaml: " + err.Error())
	}
	return ps
}

func lookup(key string) (Purpose, bool) {
	for _, p := range purposes {
		if p.Key == key {
			return p, true
		}
	}
	return Purpose{}, false
}

// Relation is who acted for a person: they themselves, their guardian, or
// an admin on their behalf. A consent records it (consents.by_relation), and
// so does a subject request (subject_requests.asked_by_relation).
type Relation string

// Relations.
const (
	BySelf     Relation = "self"
	ByGuardian Relation = Relation(identity.RoleGuardian)
	ByAdmin    Relation = Relation(identity.RoleAdmin)
)

// Record is one entry of a person's consent history.
type Record struct {
	TenantID       uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID             uuid.UUID  `gorm:"primaryKey" json:"id"`
	PersonID       uuid.UUID  `json:"person_id"`
	Purpose        string     `json:"purpose"`
	Given          bool       `json:"given"`
	WordingVersion string     `json:"wording_version"`
	Method         string     `json:"method"`
	ByPerson       *uuid.UUID `json:"by_person"`
	ByRelation     Relation   `json:"by_relation"`
	At             time.Time  `json:"at"`
}

// TableName is the gorm table.
func (Record) TableName() string { return "consents" }

// State is a person's consent to one purpose now. Given is whether
// processing may rely on it; Recorded whether the last entry is a giving
// (a restricted person's, or a child's given without a guardian, is
// recorded but not in force).
type State struct {
	Purpose  Purpose `json:"purpose"`
	Given    bool    `json:"given"`
	Recorded bool    `json:"recorded"`
	Latest   *Record `json:"latest,omitempty"`
}

// Service keeps consents and guardians.
type Service struct {
	db  *database.DB
	now func() time.Time
	// OnSelfGiven, when set, runs in the transaction that records a
	// consent a person gives themselves (communications lift their
	// unsubscribe suppression).
	OnSelfGiven func(tx *gorm.DB, tenant, person uuid.UUID, purpose string) error
}

// NewService returns a Service.
func NewService(db *database.DB) *Service { return &Service{db: db, now: time.Now} }

// Change gives or withdraws consent. Method is how: online (the person or
// guardian in the app), or paper/verbal recorded by an admin, who then
// names the guardian who signed for a child (GuardianID).
type Change struct {
	Purpose    string     `json:"purpose"`
	Given      bool       `json:"given"`
	Method     string     `json:"method"`
	GuardianID *uuid.UUID `json:"guardian_id"`
}

// Set records a consent change for person by the scoped member, who is
// the person, one of their guardians, or an admin recording a form.
// Giving consent for a child under 13 needs a linked guardian: a child's
// own consent, or an admin's record that names no guardian, is refused.
// Withdrawal is accepted from any of them.
func (s *Service) Set(ctx context.Context, sc access.Scope, person uuid.UUID, in Change) (Record, error) {
	p, ok := lookup(in.Purpose)
	if !ok {
		return Record{}, errs.Field("purpose", "is not a purpose this school asks consent for")
	}
	actor := sc.Actor().ID
	r := Record{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), PersonID: person, Purpose: p.Key, Given: in.Given,
		WordingVersion: p.Version, Method: "online", ByPerson: &actor, At: s.now().UTC()}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		child, err := s.isChild(tx, person)
		if err != nil {
			return err
		}
		switch {
		case actor == person:
			r.ByRelation = BySelf
			if child && in.Given {
				return errs.New(errs.ErrForbidden, "you are under %d: a parent or guardian linked to your account must give this consent", ChildAge)
			}
		case guardianOf(tx, actor, person):
			r.ByRelation = ByGuardian
		default:
			if err := identity.Reach(tx, sc, person, true); err != nil {
				return err
			}
			if !isAdmin(tx, actor) {
				return errs.New(errs.ErrForbidden, "only the person, their guardian or an admin may record consent")
			}
			if in.Method != "paper" && in.Method != "verbal" {
				return errs.Field("method", "an admin records a consent given on paper or verbally: say which")
			}
			r.ByRelation, r.Method = ByAdmin, in.Method
			if child && in.Given {
				if in.GuardianID == nil || !guardianOf(tx, *in.GuardianID, person) {
					return errs.Field("guardian_id", "a child under %d needs a guardian's consent: name the linked guardian who signed", ChildAge)
				}
				r.ByPerson, r.ByRelation = in.GuardianID, ByGuardian
			}
		}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("consent: record: %w", err)
		}
		if r.ByRelation == BySelf && in.Given && s.OnSelfGiven != nil {
			if err := s.OnSelfGiven(tx, sc.Tenant(), person, p.Key); err != nil {
				return err
			}
		}
		action := "consent.withdrawn"
		if in.Given {
			action = "consent.given"
		}
		return identity.Record(tx, sc, "", action, "consent "+r.ID.String(), map[string]string{"purpose": p.Key, "version": p.Version, "by": string(r.ByRelation), "method": r.Method})
	})
	return r, err
}

// isChild reports whether person is under ChildAge today. A person with no
// recorded birth date is treated as an adult: schools record learners'
// dates of birth through the roster.
func (s *Service) isChild(tx *gorm.DB, person uuid.UUID) (bool, error) {
	var birth sql.NullTime
	if err := tx.Raw(`SELECT birth_date FROM people WHERE id = ?`, person).Row().Scan(&birth); err != nil {
		return false, errs.New(errs.ErrNotFound, "person %s", person)
	}
	return birth.Valid && birth.Time.AddDate(ChildAge, 0, 0).After(s.now()), nil
}

// IsGuardian reports, in the tenant's scope, whether guardian acts for child.
func IsGuardian(tx *gorm.DB, guardian, child uuid.UUID) bool { return guardianOf(tx, guardian, child) }

func guardianOf(tx *gorm.DB, guardian, child uuid.UUID) bool {
	var n int64
	tx.Raw(`SELECT count(*) FROM guardianships WHERE guardian_id = ? AND child_id = ?`, guardian, child).Scan(&n)
	return n > 0
}

func isAdmin(tx *gorm.DB, person uuid.UUID) bool {
	var n int64
	tx.Raw(`SELECT count(*) FROM role_assignments WHERE person_id = ? AND role = ?`, person, identity.RoleAdmin).Scan(&n)
	return n > 0
}

// inForceSQL is the people (alias p) whose latest consent to @purpose is a
// giving, by a guardian when they are a child, and who are not restricted.
const inForceSQL = `p.restricted_at IS NULL AND EXISTS (
	SELECT 1 FROM (SELECT c.given, c.by_relation FROM consents c WHERE c.person_id = p.id AND c.purpose = @purpose ORDER BY c.at DESC, c.id DESC LIMIT 1) last
	WHERE last.given AND (p.birth_date IS NULL OR p.birth_date + make_interval(years => @age) <= current_date OR last.by_relation = 'guardian'))`

// InForce is Has for a set: a condition on people (alias p) that holds for
// those whose consent to purpose is in force, with its named arguments.
func InForce(purpose string) (string, map[string]any) {
	return inForceSQL, map[string]any{"purpose": purpose, "age": ChildAge}
}

// Has reports, inside a transaction in the tenant's scope, whether person
// consents to purpose now: processing that depends on it asks this first.
func Has(tx *gorm.DB, person uuid.UUID, purpose string) (bool, error) {
	var n int64
	err := tx.Raw(`SELECT count(*) FROM people p WHERE p.id = @id AND `+inForceSQL,
		map[string]any{"id": person, "purpose": purpose, "age": ChildAge}).Scan(&n).Error
	return n > 0, err
}

// States is person's consent to each purpose, for the person, their
// guardians and admins.
func (s *Service) States(ctx context.Context, sc access.Scope, person uuid.UUID) (out []State, err error) {
	return s.StatePage(ctx, sc, person, database.Page{})
}

// At is where a state sits in the catalogue's order, for paging: its
// purpose's key (purposes have no id).
func (st State) At() (string, uuid.UUID) { return st.Purpose.Key, uuid.Nil }

// purposePage is the page of the catalogue pg asks for: the purposes
// after the one keyed pg.Key, in the catalogue's order.
func purposePage(pg database.Page) []Purpose {
	from := 0
	if pg.Key != "" {
		from = len(purposes)
		for i, p := range purposes {
			if p.Key == pg.Key {
				from = i + 1
			}
		}
	}
	to := len(purposes)
	if pg.Limit > 0 {
		to = min(to, from+pg.Limit)
	}
	return purposes[from:to]
}

// StatePage is a page of a person's consents, one per purpose in the
// catalogue's order.
func (s *Service) StatePage(ctx context.Context, sc access.Scope, person uuid.UUID, pg database.Page) (out []State, err error) {
	out = []State{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := s.mayView(tx, sc, person); err != nil {
			return err
		}
		for _, p := range purposePage(pg) {
			st := State{Purpose: p}
			var last []Record
			if err := tx.Where("person_id = ? AND purpose = ?", person, p.Key).Order("at DESC, id DESC").Limit(1).Find(&last).Error; err != nil {
				return err
			}
			if len(last) > 0 {
				st.Latest, st.Recorded = &last[0], last[0].Given
			}
			if st.Given, err = Has(tx, person, p.Key); err != nil {
				return err
			}
			out = append(out, st)
		}
		return nil
	})
	return out, err
}

func (s *Service) mayView(tx *gorm.DB, sc access.Scope, person uuid.UUID) error {
	actor := sc.Actor().ID
	if actor == person || guardianOf(tx, actor, person) {
		return nil
	}
	return identity.Reach(tx, sc, person, false)
}

// Recipient is someone a consent-based processing may include.
type Recipient struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
	Email       *string   `json:"email"`
}

// At is where a recipient sits in the order Recipients lists them (by id).
func (r Recipient) At() (string, uuid.UUID) { return "", r.ID }

// Recipients is everyone who consents to purpose now and is not
// restricted: the list consent-based processing (optional communications)
// runs on, computed when it runs so a withdrawal counts at once.
func (s *Service) Recipients(ctx context.Context, sc access.Scope, purpose string, pg database.Page) (out []Recipient, err error) {
	if _, ok := lookup(purpose); !ok {
		return nil, errs.New(errs.ErrNotFound, "purpose %q", purpose)
	}
	out = []Recipient{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := tx.Table("people p").Select("p.id, p.display_name, p.email").
			Where(inForceSQL, map[string]any{"purpose": purpose, "age": ChildAge}).Where("p.status = 'active'")
		if ids, limited := sc.Schools(); limited {
			q = q.Where("EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.person_id = p.id AND ra.school_id IN ?)", ids)
		}
		return database.ByID("p.id").Apply(q, pg).Find(&out).Error
	})
	return out, err
}
