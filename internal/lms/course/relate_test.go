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
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Relate is the rule every learning package asks first: how the acting
// person stands to one course, and whether they may see or manage it.
func TestRelate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// testBundle is tenant A, a trust of two schools with a course in the
	// first, and tenant B, a school with a course of its own.
	type testBundle struct {
		db   *dbtest.DB
		svc  *course.Service
		a, b lmstest.Course
		// Admins in A: of the course's school, of the other school, of
		// the whole trust.
		schoolAdmin, otherAdmin, trustAdmin uuid.UUID
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		db := dbtest.New(t)
		trust := apptest.Manifest("tenant-a", "uk")
		trust.Kind = "trust"
		trust.Schools = append(trust.Schools, tenant.SchoolSpec{Slug: "second", Name: "Second school"})
		tenants := tenant.NewService(db.App, nil, true)
		ra, err := tenants.Apply(ctx, trust, uuid.Nil)
		require.NoError(t, err)
		rb, err := tenants.Apply(ctx, apptest.Manifest("tenant-b", "ie"), uuid.Nil)
		require.NoError(t, err)
		b := &testBundle{db: db, svc: course.NewService(db.App, nil),
			a: lmstest.NewCourse(t, db.App, ra.TenantID, "a-"), b: lmstest.NewCourse(t, db.App, rb.TenantID, "b-")}
		require.NoError(t, access.Transact(ctx, db.App, access.System(b.a.Tenant, "test-setup"), func(tx *gorm.DB) error {
			var second uuid.UUID
			if err := tx.Raw(`SELECT id FROM schools WHERE id <> ?`, b.a.School).Row().Scan(&second); err != nil {
				return err
			}
			admin := func(name string, school *uuid.UUID) uuid.UUID {
				p, err := identity.CreatePersonTx(tx, b.a.Tenant, identity.NewPerson{Username: name, DisplayName: name})
				require.NoError(t, err)
				_, err = identity.AssignRoleTx(tx, b.a.Tenant, p.ID, "admin", school)
				require.NoError(t, err)
				return p.ID
			}
			b.schoolAdmin, b.otherAdmin, b.trustAdmin = admin("school-admin", &b.a.School), admin("other-admin", &second), admin("trust-admin", nil)
			return nil
		}))
		return b
	}

	relate := func(b *testBundle, sc access.Scope, id uuid.UUID) (r course.Relation, err error) {
		err = access.Transact(ctx, b.db.App, sc, func(tx *gorm.DB) error {
			r, err = course.Relate(tx, sc, id)
			return err
		})
		return r, err
	}
	requireTeach := func(b *testBundle, sc access.Scope, id uuid.UUID) error {
		return access.Transact(ctx, b.db.App, sc, func(tx *gorm.DB) error {
			_, err := course.RequireTeach(tx, sc, id)
			return err
		})
	}
	setStatus := func(t *testing.T, b *testBundle, status course.Status) {
		t.Helper()
		require.NoError(t, access.Transact(ctx, b.db.App, access.System(b.a.Tenant, "test"), func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE courses SET status = ? WHERE id = ?`, status, b.a.ID).Error
		}))
	}
	member := func(b *testBundle, person uuid.UUID) access.Scope { return access.Member(b.a.Tenant, person) }

	t.Run("TeacherTeaches", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r, err := relate(b, b.a.Teacher.Scope(b.a.Tenant), b.a.ID)
		require.NoError(t, err)
		require.Equal(t, "teacher", string(r.Role))
		require.Equal(t, b.a.School, r.SchoolID)
		require.True(t, r.Teaches())
		require.False(t, r.Learns())
		require.NoError(t, requireTeach(b, b.a.Teacher.Scope(b.a.Tenant), b.a.ID))
		ok, err := b.svc.Teaches(ctx, b.a.Teacher.Scope(b.a.Tenant), b.a.ID)
		require.NoError(t, err)
		require.True(t, ok)
	})

	t.Run("LearnerLearnsButMayNotTeach", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r, err := relate(b, b.a.Learner.Scope(b.a.Tenant), b.a.ID)
		require.NoError(t, err)
		require.True(t, r.Learns())
		require.False(t, r.Teaches())
		// They know the course exists, so the refusal says forbidden.
		require.ErrorIs(t, requireTeach(b, b.a.Learner.Scope(b.a.Tenant), b.a.ID), errs.ErrForbidden)
		ok, err := b.svc.Teaches(ctx, b.a.Learner.Scope(b.a.Tenant), b.a.ID)
		require.NoError(t, err)
		require.False(t, ok)
	})

	t.Run("OthersOfTheSchoolSeeNothing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for _, p := range []lmstest.Person{b.a.OtherTeacher, b.a.Outsider} {
			_, err := relate(b, p.Scope(b.a.Tenant), b.a.ID)
			require.ErrorIs(t, err, errs.ErrNotFound, p.Username)
			require.ErrorIs(t, requireTeach(b, p.Scope(b.a.Tenant), b.a.ID), errs.ErrNotFound, p.Username)
		}
		_, err := relate(b, b.a.Teacher.Scope(b.a.Tenant), uuid.Must(uuid.NewV7()))
		require.ErrorIs(t, err, errs.ErrNotFound, "no such course")
	})

	t.Run("DraftsAreHiddenFromLearners", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		setStatus(t, b, course.Draft)
		_, err := relate(b, b.a.Learner.Scope(b.a.Tenant), b.a.ID)
		require.ErrorIs(t, err, errs.ErrNotFound)
		_, err = relate(b, b.a.Teacher.Scope(b.a.Tenant), b.a.ID)
		require.NoError(t, err)
		// An archived course stays readable to the learners who took it.
		setStatus(t, b, course.Archived)
		r, err := relate(b, b.a.Learner.Scope(b.a.Tenant), b.a.ID)
		require.NoError(t, err)
		require.True(t, r.Learns())
	})

	t.Run("AdminsOfItsSchoolTeach", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		setStatus(t, b, course.Draft) // admins see drafts too
		for _, p := range []uuid.UUID{b.schoolAdmin, b.trustAdmin} {
			r, err := relate(b, member(b, p), b.a.ID)
			require.NoError(t, err)
			require.True(t, r.Admin)
			require.Empty(t, r.Role, "not enrolled")
			require.NoError(t, requireTeach(b, member(b, p), b.a.ID))
		}
		_, err := relate(b, member(b, b.otherAdmin), b.a.ID)
		require.ErrorIs(t, err, errs.ErrNotFound, "an admin of another school of the trust")
	})

	t.Run("OnlyMembersRelate", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := relate(b, access.System(b.a.Tenant, "test"), b.a.ID)
		require.ErrorIs(t, err, errs.ErrForbidden)
	})

	t.Run("ReaderKeepsToItsCourses", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		staff, grant := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		other := uuid.Must(uuid.NewV7())
		require.NoError(t, access.Transact(ctx, b.db.App, access.System(b.a.Tenant, "test"), func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, 'Other', 'draft')`,
				b.a.Tenant, other, b.a.School).Error
		}))
		narrow := access.Support(b.a.Tenant, staff, grant, []uuid.UUID{b.a.ID}, nil)
		r, err := relate(b, narrow, b.a.ID)
		require.NoError(t, err)
		require.True(t, r.Admin, "a reader sees the course as its school's admin would")
		_, err = relate(b, narrow, other)
		require.ErrorIs(t, err, errs.ErrNotFound, "outside the grant's courses")
		_, err = relate(b, access.Support(b.a.Tenant, staff, grant, nil, nil), other)
		require.NoError(t, err, "a grant without a course limit covers every course")
	})

	t.Run("TenantsDoNotSeeEachOther", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// Nobody of A, a trust-wide admin included, reaches B's course,
		// and B's teacher does not reach A's.
		for _, sc := range []access.Scope{member(b, b.trustAdmin), b.a.Teacher.Scope(b.a.Tenant),
			access.Support(b.a.Tenant, uuid.Nil, uuid.Nil, nil, nil)} {
			_, err := relate(b, sc, b.b.ID)
			require.ErrorIs(t, err, errs.ErrNotFound)
		}
		_, err := relate(b, b.b.Teacher.Scope(b.b.Tenant), b.a.ID)
		require.ErrorIs(t, err, errs.ErrNotFound)
		// A person's id in the other tenant's scope carries no enrolment.
		_, err = relate(b, access.Member(b.b.Tenant, b.a.Teacher.ID), b.a.ID)
		require.ErrorIs(t, err, errs.ErrNotFound)
		list, err := b.svc.List(ctx, member(b, b.trustAdmin), course.Filter{}, uuid.Nil, 50)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, b.a.ID, list[0].ID)
	})

	// The course page and the course list decide visibility with their own
	// SQL; they must agree with Relate for everyone, in every status.
	t.Run("PageAndListAgreeWithRelate", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		people := []uuid.UUID{b.a.Teacher.ID, b.a.Learner.ID, b.a.OtherTeacher.ID, b.a.Outsider.ID,
			b.schoolAdmin, b.otherAdmin, b.trustAdmin}
		for _, status := range []course.Status{course.Draft, course.Published, course.Archived} {
			setStatus(t, b, status)
			for _, p := range people {
				r, want := relate(b, member(b, p), b.a.ID)
				page, err := b.svc.Page(ctx, member(b, p), b.a.ID)
				require.Equal(t, want == nil, err == nil, "page: %s %s", status, p)
				list, err := b.svc.List(ctx, member(b, p), course.Filter{}, uuid.Nil, 50)
				require.NoError(t, err)
				require.Equal(t, want == nil, len(list) == 1, "list: %s %s", status, p)
				if want == nil {
					require.Equal(t, page.Course.MyRole, list[0].MyRole)
					require.Equal(t, r.Teaches(), page.Course.MyRole != "learner")
				}
			}
		}
	})
}
