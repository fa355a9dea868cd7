// Package tutor is personal tutoring: admins assign a tutor (a tenant role,
// not tied to a course) to learners; the tutor sees their tutees'
// engagement across courses and records meetings and the support agreed.
// A tutor reaches a learner only while the tutorship lasts and the learner
// is at the school: from the day the learner leaves (their leaving date,
// or their account no longer active), the tutor's access ends.
//
// What a learner chooses to share about their health or a disability is
// written by the learner, only with their explicit consent recorded (the
// wording they agreed to and when), and is seen only by their tutor and
// the support staff they name: not by admins through the app. They can
// withdraw it at any time, and it is erased with them.
package tutor

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// ConsentWording is what a learner agrees to when sharing.
const ConsentWording = "I choose to share this with my tutor and the staff I have named, so that they can support me. " +
	"No one else at the school sees it in the learning platform. I can withdraw it at any time."

// Tutee is a learner as their tutor sees them in a list.
type Tutee struct {
	PersonID    uuid.UUID `json:"person_id"`
	DisplayName string    `json:"display_name"`
	Since       time.Time `json:"since"`
}

// CourseEngagement is a tutee's engagement on one course.
type CourseEngagement struct {
	CourseID     uuid.UUID  `json:"course_id"`
	Title        string     `json:"title"`
	LastActiveAt *time.Time `json:"last_active_at"`
	Events28d    int        `json:"events_28d"`
	Minutes28d   int        `json:"minutes_28d"`
}

// Meeting is a tutor's record of a meeting.
type Meeting struct {
	TenantID      uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID            uuid.UUID  `gorm:"primaryKey" json:"id"`
	TutorID       *uuid.UUID `json:"tutor_id"`
	LearnerID     uuid.UUID  `json:"learner_id"`
	MetOn         time.Time  `gorm:"type:date" json:"met_on"`
	Notes         string     `json:"notes"`
	AgreedSupport string     `json:"agreed_support"`
	CreatedAt     time.Time  `json:"created_at"`
}

// TableName is the gorm table.
func (Meeting) TableName() string { return "tutor_meetings" }

// NewMeeting is the input to record one.
type NewMeeting struct {
	MetOn         string `json:"met_on"`
	Notes         string `json:"notes" binding:"max=20000"`
	AgreedSupport string `json:"agreed_support" binding:"max=5000"`
}

// Disclosure is what a learner shared.
type Disclosure struct {
	TenantID       uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID             uuid.UUID  `gorm:"primaryKey" json:"id"`
	LearnerID      uuid.UUID  `json:"learner_id"`
	TutorID        *uuid.UUID `json:"tutor_id"`
	Category       string     `json:"category"`
	Details        string     `json:"details"`
	SharedWith     []string   `gorm:"serializer:json" json:"shared_with"`
	ConsentAt      time.Time  `json:"consent_at"`
	ConsentWording string     `json:"consent_wording"`
	CreatedAt      time.Time  `json:"created_at"`
}

// TableName is the gorm table.
func (Disclosure) TableName() string { return "tutor_disclosures" }

// NewDisclosure is what a learner shares. Consent must be true: it records
// their explicit consent to ConsentWording.
type NewDisclosure struct {
	Category   string      `json:"category"`
	Details    string      `json:"details" binding:"max=10000"`
	SharedWith []uuid.UUID `json:"shared_with"`
	Consent    bool        `json:"consent"`
}

// Service is the tutoring service.
type Service struct {
	db  *database.DB
	now func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db, now: time.Now} }

// activeSQL is a tutorship of @tutor and @learner in force, with the
// learner still at the school.
const activeSQL = `SELECT EXISTS (SELECT 1 FROM tutorships t JOIN people p ON p.id = t.learner_id
	WHERE t.tutor_id = @tutor AND t.learner_id = @learner AND t.ended_at IS NULL
	  AND p.status = 'active' AND (p.left_on IS NULL OR p.left_on > current_date))`

func active(tx *gorm.DB, tutor, learner uuid.UUID) (bool, error) {
	var ok bool
	err := tx.Raw(activeSQL, map[string]any{"tutor": tutor, "learner": learner}).Row().Scan(&ok)
	return ok, err
}

// mustTutor refuses anyone who is not the learner's tutor in force: as if
// the learner did not exist.
func mustTutor(tx *gorm.DB, sc access.Scope, learner uuid.UUID) error {
	ok, err := active(tx, sc.Actor().ID, learner)
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(errs.ErrNotFound, "person %s", learner)
	}
	return nil
}

