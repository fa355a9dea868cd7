// Package activity records what learners do on their courses: each access
// to a course or item, with its duration when the client reports one, and
// each interaction (view, submit, post). Only learners are recorded; the
// record informs their teachers (engagement summaries) and never decides
// anything on its own.
package activity

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// Standing is how the actor stands to a course: course.Relation. (An
// interface so that the course package can record activity too.)
type Standing interface {
	Learns() bool
	Course() uuid.UUID
}

// Kinds of event.
const (
	Access = "access" // opened the course
	View   = "view"   // opened an item
	Submit = "submit" // submitted work
	Post   = "post"   // posted in a discussion
)

// MaxSeconds caps one reported duration (a day), so a stuck client cannot
// claim a week of study in one beat.
const MaxSeconds = 86400

// Record adds one event for the scope's actor inside an open transaction,
// if the actor is a learner on the course (rel from course.Relate). A view
// also updates the learner's progress on the item.
func Record(tx *gorm.DB, sc access.Scope, rel Standing, item *uuid.UUID, kind string, seconds int) error {
	if !rel.Learns() {
		return nil
	}
	if seconds < 0 || seconds > MaxSeconds {
		seconds = 0
	}
	person := sc.Actor().ID
	// A learner whose processing is restricted (Art. 18) is not recorded:
	// the insert finds no row to write.
	res := tx.Exec(`INSERT INTO activity_events (tenant_id, id, person_id, course_id, item_id, kind, duration_seconds)
		SELECT app_tenant_id(), ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM people WHERE id = ? AND restricted_at IS NOT NULL)`,
		uuid.Must(uuid.NewV7()), person, rel.Course(), item, kind, seconds, person)
	if res.Error != nil {
		return fmt.Errorf("activity: record %s: %w", kind, res.Error)
	}
	if kind != View || item == nil || res.RowsAffected == 0 {
		return nil
	}
	err := tx.Exec(`INSERT INTO item_progress (tenant_id, item_id, person_id, course_id, seconds)
		VALUES (app_tenant_id(), ?, ?, ?, ?)
		ON CONFLICT (tenant_id, item_id, person_id) DO UPDATE
		SET last_viewed_at = now(), views = item_progress.views + 1, seconds = item_progress.seconds + EXCLUDED.seconds`,
		*item, person, rel.Course(), seconds).Error
	if err != nil {
		return fmt.Errorf("activity: progress: %w", err)
	}
	return nil
}
