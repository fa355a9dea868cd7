package course_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// enrolBundle is teachingBundle with what a search must never find: a
// learner of a second school of the same tenant, in a class there, and a
// whole second tenant whose people have the same names.
type enrolBundle struct {
	svc                *course.Service
	db                 *database.DB
	c                  lmstest.Course
	admin              uuid.UUID // the school's admin
	french, rivalClass uuid.UUID // a class of the school; a class of the second school
	rival              uuid.UUID // learner of the second school
	other              lmstest.Course
}

func enrolSetup(t *testing.T) enrolBundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	r, err := tenant.NewService(db.App, nil, true).Apply(ctx, apptest.Manifest("tenant-a", "uk"), uuid.Nil)
	require.NoError(t, err)
	b := enrolBundle{svc: course.NewService(db.App, nil), db: db.App, c: lmstest.NewCourse(t, db.App, r.TenantID, "a-")}
	sys := access.System(b.c.Tenant, "test-setup")
	require.NoError(t, access.Transact(ctx, b.db, sys, func(tx *gorm.DB) error {
		head, err := identity.CreatePersonTx(tx, b.c.Tenant, identity.NewPerson{Username: "head", DisplayName: "Head"})
		require.NoError(t, err)
		b.admin = head.ID
		_, err = identity.AssignRoleTx(tx, b.c.Tenant, head.ID, identity.RoleAdmin, &b.c.School)
		require.NoError(t, err)
		school2 := uuid.Must(uuid.NewV7())
		require.NoError(t, tx.Exec(`INSERT INTO schools (tenant_id, id, slug, name) VALUES (?, ?, 'rival', 'Rival school')`, b.c.Tenant, school2).Error)
		p, err := identity.CreatePersonTx(tx, b.c.Tenant, identity.NewPerson{Username: "a-rival-learner", DisplayName: "a- rival learner"})
		require.NoError(t, err)
		b.rival = p.ID
		_, err = identity.AssignRoleTx(tx, b.c.Tenant, p.ID, identity.RoleLearner, &school2)
		require.NoError(t, err)
		b.french, b.rivalClass = uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		require.NoError(t, tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, 'Year 8 French', 'published'), (?, ?, ?, 'Year 8 French rival', 'published')`,
			b.c.Tenant, b.french, b.c.School, b.c.Tenant, b.rivalClass, school2).Error)
		return tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (?, ?, ?, 'learner'), (?, ?, ?, 'learner')`,
			b.c.Tenant, b.french, b.c.Outsider.ID, b.c.Tenant, b.rivalClass, b.rival).Error
	}))
	r, err = tenant.NewService(b.db, nil, true).Apply(ctx, apptest.Manifest("tenant-b", "uk"), uuid.Nil)
	require.NoError(t, err)
	b.other = lmstest.NewCourse(t, b.db, r.TenantID, "a-")
	return b
}

func names(cs []course.Candidate) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Username)
	}
	return out
}

