package roster

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
)

// EndLimit is the mass-change safety limit, in percent: a bulk import
// that would end more than this share of a school's people is held until
// an admin confirms it (as Canvas's SIS import does).
const EndLimit = 10

// SchoolEnd is one school's figure in a bulk import: how many of its
// people the file ends, of how many it had.
type SchoolEnd struct {
	SchoolID uuid.UUID `json:"school_id"`
	School   string    `json:"school"`
	Ending   int       `json:"ending"`
	Of       int       `json:"of"`
}

// cover records that the upload speaks for a school: a bulk file ends
// what it leaves out only in the schools it covers.
func (a *applier) cover(school uuid.UUID) {
	if a.covered == nil {
		a.covered = map[uuid.UUID]bool{}
	}
	a.covered[school] = true
}

func (a *applier) orgMessage(found bool) string {
	if found {
		return "is not one of your schools"
	}
	return "is not a school of this tenant (name it by an org of orgs.csv, or the school's slug or id)"
}

// coveredList is the covered schools as a uuid[] parameter.
func (a *applier) coveredList() textArray {
	out := textArray{}
	for id := range a.covered {
		out = append(out, id.String())
	}
	return out
}

// endAbsent ends what bulk files leave out, in the schools the upload
// covers: people absent from a bulk users.csv leave (see endPeople),
// enrolments absent from a bulk enrollments.csv close, classes absent from
// a bulk classes.csv are archived. Nothing is deleted but enrolments and
// roles, as an admin's own removal does; work and marks stay.
func (a *applier) endAbsent() error {
	for _, t := range a.orgs {
		if !t.bad && !t.tenant && a.mine(t.school) {
			a.cover(t.school)
		}
	}
	if a.p.nErrors > 0 || !(a.p.bulk(UsersFile) || a.p.bulk(EnrollmentsFile) || a.p.bulk(ClassesFile)) {
		return nil
	}
	if len(a.covered) == 0 {
		a.p.warn(ManifestFile, 0, "", "the bulk files name no school of yours, so nothing absent from them was ended")
		return nil
	}
	if a.p.bulk(UsersFile) {
		if err := a.endPeople(); err != nil || len(a.held) > 0 {
			return err
		}
	}
	if a.p.bulk(EnrollmentsFile) {
		if err := a.closeEnrolments(); err != nil {
			return err
		}
	}
	if a.p.bulk(ClassesFile) {
		return a.archiveClasses()
	}
	return nil
}

// member is one role a person holds in a covered school.
type member struct {
	PersonID   uuid.UUID
	ExternalID *string
	SchoolID   uuid.UUID
	Gone       bool // suspended and left already
	Restricted bool
}

// endPeople ends the roster's people (those with a sourcedId) who hold a
// role in a covered school and are not in the bulk users.csv. Someone
// who still belongs to a school the file does not cover, or holds a
// tenant-wide role, only loses the covered schools (their roles and
// enrolments there). Anyone else leaves: suspended, sessions ended,
// leaving date set, enrolments in the covered schools closed; their roles
// stay so their school still finds them among its leavers.
func (a *applier) endPeople() error {
	present := map[string]bool{}
	for _, u := range a.p.users {
		present[u.sourcedID] = true
	}
	a.p.listedGuardians(present) // guardians are in the file, though not in a.p.users
	var ms []member
	if err := a.tx.Raw(`SELECT ra.person_id, p.external_id, ra.school_id,
			(p.status = 'suspended' AND p.left_on IS NOT NULL) AS gone, p.restricted_at IS NOT NULL AS restricted
		FROM role_assignments ra JOIN people p ON p.tenant_id = ra.tenant_id AND p.id = ra.person_id
		WHERE ra.school_id = ANY(?::uuid[])`, a.coveredList()).Scan(&ms).Error; err != nil {
		return fmt.Errorf("roster: school members: %w", err)
	}
	of, ending := map[uuid.UUID]map[uuid.UUID]bool{}, map[uuid.UUID]map[uuid.UUID]bool{}
	absent := map[uuid.UUID]bool{}
	warned := map[uuid.UUID]bool{}
	for _, m := range ms {
		if m.Gone {
			continue
		}
		add(of, m.SchoolID, m.PersonID)
		if m.ExternalID == nil || present[*m.ExternalID] {
			continue
		}
		if m.PersonID == a.sc.Actor().ID || m.Restricted {
			if !warned[m.PersonID] {
				a.p.warn(UsersFile, 0, "", "a person absent from this bulk file was not ended: you, or a person whose record is restricted; end them by hand")
				warned[m.PersonID] = true
			}
			continue
		}
		add(ending, m.SchoolID, m.PersonID)
		absent[m.PersonID] = true
	}
	if a.overLimit(of, ending) {
		return nil
	}
	ids := textArray{}
	for id := range absent {
		ids = append(ids, id.String())
	}
	if len(ids) == 0 {
		return nil
	}
	// Who keeps a place elsewhere: a role outside the covered schools.
	var stay []uuid.UUID
	if err := a.tx.Raw(`SELECT DISTINCT person_id FROM role_assignments
		WHERE person_id = ANY(?::uuid[]) AND (school_id IS NULL OR NOT school_id = ANY(?::uuid[]))`,
		ids, a.coveredList()).Scan(&stay).Error; err != nil {
		return fmt.Errorf("roster: other schools: %w", err)
	}
	staying := map[uuid.UUID]bool{}
	for _, id := range stay {
		staying[id] = true
	}
	var leavers, movers textArray
	for id := range absent {
		if staying[id] {
			movers = append(movers, id.String())
		} else {
			leavers = append(leavers, id.String())
		}
	}
	closed := a.tx.Exec(`DELETE FROM enrolments e USING courses c
		WHERE c.tenant_id = e.tenant_id AND c.id = e.course_id AND e.person_id = ANY(?::uuid[]) AND c.school_id = ANY(?::uuid[])`,
		ids, a.coveredList())
	if closed.Error != nil {
		return fmt.Errorf("roster: close leavers' enrolments: %w", closed.Error)
	}
	a.p.counts.Enrolments.Removed += int(closed.RowsAffected)
	if len(movers) > 0 {
		res := a.tx.Exec(`DELETE FROM role_assignments WHERE person_id = ANY(?::uuid[]) AND school_id = ANY(?::uuid[])`, movers, a.coveredList())
		if res.Error != nil {
			return fmt.Errorf("roster: end roles: %w", res.Error)
		}
		a.p.counts.Roles.Removed += int(res.RowsAffected)
	}
	if len(leavers) > 0 {
		if err := a.tx.Exec(`UPDATE people SET status = ?, left_on = coalesce(left_on, current_date), updated_at = now()
			WHERE id = ANY(?::uuid[])`, identity.PersonSuspended, leavers).Error; err != nil {
			return fmt.Errorf("roster: leavers: %w", err)
		}
		if err := a.tx.Exec(`UPDATE member_credentials SET revoked_at = now() WHERE person_id = ANY(?::uuid[]) AND revoked_at IS NULL`, leavers).Error; err != nil {
			return fmt.Errorf("roster: end leavers' sessions: %w", err)
		}
	}
	a.p.counts.People.Removed += len(absent)
	return nil
}

