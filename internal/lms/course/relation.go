package course

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Relation is how the scope's actor stands to one course. Every service that
// touches a course's data (content, assignments, discussion, activity) asks
// for it first and decides from it; casbin has already said the actor's
// role may do the action at all.
type Relation struct {
	TenantID uuid.UUID
	CourseID uuid.UUID
	SchoolID uuid.UUID
	Status   Status
	// Admin: a tenant-wide admin, or an admin of the course's school.
	Admin bool
	// Role is the actor's enrolment on the course: RoleTeacher, RoleLearner
	// or "" (none).
	Role Role
}

// Teaches reports whether the actor may manage the course: its teachers and
// the admins of its school.
func (r Relation) Teaches() bool { return r.Admin || r.Role == RoleTeacher }

// Course is the course's id.
func (r Relation) Course() uuid.UUID { return r.CourseID }

// Learns reports whether the actor is a learner on the course.
func (r Relation) Learns() bool { return r.Role == RoleLearner }

// Visible reports whether the actor may see the course at all: staff of it
// always; learners only once it is published (archived courses stay
// readable to the learners who took them).
func (r Relation) Visible() bool {
	return r.Teaches() || r.Role == RoleLearner && r.Status != Draft
}

// relationSQL reads the course and the actor's standing in one statement.
const relationSQL = `
SELECT c.school_id, c.status,
  EXISTS (SELECT 1 FROM role_assignments ra
          WHERE ra.person_id = @actor AND ra.role = 'admin' AND (ra.school_id IS NULL OR ra.school_id = c.school_id)) AS admin,
  COALESCE((SELECT e.role FROM enrolments e WHERE e.course_id = c.id AND e.person_id = @actor), '') AS role
FROM courses c WHERE c.id = @course`

// relatedCourse is a course read together with the actor's relation to it.
type relatedCourse struct {
	Course
	Admin bool
	Role  Role
}

// relateWithCourse is Relate that also returns the course row, in the same
// single statement (the course page's hot path).
func relateWithCourse(tx *gorm.DB, sc access.Scope, course uuid.UUID) (Course, Relation, error) {
	r := Relation{TenantID: sc.Tenant(), CourseID: course}
	if err := mayRelate(sc, course); err != nil {
		return Course{}, r, err
	}
	var rc relatedCourse
	res := tx.Raw(`SELECT c.*,
  EXISTS (SELECT 1 FROM role_assignments ra
          WHERE ra.person_id = @actor AND ra.role = 'admin' AND (ra.school_id IS NULL OR ra.school_id = c.school_id)) AS admin,
  COALESCE((SELECT e.role FROM enrolments e WHERE e.course_id = c.id AND e.person_id = @actor), '') AS role
FROM courses c WHERE c.id = @course`, map[string]any{"actor": sc.Actor().ID, "course": course}).Scan(&rc)
	if res.Error != nil {
		return Course{}, r, fmt.Errorf("course %s: relation: %w", course, res.Error)
	}
	r.SchoolID, r.Status, r.Admin, r.Role = rc.SchoolID, rc.Status, rc.Admin || sc.Reader(), rc.Role
	if res.RowsAffected == 0 || !r.Visible() {
		return Course{}, r, errs.New(errs.ErrNotFound, "course %s", course)
	}
	rc.Course.MyRole = myRole(r)
	return rc.Course, r, nil
}

// Relate returns the actor's relation to course inside an open scoped
// transaction. A course the actor may not see is ErrNotFound, exactly like
// one that does not exist: a teacher learns nothing of courses they do not
// teach, a learner nothing of drafts.
func Relate(tx *gorm.DB, sc access.Scope, course uuid.UUID) (Relation, error) {
	r := Relation{TenantID: sc.Tenant(), CourseID: course}
	if err := mayRelate(sc, course); err != nil {
		return r, err
	}
	res := tx.Raw(relationSQL, map[string]any{"actor": sc.Actor().ID, "course": course}).Row()
	if err := res.Scan(&r.SchoolID, &r.Status, &r.Admin, &r.Role); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, errs.New(errs.ErrNotFound, "course %s", course)
		}
		return r, fmt.Errorf("course %s: relation: %w", course, err)
	}
	r.Admin = r.Admin || sc.Reader()
	if !r.Visible() {
		return r, errs.New(errs.ErrNotFound, "course %s", course)
	}
	return r, nil
}

// mayRelate refuses actors that cannot stand in relation to a course:
// anyone but members, and readers (support grants) outside their courses.
// A reader within its limits sees the course as its school's admin would;
// its transaction is read-only, so it can change nothing, unless it is an
// integration the authorizer let through with courses:write.
func mayRelate(sc access.Scope, course uuid.UUID) error {
	if sc.Reader() {
		if ids, limited := sc.Courses(); limited && !slices.Contains(ids, course) {
			return errs.New(errs.ErrNotFound, "course %s: outside the grant", course)
		}
		return nil
	}
	if sc.Actor().Kind != access.ActorMember {
		return errs.New(errs.ErrForbidden, "course %s: only members relate to courses", course)
	}
	return nil
}

// ReaderCourses is the course limit of a reader as a PostgreSQL array
// literal for "CAST(@courses AS uuid[])": nil (every course) unless the
// scope is a reader narrowed to some courses.
func ReaderCourses(sc access.Scope) *string {
	ids, limited := sc.Courses()
	if !sc.Reader() || !limited {
		return nil
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	s := "{" + strings.Join(parts, ",") + "}"
	return &s
}

// RequireTeach is Relate for changes: only the course's teachers and its
// school's admins. A learner of the course gets ErrForbidden (they know it
// exists); anyone else ErrNotFound.
func RequireTeach(tx *gorm.DB, sc access.Scope, course uuid.UUID) (Relation, error) {
	r, err := Relate(tx, sc, course)
	if err != nil {
		return r, err
	}
	if !r.Teaches() {
		return r, errs.New(errs.ErrForbidden, "only the course's teachers and its school's admins may do this")
	}
	return r, nil
}
