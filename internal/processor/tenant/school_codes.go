package tenant

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// The shapes schools.dfe_number and schools.urn accept (migration 00050):
// the DfE number is the LA number and the establishment number (330-2000
// or 3302000); the URN is six digits (seven for a few newer ones).
var (
	dfePattern = regexp.MustCompile(`^[0-9]{3}-?[0-9]{4}$`)
	urnPattern = regexp.MustCompile(`^[0-9]{6,7}$`)
)

// checkSchoolCodes normalises the schools' roster codes and reports a
// malformed one, or one two schools of the manifest share, by field path.
func checkSchoolCodes(fe *errs.FieldErrors, schools []SchoolSpec) {
	seen := map[string]int{}
	for i := range schools {
		s := &schools[i]
		s.DfENumber, s.URN, s.ExternalID = strings.TrimSpace(s.DfENumber), strings.TrimSpace(s.URN), strings.TrimSpace(s.ExternalID)
		p := fmt.Sprintf("schools[%d].", i)
		if s.DfENumber != "" && !dfePattern.MatchString(s.DfENumber) {
			fe.Add(p+"dfe_number", "must be the LA number and establishment number, as 330-2000")
		}
		if s.URN != "" && !urnPattern.MatchString(s.URN) {
			fe.Add(p+"urn", "must be the six-digit unique reference number")
		}
		if len(s.ExternalID) > 255 {
			fe.Add(p+"external_id", "must be at most 255 characters")
		}
		// The same code on two schools would match either to a roster
		// file's org: the database refuses it, the manifest says where.
		for field, v := range map[string]string{"dfe_number": strings.ReplaceAll(s.DfENumber, "-", ""), "urn": s.URN, "external_id": s.ExternalID} {
			if v == "" {
				continue
			}
			if j, dup := seen[field+"\x00"+v]; dup {
				fe.Add(p+field, "is also schools[%d]'s", j)
			}
			seen[field+"\x00"+v] = i
		}
	}
}

// schoolCodes are a school's recorded roster codes.
type schoolCodes struct {
	DfeNumber, URN, ExternalID *string
}

// applySchoolCodes sets the codes the spec gives that differ from the
// school's, and reports whether it changed any. A code another school of
// the tenant already has is a field error naming the manifest's field.
func applySchoolCodes(tx *gorm.DB, id uuid.UUID, i int, sp SchoolSpec) (bool, error) {
	var cur schoolCodes
	if err := tx.Raw(`SELECT dfe_number, urn, external_id FROM schools WHERE id = ?`, id).Scan(&cur).Error; err != nil {
		return false, fmt.Errorf("school %s codes: %w", sp.Slug, err)
	}
	set := map[string]any{}
	for _, c := range []struct {
		col, want string
		have      *string
	}{{"dfe_number", sp.DfENumber, cur.DfeNumber}, {"urn", sp.URN, cur.URN}, {"external_id", sp.ExternalID, cur.ExternalID}} {
		if c.want == "" || (c.have != nil && *c.have == c.want) {
			continue
		}
		var other string
		q := `SELECT slug FROM schools WHERE id <> ? AND ` + c.col + ` = ?`
		if c.col == "dfe_number" {
			q = `SELECT slug FROM schools WHERE id <> ? AND replace(dfe_number, '-', '') = replace(?, '-', '')`
		}
		if err := tx.Raw(q+` LIMIT 1`, id, c.want).Scan(&other).Error; err != nil {
			return false, fmt.Errorf("school %s codes: %w", sp.Slug, err)
		}
		if other != "" {
			return false, errs.Field(fmt.Sprintf("schools[%d].%s", i, c.col), "is already school %s's", other)
		}
		set[c.col] = c.want
	}
	if len(set) == 0 {
		return false, nil
	}
	if err := tx.Table("schools").Where("id = ?", id).Updates(set).Error; err != nil {
		return false, fmt.Errorf("school %s codes: %w", sp.Slug, err)
	}
	return true, nil
}
