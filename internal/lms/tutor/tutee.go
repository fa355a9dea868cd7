package tutor

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Tutees is the tutor's learners in force.
func (s *Service) Tutees(ctx context.Context, sc access.Scope) ([]Tutee, error) {
	out := []Tutee{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(tuteesSQL, sc.Actor().ID).Scan(&out).Error
	})
	return out, err
}

// Engagement is a tutee's engagement on each of their courses over the
// last 28 days (nothing for a learner whose processing is restricted).
func (s *Service) Engagement(ctx context.Context, sc access.Scope, learner uuid.UUID) ([]CourseEngagement, error) {
	out := []CourseEngagement{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := mustTutor(tx, sc, learner); err != nil {
			return err
		}
		var restricted bool
		if err := tx.Raw(restrictedSQL, learner).Row().Scan(&restricted); err != nil {
			return err
		}
		if restricted {
			return nil
		}
		return tx.Raw(engagementSQL, learner).Scan(&out).Error
	})
	return out, err
}

// AddMeeting records a meeting with a tutee. Who may is checked before
// the input, so nobody learns anything of a learner who is not theirs.
func (s *Service) AddMeeting(ctx context.Context, sc access.Scope, learner uuid.UUID, in NewMeeting) (Meeting, error) {
	m := Meeting{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), LearnerID: learner}
	me := sc.Actor().ID
	m.TutorID = &me
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := mustTutor(tx, sc, learner); err != nil {
			return err
		}
		var fe errs.FieldErrors
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.MetOn))
		if err != nil || d.After(s.now()) || d.Year() < 2000 {
			fe.Add("met_on", "must be a date (YYYY-MM-DD), not in the future")
		}
		m.MetOn = d
		clean := func(field, v string, max int) string {
			v = strings.TrimSpace(v)
			if len([]rune(v)) > max || errs.HasControlText(v) {
				fe.Add(field, "must be at most %d characters without control characters", max)
			}
			return v
		}
		m.Notes, m.AgreedSupport = clean("notes", in.Notes, 20000), clean("agreed_support", in.AgreedSupport, 5000)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := identity.RefuseRestricted(tx, learner); err != nil {
			return err
		}
		return tx.Create(&m).Error
	})
	return m, err
}

// Meetings lists a tutee's meetings, newest first.
func (s *Service) Meetings(ctx context.Context, sc access.Scope, learner uuid.UUID) ([]Meeting, error) {
	out := []Meeting{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := mustTutor(tx, sc, learner); err != nil {
			return err
		}
		return tx.Where("learner_id = ?", learner).Order("met_on DESC, id DESC").Limit(500).Find(&out).Error
	})
	return out, err
}