func add(m map[uuid.UUID]map[uuid.UUID]bool, k, v uuid.UUID) {
	if m[k] == nil {
		m[k] = map[uuid.UUID]bool{}
	}
	m[k][v] = true
}

// overLimit records the schools whose share of people ending is above
// EndLimit, unless an admin confirmed; the import is then held.
func (a *applier) overLimit(of, ending map[uuid.UUID]map[uuid.UUID]bool) bool {
	for school, e := range ending {
		n, m := len(e), len(of[school])
		if a.force || n*100 <= m*EndLimit {
			continue
		}
		var name string
		if err := a.tx.Raw(`SELECT name FROM schools WHERE id = ?`, school).Scan(&name).Error; err != nil {
			name = school.String()
		}
		a.held = append(a.held, SchoolEnd{SchoolID: school, School: name, Ending: n, Of: m})
	}
	return len(a.held) > 0
}

// closeEnrolments removes the roster's enrolments (those with a
// sourcedId) on courses of covered schools that a bulk enrollments.csv
// leaves out.
func (a *applier) closeEnrolments() error {
	present := map[string]bool{}
	for _, e := range a.p.enrols {
		present[e.sourcedID] = true
	}
	var ext []string
	if err := a.tx.Raw(`SELECT e.external_id FROM enrolments e JOIN courses c ON c.tenant_id = e.tenant_id AND c.id = e.course_id
		WHERE c.school_id = ANY(?::uuid[]) AND e.external_id IS NOT NULL`, a.coveredList()).Scan(&ext).Error; err != nil {
		return fmt.Errorf("roster: enrolments of the schools: %w", err)
	}
	gone := textArray{}
	for _, x := range ext {
		if !present[x] {
			gone = append(gone, x)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	res := a.tx.Exec(`DELETE FROM enrolments WHERE external_id = ANY(?::text[])`, gone)
	if res.Error != nil {
		return fmt.Errorf("roster: close enrolments: %w", res.Error)
	}
	a.p.counts.Enrolments.Removed += int(res.RowsAffected)
	return nil
}

// archiveClasses archives the roster's courses of covered schools that a
// bulk classes.csv leaves out; their content stays.
func (a *applier) archiveClasses() error {
	present := map[string]bool{}
	for _, c := range a.p.classes {
		present[c.sourcedID] = true
	}
	var cs []struct {
		ID         uuid.UUID
		ExternalID string
	}
	if err := a.tx.Raw(`SELECT id, external_id FROM courses
		WHERE school_id = ANY(?::uuid[]) AND external_id IS NOT NULL AND status <> 'archived'`, a.coveredList()).Scan(&cs).Error; err != nil {
		return fmt.Errorf("roster: courses of the schools: %w", err)
	}
	gone := textArray{}
	for _, c := range cs {
		if !present[c.ExternalID] {
			gone = append(gone, c.ID.String())
		}
	}
	if len(gone) == 0 {
		return nil
	}
	res := a.tx.Exec(`UPDATE courses SET status = 'archived', updated_at = now() WHERE id = ANY(?::uuid[])`, gone)
	if res.Error != nil {
		return fmt.Errorf("roster: archive courses: %w", res.Error)
	}
	a.p.counts.Courses.Removed += int(res.RowsAffected)
	return nil
}
