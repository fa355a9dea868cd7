package engagement_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Paging a flagged-only list visits every flagged learner exactly once,
// whatever the page size; another tenant's teacher sees nothing.
func TestEngagementFlaggedPages(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	svc := e.App.Engagement
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "efp-")
	fb := lmstest.NewCourse(t, e.DB.App, e.B.ID, "efp-")
	item := uuid.Must(uuid.NewV7())

	// Ten more learners; the even ones open the course's only item.
	opened := map[uuid.UUID]bool{fx.Learner.ID: false, fx.Learner2.ID: false}
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO course_items (tenant_id, id, course_id, section_id, kind, title, position, body_html)
			VALUES (app_tenant_id(), ?, ?, ?, 'page', 'Intro', 0, '<p>Hi</p>')`, item, fx.ID, fx.Section).Error; err != nil {
			return err
		}
		for i := 0; i < 10; i++ {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: fmt.Sprintf("efp-extra-%d", i), DisplayName: fmt.Sprintf("Extra %d", i)})
			if err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (app_tenant_id(), ?, ?, 'learner')`, fx.ID, p.ID).Error; err != nil {
				return err
			}
			opened[p.ID] = i%2 == 0
			if i%2 == 0 {
				if err := tx.Exec(`INSERT INTO item_progress (tenant_id, item_id, person_id, course_id) VALUES (app_tenant_id(), ?, ?, ?)`, item, p.ID, fx.ID).Error; err != nil {
					return err
				}
			}
		}
		return nil
	}))
	ta := fx.Teacher.Scope(e.A.ID)
	for _, size := range []int{1, 3, 50} {
		for _, flagged := range []bool{true, false} {
			seen := map[uuid.UUID]bool{}
			after := uuid.Nil
			for {
				page, err := svc.Course(ctx, ta, fx.ID, engagement.Filter{Flagged: &flagged}, after, size)
				require.NoError(t, err)
				for _, s := range page {
					require.False(t, seen[s.PersonID], "listed twice")
					seen[s.PersonID] = true
					require.Equal(t, flagged, s.Flagged)
					require.Equal(t, !flagged, opened[s.PersonID], "only learners who opened nothing are under 50%%")
				}
				if len(page) < size {
					break
				}
				after = page[len(page)-1].PersonID
			}
			want := 7 // two fixture learners and five extras opened nothing
			if !flagged {
				want = 5
			}
			require.Len(t, seen, want, "size %d flagged %v", size, flagged)
		}
	}

	_, err := svc.Course(ctx, fb.Teacher.Scope(e.B.ID), fx.ID, engagement.Filter{}, uuid.Nil, 50)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = svc.Learner(ctx, fb.Teacher.Scope(e.B.ID), fx.ID, fx.Learner.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = svc.Settings(ctx, fb.Teacher.Scope(e.B.ID), fx.School)
	require.ErrorIs(t, err, errs.ErrNotFound)
	recorded, err := svc.Heartbeat(ctx, fb.Learner.Scope(e.B.ID), fx.ID, engagement.Beat{Kind: "access", Seconds: 5})
	require.ErrorIs(t, err, errs.ErrNotFound)
	require.False(t, recorded)
}

// A course's figures are shown only over groups of at least five learners;
// restricted learners are left out, so restricting enough of them
// suppresses the figures; another tenant's courses never appear.
func TestStatisticsSuppressSmallGroups(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	big := lmstest.NewCourse(t, e.DB.App, e.A.ID, "st-big-")
	small := lmstest.NewCourse(t, e.DB.App, e.A.ID, "st-small-")
	lmstest.NewCourse(t, e.DB.App, e.B.ID, "st-b-")
	var extra []uuid.UUID
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		for i := range 4 {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: fmt.Sprintf("st-extra-%d", i), DisplayName: "Extra"})
			if err != nil {
				return err
			}
			extra = append(extra, p.ID)
			if err := tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (app_tenant_id(), ?, ?, 'learner')`, big.ID, p.ID).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`INSERT INTO activity_events (tenant_id, id, person_id, course_id, kind) VALUES (app_tenant_id(), gen_random_uuid(), ?, ?, 'access')`, big.Learner.ID, big.ID).Error
	}))
	admin := access.Member(e.A.ID, e.A.AdminID)
	stats := func() map[uuid.UUID]engagement.CourseStats {
		out, err := e.App.Engagement.Statistics(ctx, admin, engagement.MinGroup)
		require.NoError(t, err)
		m := map[uuid.UUID]engagement.CourseStats{}
		for _, s := range out {
			m[s.CourseID] = s
		}
		return m
	}
	s := stats()
	require.Len(t, s, 2, "tenant B's course never appears")
	require.False(t, s[big.ID].Learners.Suppressed)
	require.Equal(t, 6, *s[big.ID].Learners.Group)
	require.InDelta(t, 100.0/6, *s[big.ID].ActiveLast7Days.Value, 0.01)
	require.True(t, s[big.ID].MeanReleasedMark.Suppressed, "no marks: nothing to average")
	require.True(t, s[small.ID].Learners.Suppressed, "two learners could be singled out")
	require.Nil(t, s[small.ID].ActiveLast7Days.Value)

	for _, p := range extra[:2] {
		require.NoError(t, e.App.Subjects.Restrict(ctx, admin, p, "contests accuracy"))
	}
	require.True(t, stats()[big.ID].Learners.Suppressed, "four unrestricted learners are too few")
}
