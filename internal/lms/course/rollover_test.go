package course_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// An admin rolls courses of their school over: each is copied with the
// suffix, the admin its teacher; progress is counted. A run whose worker
// is killed part way resumes: the courses already copied are skipped, none
// is copied twice. Teachers may not start one.
func TestRolloverResumesAfterAKilledWorker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	a := lmstest.NewCourse(t, e.DB.App, e.A.ID, "roll-a-")
	b := lmstest.NewCourse(t, e.DB.App, e.A.ID, "roll-b-")
	admin := access.Member(e.A.ID, e.A.AdminID)
	svc := e.App.Courses

	_, err := svc.StartRollover(ctx, a.Teacher.Scope(a.Tenant), course.NewRollover{SchoolID: a.School, CourseIDs: []uuid.UUID{a.ID}, Suffix: "2027/28"})
	require.ErrorIs(t, err, errs.ErrForbidden)
	r, err := svc.StartRollover(ctx, admin, course.NewRollover{SchoolID: a.School, CourseIDs: []uuid.UUID{a.ID, b.ID}, Suffix: "2027/28"})
	require.NoError(t, err)
	require.Equal(t, 2, r.Total)

	// The worker dies while copying the second course.
	run, kill := context.WithCancel(ctx)
	copies := 0
	svc.OnCopy(func(tx *gorm.DB, cp course.Copying) error {
		copies++
		if cp.From == b.ID && copies == 2 {
			kill()
			return context.Canceled
		}
		return nil
	})
	require.Error(t, svc.RunRollover(run, e.A.ID, r.ID))
	got, err := svc.GetRollover(ctx, admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, [3]any{course.RolloverRunning, 1, 0}, [3]any{got.Status, got.Done, got.Failed})

	// Another run carries on: only the second course is copied.
	require.NoError(t, svc.RunRollover(ctx, e.A.ID, r.ID))
	got, err = svc.GetRollover(ctx, admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, [3]any{course.RolloverDone, 2, 0}, [3]any{got.Status, got.Done, got.Failed})
	var titles []string
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT c.title FROM courses c JOIN enrolments en ON en.course_id = c.id WHERE en.person_id = ? ORDER BY c.title`, e.A.AdminID).Scan(&titles).Error
	}))
	require.Equal(t, []string{"roll-a- course 2027/28", "roll-b- course 2027/28"}, titles, "each course copied once, the admin its teacher")
	_, err = svc.GetRollover(ctx, a.Teacher.Scope(a.Tenant), r.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
}
