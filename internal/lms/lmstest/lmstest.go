// Package lmstest sets up a school with a course for the learning
// packages' tests: real PostgreSQL rows made through the same scoped
// transactions the services use, so each package can test its own service
// without going through another's API.
package lmstest

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// Password is every fixture person's password.
const Password = "fixture-password-1"

// Person is a fixture member.
type Person struct {
	ID       uuid.UUID
	Username string
}

// Scope is the person's member scope in tenant.
func (p Person) Scope(tenant uuid.UUID) access.Scope { return access.Member(tenant, p.ID) }

// Course is a published course with one section, a teacher, two learners,
// a teacher of the same school who does not teach it, and a learner who is
// not enrolled.
type Course struct {
	Tenant, School, ID, Section uuid.UUID
	Teacher, Learner, Learner2  Person
	OtherTeacher, Outsider      Person
}

// NewCourse makes the fixture in tenant (which must exist and have a
// school). prefix keeps usernames unique when a test makes several.
func NewCourse(t testing.TB, db *database.DB, tenant uuid.UUID, prefix string) Course {
	t.Helper()
	c := Course{Tenant: tenant, ID: uuid.Must(uuid.NewV7()), Section: uuid.Must(uuid.NewV7())}
	err := access.Transact(context.Background(), db, access.System(tenant, "test-setup"), func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT id FROM schools ORDER BY created_at, id LIMIT 1`).Row().Scan(&c.School); err != nil {
			return err
		}
		mk := func(name string, role identity.Role) Person {
			p, err := identity.CreatePersonTx(tx, tenant, identity.NewPerson{Username: prefix + name, DisplayName: prefix + " " + name, Password: Password})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, tenant, p.ID, role, &c.School)
			require.NoError(t, err)
			return Person{ID: p.ID, Username: p.Username}
		}
		c.Teacher, c.OtherTeacher = mk("teacher", identity.RoleTeacher), mk("other-teacher", identity.RoleTeacher)
		c.Learner, c.Learner2 = mk("learner", identity.RoleLearner), mk("learner2", identity.RoleLearner)
		c.Outsider = mk("outsider", identity.RoleLearner)
		if err := tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, ?, 'published')`,
			tenant, c.ID, c.School, prefix+" course").Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO course_sections (tenant_id, id, course_id, title, position) VALUES (?, ?, ?, 'Week 1', 0)`,
			tenant, c.Section, c.ID).Error; err != nil {
			return err
		}
		for _, e := range []struct {
			p    Person
			role string // enrolments.role (not importing course keeps its in-package tests free to use this)
		}{{c.Teacher, "teacher"}, {c.Learner, "learner"}, {c.Learner2, "learner"}} {
			if err := tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (?, ?, ?, ?)`,
				tenant, c.ID, e.p.ID, e.role).Error; err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	return c
}
