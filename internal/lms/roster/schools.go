package roster

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// School is a school as roster files name it: the org id remembered from
// an earlier file, and the DfE number and URN an admin records so that
// orgs.csv's identifier finds it.
type School struct {
	ID         uuid.UUID `json:"id"`
	Slug       string    `json:"slug"`
	Name       string    `json:"name"`
	ExternalID *string   `json:"external_id"`
	DfeNumber  *string   `json:"dfe_number"`
	URN        *string   `json:"urn"`
}

var (
	dfePattern = regexp.MustCompile(`^[0-9]{3}-?[0-9]{4}$`)
	urnPattern = regexp.MustCompile(`^[0-9]{6,7}$`)
)

// schoolsOf narrows a school-limited admin to their schools.
func schoolsOf(q *gorm.DB, sc access.Scope) *gorm.DB {
	if ids, limited := sc.Schools(); limited {
		return q.Where("id IN ?", ids)
	}
	return q
}

// Schools lists the caller's schools with their roster codes, by name.
func (s *Service) Schools(ctx context.Context, sc access.Scope) ([]School, error) {
	out := []School{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return schoolsOf(tx.Table("schools").Select("id, slug, name, external_id, dfe_number, urn"), sc).Order("name").Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("roster: schools: %w", err)
	}
	return out, nil
}

// SchoolCodes is what an admin sets: the DfE number (as 330-2000 or
// 3302000) and the URN; empty clears. Forget drops the org id a file gave
// the school, so the next file matches it by its codes again (when the
// information system changed).
type SchoolCodes struct {
	DfeNumber string `json:"dfe_number"`
	URN       string `json:"urn"`
	Forget    bool   `json:"forget_org_id"`
}

// SetSchoolCodes records a school's DfE number and URN. Field errors:
// dfe_number, urn (malformed, or another school's).
func (s *Service) SetSchoolCodes(ctx context.Context, sc access.Scope, id uuid.UUID, in SchoolCodes) (out School, err error) {
	var fe errs.FieldErrors
	dfe, urn := strings.TrimSpace(in.DfeNumber), strings.TrimSpace(in.URN)
	if dfe != "" && !dfePattern.MatchString(dfe) {
		fe.Add("dfe_number", "must be the LA number and establishment number, as 330-2000")
	}
	if urn != "" && !urnPattern.MatchString(urn) {
		fe.Add("urn", "must be the six-digit unique reference number")
	}
	if len(fe) > 0 {
		return School{}, fe
	}
	nullable := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := database.Found(schoolsOf(tx.Table("schools").Select("id, slug, name, external_id, dfe_number, urn").Where("id = ?", id), sc).Limit(1).Scan(&out), "school %s", id); err != nil {
			return err
		}
		var taken []struct{ DfeNumber, URN *string }
		if err := tx.Raw(`SELECT dfe_number, urn FROM schools WHERE id <> ? AND (replace(dfe_number, '-', '') = ? OR urn = ?)`,
			id, strings.ReplaceAll(dfe, "-", ""), urn).Scan(&taken).Error; err != nil {
			return fmt.Errorf("roster: school codes: %w", err)
		}
		for _, t := range taken {
			if t.DfeNumber != nil && dfe != "" && digits(*t.DfeNumber) == digits(dfe) {
				fe.Add("dfe_number", "is another school's DfE number")
			}
			if t.URN != nil && urn != "" && *t.URN == urn {
				fe.Add("urn", "is another school's URN")
			}
		}
		if len(fe) > 0 {
			return fe
		}
		set := map[string]any{"dfe_number": nullable(dfe), "urn": nullable(urn)}
		if in.Forget {
			set["external_id"] = nil
			out.ExternalID = nil
		}
		out.DfeNumber, out.URN = nullable(dfe), nullable(urn)
		return tx.Table("schools").Where("id = ?", id).Updates(set).Error
	})
	return out, err
}
