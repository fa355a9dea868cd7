package engagement_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

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