func hasRole(tx *gorm.DB, person uuid.UUID, role string) (bool, error) {
	var ok bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM role_assignments WHERE person_id = ? AND role = ?)`, person, role).Row().Scan(&ok)
	return ok, err
}

// Assign makes tutor the learner's personal tutor: admins who reach the
// learner; the tutor must hold the tutor role.
func (s *Service) Assign(ctx context.Context, sc access.Scope, learner, tutor uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, learner, true); err != nil {
			return err
		}
		if err := identity.Reach(tx, sc, tutor, false); err != nil {
			return err
		}
		if ok, err := hasRole(tx, tutor, "tutor"); err != nil {
			return err
		} else if !ok {
			return errs.Field("tutor", "must hold the tutor role")
		}
		if tutor == learner {
			return errs.Field("tutor", "cannot be the learner")
		}
		return tx.Exec(`INSERT INTO tutorships (tenant_id, tutor_id, learner_id, assigned_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant_id, tutor_id, learner_id) DO UPDATE SET ended_at = NULL, assigned_by = EXCLUDED.assigned_by, assigned_at = now()`,
			sc.Tenant(), tutor, learner, sc.Actor().ID).Error
	})
}

// End ends a tutorship: the tutor's access ends at once.
func (s *Service) End(ctx context.Context, sc access.Scope, learner, tutor uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, learner, true); err != nil {
			return err
		}
		res := tx.Exec(`UPDATE tutorships SET ended_at = now() WHERE tutor_id = ? AND learner_id = ? AND ended_at IS NULL`, tutor, learner)
		if res.Error == nil && res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "no tutorship in force")
		}
		return res.Error
	})
}

// Tutoring is a learner's tutors as an admin sees them: those in force
// and the people who could be assigned (holding the tutor role, active,
// within the admin's reach).
type Tutoring struct {
	Current    []Tutee `json:"current"`    // PersonID is the tutor's
	Candidates []Tutee `json:"candidates"` // Since is unset
}

// TutorsOf is a learner's tutors and the candidates: admins who reach the
// learner.
func (s *Service) TutorsOf(ctx context.Context, sc access.Scope, learner uuid.UUID) (t Tutoring, err error) {
	t = Tutoring{Current: []Tutee{}, Candidates: []Tutee{}}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, learner, true); err != nil {
			return err
		}
		if err := tx.Raw(`SELECT p.id AS person_id, p.display_name, t.assigned_at AS since FROM tutorships t JOIN people p ON p.id = t.tutor_id
			WHERE t.learner_id = ? AND t.ended_at IS NULL ORDER BY p.display_name`, learner).Scan(&t.Current).Error; err != nil {
			return err
		}
		q := tx.Table("people").Select("people.id AS person_id, people.display_name").
			Where("people.status = 'active' AND people.id <> ? AND EXISTS (SELECT 1 FROM role_assignments r WHERE r.person_id = people.id AND r.role = 'tutor')", learner).
			Order("people.display_name").Limit(500)
		return identity.Visible(q, sc).Scan(&t.Candidates).Error
	})
	return t, err
}

// Tutees is the tutor's learners in force.
func (s *Service) Tutees(ctx context.Context, sc access.Scope) ([]Tutee, error) {
	out := []Tutee{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT p.id AS person_id, p.display_name, t.assigned_at AS since FROM tutorships t JOIN people p ON p.id = t.learner_id
			WHERE t.tutor_id = ? AND t.ended_at IS NULL AND p.status = 'active' AND (p.left_on IS NULL OR p.left_on > current_date)
			ORDER BY p.display_name`, sc.Actor().ID).Scan(&out).Error
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
		if err := tx.Raw(`SELECT restricted_at IS NOT NULL FROM people WHERE id = ?`, learner).Row().Scan(&restricted); err != nil {
			return err
		}
		if restricted {
			return nil
		}
		return tx.Raw(`SELECT c.id AS course_id, c.title,
				(SELECT max(a.occurred_at) FROM activity_events a WHERE a.person_id = e.person_id AND a.course_id = c.id) AS last_active_at,
				(SELECT count(*) FROM activity_events a WHERE a.person_id = e.person_id AND a.course_id = c.id AND a.occurred_at > now() - interval '28 days') AS events28d,
				(SELECT COALESCE(sum(a.duration_seconds), 0) / 60 FROM activity_events a WHERE a.person_id = e.person_id AND a.course_id = c.id
					AND a.occurred_at > now() - interval '28 days') AS minutes28d
			FROM enrolments e JOIN courses c ON c.id = e.course_id
			WHERE e.person_id = ? AND e.role = 'learner' ORDER BY c.title`, learner).Scan(&out).Error
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

