package course

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Enrolment by teachers: where the school allows it (schools.teachers_enrol,
// default yes), a course's teachers put learners of the course's school on
// it: found by part of a name, username or class, or a whole class (another
// course of the school) or teaching group at once. Only the school's
// learners are ever listed or enrolled: row-level security keeps other
// tenants out, and every statement here names the course's school.

// mayEnrol is Relate for enrolment changes: the course's school admins in
// any role; its teachers, learners only, where the school allows it.
func mayEnrol(tx *gorm.DB, sc access.Scope, course uuid.UUID, role Role) (Relation, error) {
	rel, err := Relate(tx, sc, course)
	if err != nil || rel.Admin {
		return rel, err
	}
	if rel.Role != RoleTeacher {
		return rel, errs.New(errs.ErrForbidden, "only the course's teachers and the school's admins may change who is on a course")
	}
	if role != RoleLearner {
		return rel, errs.New(errs.ErrForbidden, "teachers enrol learners; the school's admins add teachers")
	}
	may, err := teachersEnrol.of(tx, rel.SchoolID)
	if err != nil {
		return rel, err
	}
	if !may {
		return rel, errs.New(errs.ErrForbidden, "your school's admins enrol learners here: ask them to add people to the course")
	}
	return rel, nil
}

// TeachersEnrol says whether the school's teachers may enrol its learners
// on their courses.
func (s *Service) TeachersEnrol(ctx context.Context, sc access.Scope, school uuid.UUID) (bool, error) {
	return s.setting(ctx, sc, teachersEnrol, school)
}

// SetTeachersEnrol changes whether a course's teachers may enrol the
// school's learners on it.
func (s *Service) SetTeachersEnrol(ctx context.Context, sc access.Scope, school uuid.UUID, may bool) error {
	return s.setSetting(ctx, sc, teachersEnrol, school, may)
}

// Candidate is a learner of the course's school a teacher may enrol.
type Candidate struct {
	PersonID    uuid.UUID `json:"person_id"`
	DisplayName string    `json:"display_name"`
	Username    string    `json:"username"`
	// Classes are the school's courses the person learns on (at most three).
	Classes  string `json:"classes"`
	OnCourse bool   `json:"on_course"`
}

// MaxCandidates is the most a search lists.
const MaxCandidates = 50

// schoolLearner is the condition that person p holds the learner role in
// the school @school: the one filter every list and insert here shares.
const schoolLearner = `EXISTS (SELECT 1 FROM role_assignments ra
	WHERE ra.person_id = p.id AND ra.role = 'learner' AND ra.school_id = @school)`

// Candidates finds active learners of the course's school whose name or
// username contains query, or who learn on a class (a course of the
// school) or teaching group whose name contains it; those already on the
// course say so. For whoever may enrol learners on the course.
func (s *Service) Candidates(ctx context.Context, sc access.Scope, courseID uuid.UUID, query string) ([]Candidate, error) {
	return s.CandidatePage(ctx, sc, courseID, query, database.Page{Limit: MaxCandidates})
}

// candidateOrder lists candidates by name, then id.
var candidateOrder = database.Keyset{Key: "p.display_name", Cast: "text", ID: "p.id"}

// At is where a candidate sits in the order CandidatePage lists them.
func (c Candidate) At() (string, uuid.UUID) { return c.DisplayName, c.PersonID }

// CandidatePage is a page of the school's learners that match query, by
// name, at most MaxCandidates of them.
func (s *Service) CandidatePage(ctx context.Context, sc access.Scope, courseID uuid.UUID, query string, pg database.Page) ([]Candidate, error) {
	if pg.Limit <= 0 || pg.Limit > MaxCandidates {
		pg.Limit = MaxCandidates
	}
	query = strings.TrimSpace(query)
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(query)
	out := []Candidate{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := mayEnrol(tx, sc, courseID, RoleLearner)
		if err != nil {
			return err
		}
		// The course first: another's course is not found, whatever q is.
		if n := len([]rune(query)); n < 2 || n > 100 || errs.HasControl(query) {
			return errs.Field("q", "must be 2 to 100 characters")
		}
		return tx.Raw(`SELECT p.id AS person_id, p.display_name, p.username,
			  COALESCE((SELECT string_agg(title, ', ') FROM (SELECT c2.title FROM enrolments e2 JOIN courses c2 ON c2.id = e2.course_id
			     WHERE e2.person_id = p.id AND e2.role = 'learner' AND c2.school_id = @school AND c2.id <> @course
			     ORDER BY c2.title LIMIT 3) t), '') AS classes,
			  EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = @course AND e.person_id = p.id) AS on_course
			FROM people p
			WHERE p.status = 'active' AND `+schoolLearner+`
			  AND (p.display_name ILIKE '%' || @q || '%' OR p.username ILIKE '%' || @q || '%'
			    OR EXISTS (SELECT 1 FROM enrolments e3 JOIN courses c3 ON c3.id = e3.course_id
			      WHERE e3.person_id = p.id AND e3.role = 'learner' AND c3.school_id = @school AND c3.title ILIKE '%' || @q || '%')
			    OR EXISTS (SELECT 1 FROM teaching_group_members m JOIN teaching_groups g ON g.id = m.group_id JOIN courses c4 ON c4.id = g.course_id
			      WHERE m.person_id = p.id AND c4.school_id = @school AND g.name ILIKE '%' || @q || '%'))
			  AND `+candidateOrder.Cond(pg)+candidateOrder.Tail(pg),
			pg.Args(map[string]any{"school": rel.SchoolID, "course": courseID, "q": q})).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("course: candidates for %s: %w", courseID, err)
	}
	return out, nil
}

// Source kinds: a whole class (another course of the school) or one
// teaching group of a course of the school.
const (
	SourceClass = "class"
	SourceGroup = "group"
)

// Source is a class or teaching group whose learners may be enrolled at
// once.
type Source struct {
	Kind     string    `json:"kind"`
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"`
	Course   string    `json:"course,omitempty"` // a group's course
	Learners int       `json:"learners"`         // the school's learners in it
}

// Sources lists the classes and teaching groups of the course's school
// (not the course itself) whose name contains query (all, up to 50, when
// it is empty), with how many of the school's learners each holds.
func (s *Service) Sources(ctx context.Context, sc access.Scope, courseID uuid.UUID, query string) ([]Source, error) {
	return s.SourcePage(ctx, sc, courseID, query, database.Page{Limit: 50})
}

// sourceOrder lists classes, then groups, each by name, then id.
var sourceOrder = database.Keyset{Key: "kind || ' ' || name", Cast: "text", ID: "id"}

// At is where a source sits in the order SourcePage lists them.
func (src Source) At() (string, uuid.UUID) { return src.Kind + " " + src.Name, src.ID }

// SourcePage is a page of the classes and groups whose learners may be
// enrolled at once, classes first, by name.
func (s *Service) SourcePage(ctx context.Context, sc access.Scope, courseID uuid.UUID, query string, pg database.Page) ([]Source, error) {
	query = strings.TrimSpace(query)
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(query)
	out := []Source{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := mayEnrol(tx, sc, courseID, RoleLearner)
		if err != nil {
			return err
		}
		if len([]rune(query)) > 100 || errs.HasControl(query) {
			return errs.Field("q", "must be at most 100 characters")
		}
		return tx.Raw(`SELECT * FROM (
			  SELECT 'class' AS kind, c.id, c.title AS name, '' AS course,
			    (SELECT count(*) FROM enrolments e JOIN people p ON p.id = e.person_id
			     WHERE e.course_id = c.id AND e.role = 'learner' AND `+schoolLearner+`) AS learners
			  FROM courses c WHERE c.school_id = @school AND c.id <> @course AND c.status <> 'archived'
			    AND (@q = '' OR c.title ILIKE '%' || @q || '%')
			  UNION ALL
			  SELECT 'group', g.id, g.name, c.title,
			    (SELECT count(*) FROM teaching_group_members m JOIN people p ON p.id = m.person_id
			     JOIN enrolments e ON e.course_id = g.course_id AND e.person_id = m.person_id AND e.role = 'learner'
			     WHERE m.group_id = g.id AND `+schoolLearner+`)
			  FROM teaching_groups g JOIN courses c ON c.id = g.course_id
			  WHERE c.school_id = @school AND c.status <> 'archived' AND (@q = '' OR g.name ILIKE '%' || @q || '%' OR c.title ILIKE '%' || @q || '%')
			) s WHERE learners > 0 AND `+sourceOrder.Cond(pg)+sourceOrder.Tail(pg),
			pg.Args(map[string]any{"school": rel.SchoolID, "course": courseID, "q": q})).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("course: sources for %s: %w", courseID, err)
	}
	return out, nil
}

// MaxEnrolAtOnce is the most people one request enrols by id.
const MaxEnrolAtOnce = 200

// EnrolLearners puts people on a course as learners; each must be a
// learner of the course's school (else nothing is enrolled: not found).
// Those already on the course keep their role. It returns how many were
// added.
func (s *Service) EnrolLearners(ctx context.Context, sc access.Scope, courseID uuid.UUID, people []uuid.UUID) (added int, err error) {
	if len(people) == 0 {
		return 0, errs.Field("people", "tick at least one person")
	}
	if len(people) > MaxEnrolAtOnce {
		return 0, errs.Field("people", "at most 200 at once")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := mayEnrol(tx, sc, courseID, RoleLearner)
		if err != nil {
			return err
		}
		args := map[string]any{"school": rel.SchoolID, "course": courseID, "ids": people}
		var ok int
		if err := tx.Raw(`SELECT count(*) FROM people p WHERE p.id IN @ids AND `+schoolLearner, args).Row().Scan(&ok); err != nil {
			return fmt.Errorf("course: enrol check: %w", err)
		}
		if ok != len(uniq(people)) {
			return errs.New(errs.ErrNotFound, "%d of the people are not learners of the course's school", len(uniq(people))-ok)
		}
		res := tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role)
			SELECT app_tenant_id(), @course, p.id, 'learner' FROM people p WHERE p.id IN @ids AND `+schoolLearner+`
			ON CONFLICT (tenant_id, course_id, person_id) DO NOTHING`, args)
		if res.Error != nil {
			return fmt.Errorf("course: enrol: %w", res.Error)
		}
		added = int(res.RowsAffected)
		return nil
	})
	return added, err
}

// EnrolSource puts every learner of the school in a class or teaching
// group (a Source of the course's school) on the course at once. It
// returns how many were added.
func (s *Service) EnrolSource(ctx context.Context, sc access.Scope, courseID uuid.UUID, kind string, id uuid.UUID) (added int, err error) {
	var from string
	switch kind {
	case SourceClass:
		from = `SELECT e.person_id FROM enrolments e JOIN courses c ON c.id = e.course_id
			WHERE c.id = @source AND c.school_id = @school AND e.role = 'learner'`
	case SourceGroup:
		from = `SELECT m.person_id FROM teaching_group_members m JOIN teaching_groups g ON g.id = m.group_id
			JOIN courses c ON c.id = g.course_id
			JOIN enrolments e ON e.course_id = g.course_id AND e.person_id = m.person_id AND e.role = 'learner'
			WHERE g.id = @source AND c.school_id = @school`
	default:
		return 0, errs.Field("kind", "must be one of: class group")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := mayEnrol(tx, sc, courseID, RoleLearner)
		if err != nil {
			return err
		}
		args := map[string]any{"school": rel.SchoolID, "course": courseID, "source": id}
		var n int64
		q := `SELECT count(*) FROM courses WHERE id = @source AND school_id = @school`
		if kind == SourceGroup {
			q = `SELECT count(*) FROM teaching_groups g JOIN courses c ON c.id = g.course_id WHERE g.id = @source AND c.school_id = @school`
		}
		if err := tx.Raw(q, args).Row().Scan(&n); err != nil {
			return fmt.Errorf("course: enrol source: %w", err)
		}
		if n == 0 {
			return errs.New(errs.ErrNotFound, "%s %s is not one of the course's school", kind, id)
		}
		res := tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role)
			SELECT app_tenant_id(), @course, p.id, 'learner' FROM people p
			WHERE p.id IN (`+from+`) AND p.status = 'active' AND `+schoolLearner+`
			ON CONFLICT (tenant_id, course_id, person_id) DO NOTHING`, args)
		if res.Error != nil {
			return fmt.Errorf("course: enrol %s: %w", kind, res.Error)
		}
		added = int(res.RowsAffected)
		return nil
	})
	return added, err
}

func uniq(ids []uuid.UUID) map[uuid.UUID]bool {
	set := map[uuid.UUID]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return set
}
