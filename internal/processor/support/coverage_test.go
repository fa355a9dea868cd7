package support_test

import (
	"context"
	"testing"
	"time"

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
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// A support grant opens what the school approved, to whom it approved it,
// while it is in force: these are the rules Authorize keeps.
func TestGrantCoverage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// testBundle is tenants A and B, each with a course fixture and an
	// approver, and two support staff members, Sam and Sue.
	type testBundle struct {
		db          *dbtest.DB
		svc         *support.Service
		people      *identity.Service
		a, b        lmstest.Course
		approver    map[uuid.UUID]access.Scope // tenant -> its approver
		otherCourse uuid.UUID                  // a second course in A
		sam, sue    identity.Principal
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		db := dbtest.New(t)
		b := &testBundle{db: db, svc: support.NewService(db.App, nil), approver: map[uuid.UUID]access.Scope{},
			people: identity.NewService(db.App, identity.Settings{LockAfter: 5, LockFor: time.Minute})}
		for i, slug := range []string{"tenant-a", "tenant-b"} {
			res, err := tenant.NewService(db.App, nil, true).Apply(ctx, apptest.Manifest(slug, "uk"), uuid.Nil)
			require.NoError(t, err)
			c := lmstest.NewCourse(t, db.App, res.TenantID, slug+"-")
			require.NoError(t, access.Transact(ctx, db.App, access.System(c.Tenant, "test-setup"), func(tx *gorm.DB) error {
				p, err := identity.CreatePersonTx(tx, c.Tenant, identity.NewPerson{Username: "ann", DisplayName: "Ann Approver"})
				if err != nil {
					return err
				}
				b.approver[c.Tenant] = access.Member(c.Tenant, p.ID)
				if _, err := identity.AssignRoleTx(tx, c.Tenant, p.ID, "approver", nil); err != nil {
					return err
				}
				return tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, 'Other', 'published')`,
					c.Tenant, uuid.Must(uuid.NewV7()), c.School).Error
			}))
			if i == 0 {
				b.a = c
			} else {
				b.b = c
			}
		}
		require.NoError(t, access.Transact(ctx, db.App, access.System(b.a.Tenant, "test-setup"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id FROM courses WHERE id <> ?`, b.a.ID).Row().Scan(&b.otherCourse)
		}))
		staff := func(name string) identity.Principal {
			s, _, err := b.people.EnsureStaff(ctx, name+"@processor.example", name+" Support", "support", "")
			require.NoError(t, err)
			return identity.Principal{Kind: identity.KindStaff, ID: s.ID, StaffRole: "support"}
		}
		b.sam, b.sue = staff("sam"), staff("sue")
		return b
	}

	// file has Sam ask tenant A for areas (narrowed by in's limits).
	file := func(t *testing.T, b *testBundle, in support.NewRequest) support.Request {
		t.Helper()
		in.Ticket, in.ReasonCode, in.Justification = "INC-1", "fault", "The school reported a fault"
		r, err := b.svc.File(ctx, b.sam.ID, b.a.Tenant, in)
		require.NoError(t, err)
		return r
	}
	grant := func(t *testing.T, b *testBundle, in support.NewRequest) support.Request {
		t.Helper()
		r, err := b.svc.Decide(ctx, b.approver[b.a.Tenant], file(t, b, in).ID, support.Decision{Approve: true})
		require.NoError(t, err)
		return r
	}
	read := func(b *testBundle, who identity.Principal, tenant uuid.UUID, obj string) (access.Scope, error) {
		return b.svc.Authorize(ctx, tenant, who, obj, "read", "GET /test")
	}
	// processor runs sql as the processor's own work (outside any tenant).
	processor := func(t *testing.T, b *testBundle, sql string, args ...any) {
		t.Helper()
		require.NoError(t, b.db.App.Gorm.Exec(sql, args...).Error)
	}

	t.Run("OnlyAnApprovedGrantOpens", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := read(b, b.sam, b.a.Tenant, "course")
		require.ErrorIs(t, err, errs.ErrForbidden, "no request")
		r := file(t, b, support.NewRequest{Areas: []string{"courses"}})
		_, err = read(b, b.sam, b.a.Tenant, "course")
		require.ErrorIs(t, err, errs.ErrForbidden, "pending")
		_, err = b.svc.Decide(ctx, b.approver[b.a.Tenant], r.ID, support.Decision{Approve: false})
		require.NoError(t, err)
		_, err = read(b, b.sam, b.a.Tenant, "course")
		require.ErrorIs(t, err, errs.ErrForbidden, "denied")
		g := grant(t, b, support.NewRequest{Areas: []string{"courses"}})
		sc, err := read(b, b.sam, b.a.Tenant, "course")
		require.NoError(t, err)
		require.Equal(t, access.BasisSupport, sc.Basis())
		require.Equal(t, b.a.Tenant, sc.Tenant())
		require.Equal(t, g.ID.String(), sc.Ref())
		require.True(t, sc.Reader())
	})

	t.Run("CoversItsAreasAndReadsOnly", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		grant(t, b, support.NewRequest{Areas: []string{"courses"}})
		for _, obj := range []string{"course", "enrolment", "tenant", "school"} {
			_, err := read(b, b.sam, b.a.Tenant, obj)
			require.NoError(t, err, obj)
		}
		for _, obj := range []string{"person", "assignment", "discussion", "credential"} {
			_, err := read(b, b.sam, b.a.Tenant, obj)
			require.ErrorIs(t, err, errs.ErrForbidden, obj)
		}
		_, err := b.svc.Authorize(ctx, b.a.Tenant, b.sam, "course", "update", "PATCH /test")
		require.ErrorIs(t, err, errs.ErrForbidden)
		// Whatever a code path tries, the reader's transaction cannot write.
		sc, err := read(b, b.sam, b.a.Tenant, "course")
		require.NoError(t, err)
		require.Error(t, access.Transact(ctx, b.db.App, sc, func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE courses SET title = 'Changed' WHERE id = ?`, b.a.ID).Error
		}))
	})

	t.Run("CourseLimitNarrowsRows", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		grant(t, b, support.NewRequest{Areas: []string{"courses"}, CourseIDs: []uuid.UUID{b.a.ID}})
		sc, err := read(b, b.sam, b.a.Tenant, "course")
		require.NoError(t, err)
		courses := course.NewService(b.db.App, nil)
		list, err := courses.List(ctx, sc, course.Filter{}, uuid.Nil, 50)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, b.a.ID, list[0].ID)
		_, err = courses.Page(ctx, sc, b.otherCourse)
		require.ErrorIs(t, err, errs.ErrNotFound)
	})

	t.Run("PersonLimitNarrowsPeople", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		lee := b.a.Learner.ID
		grant(t, b, support.NewRequest{Areas: []string{"people"}, PersonIDs: []uuid.UUID{lee}})
		sc, err := read(b, b.sam, b.a.Tenant, "person")
		require.NoError(t, err)
		_, err = b.people.GetPerson(ctx, sc, lee)
		require.NoError(t, err)
		_, err = b.people.GetPerson(ctx, sc, b.a.Teacher.ID)
		require.ErrorIs(t, err, errs.ErrNotFound)
		list, err := b.people.ListPeople(ctx, sc, uuid.Nil, 50)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, lee, list[0].ID)
		// Named people narrow the people area only; with another area the
		// limit could not hold, so it is refused.
		_, err = b.svc.File(ctx, b.sam.ID, b.a.Tenant, support.NewRequest{Ticket: "INC-2", ReasonCode: "fault", Justification: "x",
			Areas: []string{"courses", "people"}, PersonIDs: []uuid.UUID{lee}})
		require.ErrorIs(t, err, errs.ErrInvalid)
	})

	t.Run("ExpiryEndsIt", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r := file(t, b, support.NewRequest{Areas: []string{"courses"}, DurationMinutes: 60})
		_, err := b.svc.Decide(ctx, b.approver[b.a.Tenant], r.ID, support.Decision{Approve: true, DurationMinutes: 90})
		require.ErrorIs(t, err, errs.ErrInvalid, "an approver may only shorten")
		g, err := b.svc.Decide(ctx, b.approver[b.a.Tenant], r.ID, support.Decision{Approve: true, DurationMinutes: 30})
		require.NoError(t, err)
		require.WithinDuration(t, time.Now().Add(30*time.Minute), *g.EndsAt, time.Minute)
		processor(t, b, `UPDATE support_requests SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 second' WHERE id = ?`, g.ID)
		_, err = read(b, b.sam, b.a.Tenant, "course")
		require.ErrorIs(t, err, errs.ErrForbidden)
		mine, err := b.svc.Mine(ctx, b.sam.ID, g.ID)
		require.NoError(t, err)
		require.Equal(t, "ended", string(mine.State))
		// A request nobody decided in time can no longer be approved.
		r = file(t, b, support.NewRequest{Areas: []string{"people"}})
		processor(t, b, `UPDATE support_requests SET pending_until = now() - interval '1 second' WHERE id = ?`, r.ID)
		_, err = b.svc.Decide(ctx, b.approver[b.a.Tenant], r.ID, support.Decision{Approve: true})
		require.ErrorIs(t, err, errs.ErrConflict)
	})

	t.Run("RevocationEndsIt", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		g := grant(t, b, support.NewRequest{Areas: []string{"courses"}})
		_, err := read(b, b.sam, b.a.Tenant, "course")
		require.NoError(t, err)
		_, err = b.svc.Revoke(ctx, b.approver[b.a.Tenant], g.ID)
		require.NoError(t, err)
		_, err = read(b, b.sam, b.a.Tenant, "course")
		require.ErrorIs(t, err, errs.ErrForbidden)
		_, err = b.svc.Revoke(ctx, b.approver[b.a.Tenant], g.ID)
		require.ErrorIs(t, err, errs.ErrConflict, "revoked once")
	})

	t.Run("ForItsTenantAndRequesterOnly", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		g := grant(t, b, support.NewRequest{Areas: []string{"courses"}})
		_, err := read(b, b.sam, b.b.Tenant, "course")
		require.ErrorIs(t, err, errs.ErrForbidden, "no grant in B")
		_, err = read(b, b.sue, b.a.Tenant, "course")
		require.ErrorIs(t, err, errs.ErrForbidden, "granted to Sam, not Sue")
		sc, err := read(b, b.sam, b.a.Tenant, "course")
		require.NoError(t, err)
		_, err = course.NewService(b.db.App, nil).Page(ctx, sc, b.b.ID)
		require.ErrorIs(t, err, errs.ErrNotFound, "A's grant reads none of B's rows")
		// B's approver neither sees nor decides A's request.
		_, err = b.svc.Get(ctx, b.approver[b.b.Tenant], g.ID)
		require.ErrorIs(t, err, errs.ErrNotFound)
		_, err = b.svc.Revoke(ctx, b.approver[b.b.Tenant], g.ID)
		require.ErrorIs(t, err, errs.ErrNotFound)
		list, err := b.svc.ForTenant(ctx, b.approver[b.b.Tenant], uuid.Nil, 50)
		require.NoError(t, err)
		require.Empty(t, list)
		// The look went to A's log, and B's log holds nothing of it.
		logOf := func(tenant uuid.UUID) []string {
			var actions []string
			require.NoError(t, access.Transact(ctx, b.db.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
				return tx.Raw(`SELECT action FROM audit_events WHERE action LIKE 'support.%' ORDER BY seq`).Scan(&actions).Error
			}))
			return actions
		}
		require.Contains(t, logOf(b.a.Tenant), "support.read")
		require.Equal(t, []string{"support.refused"}, logOf(b.b.Tenant), "only Sam's refused look at B")
	})
}
