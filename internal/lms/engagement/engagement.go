// Package engagement turns learners' recorded activity (package activity)
// into summaries for their teachers: when each learner last took part, what
// they did, how long for, and which published items they have not opened.
// A summary is flagged when a learner falls under a threshold their school
// sets; the flag and its reasons inform a teacher and decide nothing.
//
// It also takes the learner's client's heartbeat: access and time spent on
// a course or item.
package engagement

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service reads engagement summaries, keeps the schools' thresholds and
// records heartbeats.
type Service struct{ db *database.DB }

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db} }

// Defaults apply to a school that has set no thresholds.
const (
	DefaultInactiveDays   = 14
	DefaultMinOpenedShare = 50
)

// Settings are a school's thresholds. Zero turns a flag off.
type Settings struct {
	SchoolID uuid.UUID `json:"school_id"`
	// InactiveDays: flag a learner with no activity on a course for this
	// many days (counted from enrolment when they have none).
	InactiveDays int `json:"inactive_days"`
	// MinItemsOpenedPercent: flag a learner who has opened fewer than this
	// share of a course's published items.
	MinItemsOpenedPercent int        `json:"min_items_opened_percent"`
	UpdatedBy             *uuid.UUID `json:"updated_by,omitempty"`
	// UpdatedAt is empty while the school uses the defaults.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// SettingsInput sets a school's thresholds.
type SettingsInput struct {
	InactiveDays          *int `json:"inactive_days" binding:"required,min=0,max=365"`
	MinItemsOpenedPercent *int `json:"min_items_opened_percent" binding:"required,min=0,max=100"`
}

// settingsSQL reads a school's thresholds, or the defaults; no row means
// no such school in the tenant.
const settingsSQL = `SELECT s.id AS school_id,
	COALESCE(es.inactive_days, @days) AS inactive_days,
	COALESCE(es.min_items_opened_percent, @pct) AS min_items_opened_percent,
	es.updated_by, es.updated_at
	FROM schools s LEFT JOIN engagement_settings es ON es.school_id = s.id
	WHERE s.id = @school`

// school reads a school's settings and checks that sc reaches the school:
// one of another tenant, or none at all, is not found; one outside the
// schools a school-scoped role covers is forbidden.
func school(tx *gorm.DB, sc access.Scope, id uuid.UUID) (st Settings, err error) {
	if err := database.Found(tx.Raw(settingsSQL, map[string]any{"school": id, "days": DefaultInactiveDays, "pct": DefaultMinOpenedShare}).Scan(&st), "school %s", id); err != nil {
		return st, err
	}
	if ids, limited := sc.Schools(); limited && !slices.Contains(ids, id) {
		return st, errs.New(errs.ErrForbidden, "school %s is not one of your schools", id)
	}
	return st, nil
}

// Settings reads a school's thresholds.
func (s *Service) Settings(ctx context.Context, sc access.Scope, schoolID uuid.UUID) (st Settings, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		st, err = school(tx, sc, schoolID)
		return err
	})
	return st, err
}

// SetSettings changes a school's thresholds (the caller's route allows only
// admins; a school admin only for their own schools).
func (s *Service) SetSettings(ctx context.Context, sc access.Scope, schoolID uuid.UUID, in SettingsInput) (st Settings, err error) {
	var fe errs.FieldErrors
	if in.InactiveDays == nil || *in.InactiveDays < 0 || *in.InactiveDays > 365 {
		fe.Add("inactive_days", "must be a whole number of days from 0 (off) to 365")
	}
	if in.MinItemsOpenedPercent == nil || *in.MinItemsOpenedPercent < 0 || *in.MinItemsOpenedPercent > 100 {
		fe.Add("min_items_opened_percent", "must be a percentage from 0 (off) to 100")
	}
	if err := fe.Err(); err != nil {
		return st, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := school(tx, sc, schoolID); err != nil {
			return err
		}
		err := tx.Exec(`INSERT INTO engagement_settings (tenant_id, school_id, inactive_days, min_items_opened_percent, updated_by)
			VALUES (app_tenant_id(), ?, ?, ?, ?)
			ON CONFLICT (tenant_id, school_id) DO UPDATE SET inactive_days = EXCLUDED.inactive_days,
				min_items_opened_percent = EXCLUDED.min_items_opened_percent, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			schoolID, *in.InactiveDays, *in.MinItemsOpenedPercent, sc.Actor().ID).Error
		if err != nil {
			return fmt.Errorf("engagement: set settings of %s: %w", schoolID, err)
		}
		st, err = school(tx, sc, schoolID)
		return err
	})
	return st, err
}
