package engagement

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/activity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// MaxBeatSeconds caps the time one heartbeat may report: clients beat
// while a page is open, so an hour is generous and a stuck client cannot
// claim a day.
const MaxBeatSeconds = 3600

// Beat is the learner's client reporting presence on a course: "access"
// with the seconds spent on the course (or on item_id) since the last beat,
// or "view" when it opened an item the server did not serve (opening an
// item through the API already records its view).
type Beat struct {
	Kind    string     `json:"kind" binding:"required,oneof=access view"`
	ItemID  *uuid.UUID `json:"item_id"`
	Seconds int        `json:"seconds" binding:"min=0,max=3600"`
}

// Heartbeat records a beat for a learner of the course. Anyone else who may
// see the course (its teachers, admins) is not recorded: recorded reports
// whether anything was.
func (s *Service) Heartbeat(ctx context.Context, sc access.Scope, courseID uuid.UUID, in Beat) (recorded bool, err error) {
	var fe errs.FieldErrors
	if in.Kind != activity.Access && in.Kind != activity.View {
		fe.Add("kind", "must be one of: access view")
	}
	if in.Kind == activity.View && in.ItemID == nil {
		fe.Add("item_id", "is required for a view")
	}
	if in.Seconds < 0 || in.Seconds > MaxBeatSeconds {
		fe.Add("seconds", "must be from 0 to %d", MaxBeatSeconds)
	}
	if err := fe.Err(); err != nil {
		return false, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := course.Relate(tx, sc, courseID)
		if err != nil || !rel.Learns() {
			return err
		}
		if in.ItemID != nil {
			var ok bool
			err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM course_items WHERE id = ? AND course_id = ? AND published)`,
				*in.ItemID, courseID).Row().Scan(&ok)
			if err != nil {
				return fmt.Errorf("engagement: beat item: %w", err)
			}
			if !ok {
				return errs.Field("item_id", "is not a published item of this course")
			}
		}
		if err := activity.Record(tx, sc, rel, in.ItemID, in.Kind, in.Seconds); err != nil {
			return err
		}
		recorded = true
		if in.Kind != activity.Access || in.ItemID == nil || in.Seconds == 0 {
			return nil
		}
		// Time on an opened item counts towards its progress; a view
		// (activity.Record) does that itself.
		err = tx.Exec(`UPDATE item_progress SET seconds = seconds + ?, last_viewed_at = now() WHERE item_id = ? AND person_id = ?`,
			in.Seconds, *in.ItemID, sc.Actor().ID).Error
		if err != nil {
			return fmt.Errorf("engagement: item time: %w", err)
		}
		return nil
	})
	return recorded, err
}
