package roster

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
)

// existingEnrolment is an enrolment this roster made earlier.
type existingEnrolment struct {
	ExternalID string
	CourseID   uuid.UUID
	PersonID   uuid.UUID
	Role       course.Role
	SchoolID   uuid.UUID
}

func (a *applier) loadEnrolments() (map[string]*existingEnrolment, error) {
	out := map[string]*existingEnrolment{}
	ext := set{}
	for _, e := range a.p.enrols {
		ext.add(e.sourcedID)
	}
	var es []*existingEnrolment
	if err := a.tx.Raw(`SELECT e.external_id, e.course_id, e.person_id, e.role, c.school_id
		FROM enrolments e JOIN courses c ON c.tenant_id = e.tenant_id AND c.id = e.course_id
		WHERE e.external_id = ANY(?::text[])`, textArray(ext.list())).Scan(&es).Error; err != nil {
		return nil, fmt.Errorf("roster: load enrolments: %w", err)
	}
	for _, e := range es {
		out[e.ExternalID] = e
	}
	return out, nil
}

func (a *applier) applyEnrolments() error {
	byExt, err := a.loadEnrolments()
	if err != nil {
		return err
	}
	c := &a.p.counts.Enrolments
	for _, e := range a.p.enrols {
		ex := byExt[e.sourcedID]
		if e.deleted {
			switch {
			case ex == nil:
				c.Unchanged++ // already gone
			case !a.mine(ex.SchoolID):
				a.p.fail(EnrollmentsFile, e.line, "sourcedId", "is an enrolment on a course of a school that is not yours")
			default:
				if err := a.tx.Exec(`DELETE FROM enrolments WHERE external_id = ?`, e.sourcedID).Error; err != nil {
					return fmt.Errorf("roster: remove enrolment: %w", err)
				}
				delete(byExt, e.sourcedID)
				c.Removed++
			}
			continue
		}
		course, p := a.courses[e.class], a.person(EnrollmentsFile, e.line, "userSourcedId", e.user)
		if course == nil && !a.p.badClasses[e.class] {
			a.p.fail(EnrollmentsFile, e.line, "classSourcedId", "is not a class of this upload or of this tenant")
		}
		if course == nil || p == nil {
			continue
		}
		if e.notYet && ex == nil {
			c.Skipped++ // begins later: a later import makes it
			continue
		}
		if !a.mine(course.SchoolID) {
			a.p.fail(EnrollmentsFile, e.line, "classSourcedId", "is a class of a school that is not yours")
			continue
		}
		a.cover(course.SchoolID)
		if e.school != "" {
			if id, _, quiet, ok := a.orgRef(e.school); quiet {
				continue
			} else if !ok || id != course.SchoolID {
				a.p.fail(EnrollmentsFile, e.line, "schoolSourcedId", "is not the school of the class")
				continue
			}
		}
		if !a.reaches(p, false) {
			a.p.fail(EnrollmentsFile, e.line, "userSourcedId", "is not a person of your schools")
			continue
		}
		// The enrolment role names the school role it needs (teacher, learner).
		if err := a.placeInSchool(p, identity.Role(e.role), course.SchoolID); err != nil {
			return err
		}
		if err := a.enrol(e, ex, course.ID, p.ID); err != nil {
			return err
		}
	}
	return a.flushEnrolments()
}

// placeInSchool gives an enrolled person the matching role in the class's
// school unless they already hold one there (or tenant-wide): being on a
// course means belonging to its school.
func (a *applier) placeInSchool(p *person, role identity.Role, school uuid.UUID) error {
	for _, h := range p.roles {
		if h.SchoolID == nil || *h.SchoolID == school {
			return nil
		}
	}
	return a.grant(p, role, school)
}

func (a *applier) enrol(e enrolRow, ex *existingEnrolment, course, person uuid.UUID) error {
	c := &a.p.counts.Enrolments
	if ex != nil && ex.CourseID == course && ex.PersonID == person {
		if ex.Role == e.role {
			c.Unchanged++
			return nil
		}
		if err := a.tx.Exec(`UPDATE enrolments SET role = ? WHERE external_id = ?`, e.role, e.sourcedID).Error; err != nil {
			return fmt.Errorf("roster: change enrolment: %w", err)
		}
		ex.Role = e.role
		c.Updated++
		return nil
	}
	if ex != nil { // the SIS moved this enrolment to another class or person
		if err := a.tx.Exec(`DELETE FROM enrolments WHERE external_id = ?`, e.sourcedID).Error; err != nil {
			return fmt.Errorf("roster: move enrolment: %w", err)
		}
	}
	a.pending = append(a.pending, pendingEnrolment{course: course, person: person, role: e.role, sourcedID: e.sourcedID, moved: ex != nil})
	return nil
}

// pendingEnrolment is a new (or moved) enrolment, written in bulk.
type pendingEnrolment struct {
	course, person uuid.UUID
	role           course.Role
	sourcedID      string
	moved          bool
}

// flushEnrolments writes the pending enrolments a few thousand per
// statement. A person already on the course by hand is adopted: the roster
// now owns that enrolment. Parsing refused the same person twice in one
// class, so no statement touches a row twice.
func (a *applier) flushEnrolments() error {
	c := &a.p.counts.Enrolments
	moved := map[string]bool{}
	for len(a.pending) > 0 {
		n := min(len(a.pending), 5000)
		batch := a.pending[:n]
		a.pending = a.pending[n:]
		var courses, people, roles, ext []string
		for _, p := range batch {
			courses, people = append(courses, p.course.String()), append(people, p.person.String())
			roles, ext = append(roles, string(p.role)), append(ext, p.sourcedID)
			moved[p.sourcedID] = p.moved
		}
		var out []struct {
			ExternalID string
			Inserted   bool
		}
		err := a.tx.Raw(`INSERT INTO enrolments (tenant_id, course_id, person_id, role, external_id)
			SELECT app_tenant_id(), c, p, r, x FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[]) AS t(c, p, r, x)
			ON CONFLICT (tenant_id, course_id, person_id) DO UPDATE SET role = EXCLUDED.role, external_id = EXCLUDED.external_id
			RETURNING external_id, (xmax = 0) AS inserted`,
			textArray(courses), textArray(people), textArray(roles), textArray(ext)).Scan(&out).Error
		if err != nil {
			return fmt.Errorf("roster: enrol: %w", err)
		}
		for _, o := range out {
			if o.Inserted && !moved[o.ExternalID] {
				c.Created++
			} else {
				c.Updated++
			}
		}
	}
	return nil
}
