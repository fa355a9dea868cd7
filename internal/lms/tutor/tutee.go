package tutor

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Tutees is the tutor's learners in force.
func (s *Service) Tutees(ctx context.Context, sc access.Scope) ([]Tutee, error) {
	return s.TuteePage(ctx, sc, database.Page{})
}

// tuteeOrder lists tutees by name, then id.
var tuteeOrder = database.Keyset{Key: "p.display_name", Cast: "text", ID: "p.id"}

// At is where a tutee sits in the order TuteePage lists them.
func (t Tutee) At() (string, uuid.UUID) { return t.DisplayName, t.PersonID }

// TuteePage is a page of the caller's tutees, by name.
func (s *Service) TuteePage(ctx context.Context, sc access.Scope, p database.Page) ([]Tutee, error) {
	out := []Tutee{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(tuteesSQL+" AND "+tuteeOrder.Cond(p)+tuteeOrder.Tail(p), p.Args(map[string]any{"me": sc.Actor().ID})).Scan(&out).Error
	})
	return out, err
}

// Engagement is a tutee's engagement on each of their courses over the
// last 28 days (nothing for a learner whose processing is restricted).
func (s *Service) Engagement(ctx context.Context, sc access.Scope, learner uuid.UUID) ([]CourseEngagement, error) {
	return s.EngagementPage(ctx, sc, learner, database.Page{})
}

// engagementOrder lists a tutee's courses by title, then id.
var engagementOrder = database.Keyset{Key: "c.title", Cast: "text", ID: "c.id"}

// At is where a course sits in the order EngagementPage lists them.
func (e CourseEngagement) At() (string, uuid.UUID) { return e.Title, e.CourseID }

// EngagementPage is a page of Engagement, by course title.
func (s *Service) EngagementPage(ctx context.Context, sc access.Scope, learner uuid.UUID, p database.Page) ([]CourseEngagement, error) {
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
		return tx.Raw(engagementSQL+" AND "+engagementOrder.Cond(p)+engagementOrder.Tail(p),
			p.Args(map[string]any{"learner": learner})).Scan(&out).Error
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
	return s.MeetingPage(ctx, sc, learner, database.Page{Limit: 500})
}

// meetingOrder lists meetings newest first.
var meetingOrder = database.Keyset{Key: "met_on", Cast: "date", ID: "id", Desc: true}

// At is where a meeting sits in the order MeetingPage lists them.
func (m Meeting) At() (string, uuid.UUID) { return m.MetOn.Format(time.DateOnly), m.ID }

// MeetingPage is a page of a tutee's meetings, newest first.
func (s *Service) MeetingPage(ctx context.Context, sc access.Scope, learner uuid.UUID, p database.Page) ([]Meeting, error) {
	out := []Meeting{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := mustTutor(tx, sc, learner); err != nil {
			return err
		}
		return meetingOrder.Apply(tx.Where("learner_id = ?", learner), p).Find(&out).Error
	})
	return out, err
}
