package course

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Term is one of the tenant's academic sessions (a term, semester, school
// year or grading period), as a roster import keeps them (terms). A
// course runs in one (Course.TermID), ends with it and is rolled over
// into the next.
type Term struct {
	TenantID uuid.UUID `gorm:"primaryKey" json:"-"`
	ID       uuid.UUID `gorm:"primaryKey" json:"id"`
	Title    string    `json:"title"`
	Kind     string    `json:"kind"` // term, semester, schoolYear or gradingPeriod
	// StartsOn and EndsOn are calendar dates (midnight UTC): a term's
	// last day is the same date wherever it is read.
	StartsOn time.Time `gorm:"type:date" json:"starts_on"`
	EndsOn   time.Time `gorm:"type:date" json:"ends_on"`
}

// TableName is the gorm table.
func (Term) TableName() string { return "terms" }

// Ended reports whether the term's last day is over at now on the wall
// clock of loc (the school's zone): a term ending Friday has ended from
// Saturday's midnight there, whatever the offset.
func (t Term) Ended(now time.Time, loc *time.Location) bool {
	y, m, d := now.In(loc).Date()
	ey, em, ed := t.EndsOn.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).After(time.Date(ey, em, ed, 0, 0, 0, 0, time.UTC))
}

// NextTerm is the term after the one with id among terms: the earliest
// of the same kind that starts after it starts (a term's next term, a
// school year's next year). nil when there is none, or id is none.
func NextTerm(terms []Term, id *uuid.UUID) *Term {
	if id == nil {
		return nil
	}
	var cur *Term
	for i := range terms {
		if terms[i].ID == *id {
			cur = &terms[i]
		}
	}
	if cur == nil {
		return nil
	}
	var next *Term
	for i := range terms {
		t := &terms[i]
		if t.Kind == cur.Kind && t.StartsOn.After(cur.StartsOn) && (next == nil || t.StartsOn.Before(next.StartsOn)) {
			next = t
		}
	}
	return next
}

// Terms are the tenant's terms, earliest first. They name no one: any
// member may read them.
func (s *Service) Terms(ctx context.Context, sc access.Scope) (out []Term, err error) {
	out = []Term{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return allTerms(tx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("course: terms: %w", err)
	}
	return out, nil
}

func allTerms(tx *gorm.DB, out *[]Term) error {
	return tx.Order("starts_on, ends_on, id").Find(out).Error
}

// checkTerm refuses a term id the tenant does not have, as a field error.
func checkTerm(tx *gorm.DB, field string, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var n int64
	if err := tx.Model(&Term{}).Where("id = ?", *id).Count(&n).Error; err != nil {
		return fmt.Errorf("course: term: %w", err)
	}
	if n == 0 {
		return errs.Field(field, "is not one of the school's terms")
	}
	return nil
}

// rolledTerm is the term a rollover's copy of course from runs in: the
// rollover's chosen term, else the term after the course's own (none
// when the course is in no term or its term is the last).
func rolledTerm(tx *gorm.DB, chosen *uuid.UUID, from uuid.UUID) (*uuid.UUID, error) {
	if chosen != nil {
		return chosen, nil
	}
	var src struct{ TermID *uuid.UUID }
	if err := tx.Raw(`SELECT term_id FROM courses WHERE id = ?`, from).Scan(&src).Error; err != nil {
		return nil, fmt.Errorf("course: term of %s: %w", from, err)
	}
	var terms []Term
	if err := allTerms(tx, &terms); err != nil {
		return nil, fmt.Errorf("course: terms: %w", err)
	}
	if next := NextTerm(terms, src.TermID); next != nil {
		return &next.ID, nil
	}
	return nil, nil
}

// setTerm puts a course in a term (nil: none).
func setTerm(tx *gorm.DB, course uuid.UUID, term *uuid.UUID) error {
	if err := tx.Exec(`UPDATE courses SET term_id = ? WHERE id = ?`, term, course).Error; err != nil {
		return fmt.Errorf("course: set term: %w", err)
	}
	return nil
}
