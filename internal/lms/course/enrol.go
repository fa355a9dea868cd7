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

// Enrol puts a person on a course as teacher or learner, or changes their
// role there. The person must belong to the course's school (a role there
// or tenant-wide). The school's admins may; so may the course's teachers,
// for learners of the school, where it allows them (mayEnrol).
func (s *Service) Enrol(ctx context.Context, sc access.Scope, courseID, person uuid.UUID, role Role) (e Enrolment, err error) {
	if role != RoleTeacher && role != RoleLearner {
		return e, errs.Field("role", "must be one of: teacher learner")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := mayEnrol(tx, sc, courseID, role)
		if err != nil {
			return err
		}
		member := `SELECT EXISTS (SELECT 1 FROM people p JOIN role_assignments ra ON ra.person_id = p.id
			WHERE p.id = @p AND (ra.school_id IS NULL OR ra.school_id = @school))`
		if !rel.Admin {
			member = `SELECT EXISTS (SELECT 1 FROM people p WHERE p.id = @p AND ` + schoolLearner + `)`
		}
		var ok bool
		if err := tx.Raw(member, map[string]any{"p": person, "school": rel.SchoolID}).Row().Scan(&ok); err != nil {
			return fmt.Errorf("course: enrol check: %w", err)
		}
		if !ok {
			return errs.New(errs.ErrNotFound, "person %s is not a member of the course's school", person)
		}
		err = tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (app_tenant_id(), ?, ?, ?)
			ON CONFLICT (tenant_id, course_id, person_id) DO UPDATE SET role = EXCLUDED.role`, courseID, person, role).Error
		if err != nil {
			return fmt.Errorf("course: enrol: %w", err)
		}
		return tx.Raw(`SELECT e.*, p.display_name FROM enrolments e JOIN people p ON p.id = e.person_id
			WHERE e.course_id = ? AND e.person_id = ?`, courseID, person).Scan(&e).Error
	})
	return e, err
}

// Unenrol takes a person off a course (and its groups). Their work on the
// course stays: it is the school's record, kept or erased by its rules.
// The course's teachers may take learners off where they may enrol them.
func (s *Service) Unenrol(ctx context.Context, sc access.Scope, courseID, person uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var cur []struct{ Role Role }
		if err := tx.Raw(`SELECT role FROM enrolments WHERE course_id = ? AND person_id = ?`, courseID, person).Scan(&cur).Error; err != nil {
			return fmt.Errorf("course: unenrol: %w", err)
		}
		role := RoleLearner
		if len(cur) > 0 {
			role = cur[0].Role
		}
		if _, err := mayEnrol(tx, sc, courseID, role); err != nil {
			return err
		}
		return database.Found(tx.Exec(`DELETE FROM enrolments WHERE course_id = ? AND person_id = ?`, courseID, person), "enrolment")
	})
}

// Enrolments lists who is on a course, by person id, for its teachers and
// school admins. role and query (words in the name) filter.
func (s *Service) Enrolments(ctx context.Context, sc access.Scope, courseID uuid.UUID, role Role, query string, after uuid.UUID, limit int) ([]Enrolment, error) {
	out := []Enrolment{}
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(query)
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		return tx.Raw(`SELECT e.*, p.display_name FROM enrolments e JOIN people p ON p.id = e.person_id
			WHERE e.course_id = @c AND e.person_id > @after AND (@role = '' OR e.role = @role)
			  AND (@q = '' OR p.display_name ILIKE '%' || @q || '%')
			ORDER BY e.person_id LIMIT @limit`,
			map[string]any{"c": courseID, "after": after, "role": role, "q": q, "limit": limit}).Scan(&out).Error
	})
	return out, err
}

// NewGroup names a teaching group.
type NewGroup struct {
	Name string `json:"name" binding:"required,max=100"`
}

// CreateGroup adds a teaching group to a course.
func (s *Service) CreateGroup(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewGroup) (g Group, err error) {
	var fe errs.FieldErrors
	name := fe.Line("name", in.Name, 1, 100)
	if err := fe.Err(); err != nil {
		return g, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		g = Group{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Name: name, Members: []uuid.UUID{}}
		return translate(tx.Create(&g).Error, "name", "is already the name of a group on this course")
	})
	return g, err
}

// Groups lists a course's teaching groups with their members.
func (s *Service) Groups(ctx context.Context, sc access.Scope, courseID uuid.UUID, after uuid.UUID, limit int) ([]Group, error) {
	out := []Group{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		if err := tx.Where("course_id = ? AND id > ?", courseID, after).Order("id").Limit(limit).Find(&out).Error; err != nil {
			return fmt.Errorf("course: groups: %w", err)
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]uuid.UUID, len(out))
		at := map[uuid.UUID]int{}
		for i := range out {
			ids[i], at[out[i].ID] = out[i].ID, i
			out[i].Members = []uuid.UUID{}
		}
		var ms []struct{ GroupID, PersonID uuid.UUID }
		if err := tx.Table("teaching_group_members").Where("group_id IN ?", ids).Order("person_id").Find(&ms).Error; err != nil {
			return fmt.Errorf("course: group members: %w", err)
		}
		for _, m := range ms {
			out[at[m.GroupID]].Members = append(out[at[m.GroupID]].Members, m.PersonID)
		}
		return nil
	})
	return out, err
}

// groupRel finds a group and requires the actor to teach its course.
func groupRel(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Group, error) {
	var g Group
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&g), "group %s", id); err != nil {
		return g, err
	}
	_, err := RequireTeach(tx, sc, g.CourseID)
	return g, err
}

// DeleteGroup removes a teaching group (not its members' enrolments).
func (s *Service) DeleteGroup(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := groupRel(tx, sc, id); err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM teaching_groups WHERE id = ?`, id).Error
	})
}

// AddMember puts a person enrolled on the group's course into the group.
func (s *Service) AddMember(ctx context.Context, sc access.Scope, id, person uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		g, err := groupRel(tx, sc, id)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Table("enrolments").Where("course_id = ? AND person_id = ?", g.CourseID, person).Count(&n).Error; err != nil {
			return fmt.Errorf("course: member check: %w", err)
		}
		if n == 0 {
			return errs.New(errs.ErrNotFound, "person %s is not on this course", person)
		}
		return tx.Exec(`INSERT INTO teaching_group_members (tenant_id, group_id, course_id, person_id)
			VALUES (app_tenant_id(), ?, ?, ?) ON CONFLICT DO NOTHING`, id, g.CourseID, person).Error
	})
}

// RemoveMember takes a person out of a group.
func (s *Service) RemoveMember(ctx context.Context, sc access.Scope, id, person uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := groupRel(tx, sc, id); err != nil {
			return err
		}
		return database.Found(tx.Exec(`DELETE FROM teaching_group_members WHERE group_id = ? AND person_id = ?`, id, person), "group member")
	})
}