// A course's teachers find and enrol learners of their own school only:
// by name, username or class, or a whole class or teaching group at once.
// Nobody of another school or another tenant is ever listed or enrolled.
func TestTeachersEnrolLearnersOfTheirOwnSchool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := enrolSetup(t)
	teacher := b.c.Teacher.Scope(b.c.Tenant)

	// "a-" is in every username of both tenants: only the school's learners come back.
	got, err := b.svc.Candidates(ctx, teacher, b.c.ID, "a-")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a-learner", "a-learner2", "a-outsider"}, names(got), "learners of this school only: no teachers, no other school, no other tenant")
	for _, c := range got {
		require.Equal(t, c.Username != "a-outsider", c.OnCourse, c.Username)
	}
	got, err = b.svc.Candidates(ctx, teacher, b.c.ID, "rival")
	require.NoError(t, err)
	require.Empty(t, got, "the other school's learner is not found by name nor by class")
	got, err = b.svc.Candidates(ctx, teacher, b.c.ID, "8 fre")
	require.NoError(t, err)
	require.Equal(t, []string{"a-outsider"}, names(got), "found by class")
	require.Equal(t, "Year 8 French", got[0].Classes)
	_, err = b.svc.Candidates(ctx, teacher, b.c.ID, "a")
	require.ErrorIs(t, err, errs.ErrInvalid, "two characters at least")

	// The other tenant's teacher, naming this course, finds nothing.
	_, err = b.svc.Candidates(ctx, b.other.Teacher.Scope(b.other.Tenant), b.c.ID, "a-")
	require.ErrorIs(t, err, errs.ErrNotFound)
	got, err = b.svc.Candidates(ctx, b.other.Teacher.Scope(b.other.Tenant), b.other.ID, "a-")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a-learner", "a-learner2", "a-outsider"}, names(got))
	for _, c := range got {
		require.NotEqual(t, b.c.Outsider.ID, c.PersonID, "tenant B's search lists only B's people")
	}

	// Nobody of another school or tenant is enrolled by id.
	_, err = b.svc.EnrolLearners(ctx, teacher, b.c.ID, []uuid.UUID{b.c.Outsider.ID, b.rival})
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.EnrolLearners(ctx, teacher, b.c.ID, []uuid.UUID{b.other.Outsider.ID})
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.Enrol(ctx, teacher, b.c.ID, b.rival, course.RoleLearner)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = b.svc.EnrolSource(ctx, teacher, b.c.ID, course.SourceClass, b.rivalClass)
	require.ErrorIs(t, err, errs.ErrNotFound, "nor a class of another school")
	n, err := b.svc.EnrolLearners(ctx, teacher, b.c.ID, []uuid.UUID{b.c.Outsider.ID, b.c.Learner.ID})
	require.NoError(t, err)
	require.Equal(t, 1, n, "who is on the course already stays as they are")
	require.NoError(t, b.svc.Unenrol(ctx, teacher, b.c.ID, b.c.Outsider.ID))

	// A whole class, and a teaching group, at once.
	src, err := b.svc.Sources(ctx, teacher, b.c.ID, "french")
	require.NoError(t, err)
	require.Len(t, src, 1, "the other school's class is not offered")
	require.Equal(t, course.Source{Kind: course.SourceClass, ID: b.french, Name: "Year 8 French", Learners: 1}, src[0])
	n, err = b.svc.EnrolSource(ctx, teacher, b.c.ID, course.SourceClass, b.french)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	g, err := b.svc.CreateGroup(ctx, access.Member(b.c.Tenant, b.admin), b.french, course.NewGroup{Name: "8F set 2"})
	require.NoError(t, err)
	require.NoError(t, b.svc.AddMember(ctx, access.Member(b.c.Tenant, b.admin), g.ID, b.c.Outsider.ID))
	require.NoError(t, b.svc.Unenrol(ctx, teacher, b.c.ID, b.c.Outsider.ID))
	got, err = b.svc.Candidates(ctx, teacher, b.c.ID, "set 2")
	require.NoError(t, err)
	require.Equal(t, []string{"a-outsider"}, names(got), "found by teaching group")
	n, err = b.svc.EnrolSource(ctx, teacher, b.c.ID, course.SourceGroup, g.ID)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// Teachers enrol only learners, only on courses they teach, only where the
// school allows it; only admins change that, and admins always may enrol.
func TestTeachersEnrolWhereTheSchoolAllows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := enrolSetup(t)
	teacher, admin := b.c.Teacher.Scope(b.c.Tenant), access.Member(b.c.Tenant, b.admin)

	may, err := b.svc.TeachersEnrol(ctx, admin, b.c.School)
	require.NoError(t, err)
	require.True(t, may, "teachers enrol by default")
	_, err = b.svc.Enrol(ctx, teacher, b.c.ID, b.c.OtherTeacher.ID, course.RoleTeacher)
	require.ErrorIs(t, err, errs.ErrForbidden, "teachers enrol learners, not teachers")
	require.ErrorIs(t, b.svc.Unenrol(ctx, teacher, b.c.ID, b.c.Teacher.ID), errs.ErrForbidden, "nor take teachers off")
	_, err = b.svc.EnrolLearners(ctx, b.c.Learner.Scope(b.c.Tenant), b.c.ID, []uuid.UUID{b.c.Outsider.ID})
	require.ErrorIs(t, err, errs.ErrForbidden, "learners enrol nobody")
	_, err = b.svc.EnrolLearners(ctx, b.c.OtherTeacher.Scope(b.c.Tenant), b.c.ID, []uuid.UUID{b.c.Outsider.ID})
	require.ErrorIs(t, err, errs.ErrNotFound, "a teacher of another course does not see this one")

	require.ErrorIs(t, b.svc.SetTeachersEnrol(ctx, teacher, b.c.School, false), errs.ErrForbidden)
	require.NoError(t, b.svc.SetTeachersEnrol(ctx, admin, b.c.School, false))
	_, err = b.svc.Candidates(ctx, teacher, b.c.ID, "a-")
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.EnrolLearners(ctx, teacher, b.c.ID, []uuid.UUID{b.c.Outsider.ID})
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = b.svc.Enrol(ctx, teacher, b.c.ID, b.c.Outsider.ID, course.RoleLearner)
	require.ErrorIs(t, err, errs.ErrForbidden)
	n, err := b.svc.EnrolLearners(ctx, admin, b.c.ID, []uuid.UUID{b.c.Outsider.ID})
	require.NoError(t, err)
	require.Equal(t, 1, n, "admins always may")
}
