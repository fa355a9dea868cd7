package roster

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
)

// Role dates and bulk roles.csv (issue 24).
//
// A role row is dated: one whose beginDate is to come grants nothing yet
// (a later import grants it); one whose endDate has passed, or whose
// status is tobedeleted, ends the role if the person holds it. A bulk
// roles.csv is the whole truth about the roster's roles in the schools
// the upload covers: an admin, teacher or learner role held there by one
// of the roster's people (those with a sourcedId) that the file does not
// list, and that no enrolment of this upload needs, ends. Not ended: the
// importing admin's own roles, roles of people whose record is
// restricted, roles of leavers (their school still lists them), roles of
// people made by hand, and roles the roster does not give (guardian,
// tutor, approver: guardians.go keeps guardian roles).

// roleKey is one role in one school.
type roleKey struct {
	person uuid.UUID
	role   identity.Role
	school uuid.UUID
}

// listed records that the upload gives (or keeps) a role: a bulk roles.csv
// ends the roles it does not list.
func (a *applier) listed(p *person, role identity.Role, school uuid.UUID) {
	if a.kept == nil {
		a.kept = map[roleKey]bool{}
	}
	a.kept[roleKey{p.ID, role, school}] = true
}

// revoke ends p's role in school, if held.
func (a *applier) revoke(p *person, role identity.Role, school uuid.UUID) error {
	at := -1
	for i, h := range p.roles {
		if h.Role == role && h.SchoolID != nil && *h.SchoolID == school {
			at = i
		}
	}
	if at < 0 || p.ID == a.sc.Actor().ID {
		a.p.counts.Roles.Skipped++ // not held, or the importer's own
		return nil
	}
	if err := a.tx.Exec(`DELETE FROM role_assignments WHERE person_id = ? AND role = ? AND school_id = ?`, p.ID, role, school).Error; err != nil {
		return fmt.Errorf("roster: end role: %w", err)
	}
	p.roles = append(p.roles[:at], p.roles[at+1:]...)
	a.p.counts.Roles.Removed++
	a.rolesEnded = true
	return nil
}

// endRoles ends the roles a bulk roles.csv leaves out, in the covered
// schools (see above).
func (a *applier) endRoles() error {
	var hs []struct {
		PersonID uuid.UUID
		Role     identity.Role
		SchoolID uuid.UUID
	}
	if err := a.tx.Raw(`SELECT ra.person_id, ra.role, ra.school_id
		FROM role_assignments ra JOIN people p ON p.tenant_id = ra.tenant_id AND p.id = ra.person_id
		WHERE ra.school_id = ANY(?::uuid[]) AND ra.role IN ('admin', 'teacher', 'learner')
		  AND p.external_id IS NOT NULL AND p.restricted_at IS NULL AND p.left_on IS NULL AND p.status = 'active'
		  AND p.id <> ?`, a.coveredList(), a.sc.Actor().ID).Scan(&hs).Error; err != nil {
		return fmt.Errorf("roster: roles of the schools: %w", err)
	}
	for _, h := range hs {
		if a.kept[roleKey{h.PersonID, h.Role, h.SchoolID}] {
			continue
		}
		res := a.tx.Exec(`DELETE FROM role_assignments WHERE person_id = ? AND role = ? AND school_id = ?`, h.PersonID, h.Role, h.SchoolID)
		if res.Error != nil {
			return fmt.Errorf("roster: end role: %w", res.Error)
		}
		a.p.counts.Roles.Removed += int(res.RowsAffected)
		a.rolesEnded = true
	}
	return nil
}

// notifyRoles tells every API process to reload the tenant's roles when
// this import ended some (granting ones notifies already: InsertRolesTx);
// NOTIFY is transactional, so they hear it only if the import commits.
func (a *applier) notifyRoles() error {
	if !a.rolesEnded {
		return nil
	}
	return a.tx.Exec(`SELECT pg_notify(?, ?)`, identity.AuthzChannel, a.sc.Tenant().String()).Error
}