// Disclose records what the learner chooses to share with their tutor,
// only with their explicit consent.
func (s *Service) Disclose(ctx context.Context, sc access.Scope, in NewDisclosure) (Disclosure, error) {
	me := sc.Actor().ID
	d := Disclosure{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), LearnerID: me, Category: in.Category, SharedWith: []string{},
		ConsentWording: ConsentWording, ConsentAt: s.now().UTC()}
	var fe errs.FieldErrors
	if !in.Consent {
		fe.Add("consent", "sharing this needs your explicit consent: tick the box to agree to the wording shown")
	}
	if !slices.Contains([]string{"health", "disability", "other"}, in.Category) {
		fe.Add("category", "must be health, disability or other")
	}
	d.Details = strings.TrimSpace(in.Details)
	if d.Details == "" || len([]rune(d.Details)) > 10000 || errs.HasControlText(d.Details) {
		fe.Add("details", "must be 1-10000 characters without control characters")
	}
	if len(in.SharedWith) > 10 {
		fe.Add("shared_with", "name at most 10 members of staff")
	}
	if err := fe.Err(); err != nil {
		return d, err
	}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		// The school's consent purpose for sensitive information must be in
		// force (a child's from their guardian), besides this ticked box.
		if ok, err := consent.Has(tx, me, "special-category"); err != nil {
			return err
		} else if !ok {
			return errs.Field("consent", "first give your consent to \"Health and other sensitive information\" on your privacy page (a guardian gives it for a child under 13)")
		}
		var tutor uuid.UUID
		var tutors []uuid.UUID
		if err := tx.Raw(`SELECT tutor_id FROM tutorships WHERE learner_id = ? AND ended_at IS NULL ORDER BY assigned_at DESC LIMIT 1`, me).
			Pluck("tutor_id", &tutors).Error; err != nil {
			return err
		}
		if len(tutors) == 0 {
			return errs.New(errs.ErrConflict, "you have no personal tutor to share this with")
		}
		tutor = tutors[0]
		d.TutorID = &tutor
		for _, p := range in.SharedWith {
			staff, err := hasStaffRole(tx, p)
			if err != nil {
				return err
			}
			if !staff || p == me {
				return errs.Field("shared_with", "must be members of staff of your school (teachers, admins or tutors)")
			}
			if !slices.Contains(d.SharedWith, p.String()) {
				d.SharedWith = append(d.SharedWith, p.String())
			}
		}
		return tx.Create(&d).Error
	})
	return d, err
}

func hasStaffRole(tx *gorm.DB, person uuid.UUID) (bool, error) {
	var ok bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM role_assignments r JOIN people p ON p.id = r.person_id
		WHERE r.person_id = ? AND r.role IN ('teacher', 'admin', 'tutor') AND p.status = 'active')`, person).Row().Scan(&ok)
	return ok, err
}

// Disclosures is what a learner shared, for the learner themselves, their
// tutor in force, or the staff they named; anyone else sees nothing.
func (s *Service) Disclosures(ctx context.Context, sc access.Scope, learner uuid.UUID) ([]Disclosure, error) {
	out := []Disclosure{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		me := sc.Actor().ID
		if me == learner {
			return tx.Where("learner_id = ?", learner).Order("created_at DESC").Find(&out).Error
		}
		isTutor, err := active(tx, me, learner)
		if err != nil {
			return err
		}
		var left bool
		if err := tx.Raw(`SELECT NOT (status = 'active' AND (left_on IS NULL OR left_on > current_date)) FROM people WHERE id = ?`, learner).
			Row().Scan(&left); err != nil {
			return errs.New(errs.ErrNotFound, "person %s", learner)
		}
		if left {
			return errs.New(errs.ErrNotFound, "person %s", learner)
		}
		// A withdrawn consent counts at once: nobody but the learner sees
		// what they shared until they give it again.
		if ok, err := consent.Has(tx, learner, "special-category"); err != nil {
			return err
		} else if !ok {
			if !isTutor {
				return errs.New(errs.ErrNotFound, "person %s", learner)
			}
			return nil
		}
		q := tx.Where("learner_id = ?", learner)
		if isTutor {
			q = q.Where("tutor_id = ? OR shared_with @> jsonb_build_array(CAST(? AS text))", me, me.String())
		} else {
			q = q.Where("shared_with @> jsonb_build_array(CAST(? AS text))", me.String())
		}
		if err := q.Order("created_at DESC").Find(&out).Error; err != nil {
			return err
		}
		if len(out) == 0 && !isTutor {
			return errs.New(errs.ErrNotFound, "person %s", learner)
		}
		return nil
	})
	return out, err
}

// Withdraw deletes something the learner shared.
func (s *Service) Withdraw(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM tutor_disclosures WHERE id = ? AND learner_id = ?`, id, sc.Actor().ID)
		if res.Error == nil && res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "disclosure %s", id)
		}
		return res.Error
	})
}
