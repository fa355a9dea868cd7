package tutor

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

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
		if err := tx.Raw(currentTutorSQL, me).Pluck("tutor_id", &tutors).Error; err != nil {
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

// Disclosures is what a learner shared, for the learner themselves, their
// tutor in force, or the staff they named; anyone else sees nothing.
func (s *Service) Disclosures(ctx context.Context, sc access.Scope, learner uuid.UUID) ([]Disclosure, error) {
	return s.DisclosurePage(ctx, sc, learner, database.Page{})
}

// disclosureOrder lists disclosures newest first.
var disclosureOrder = database.Keyset{Key: "created_at", Cast: "timestamptz", ID: "id", Desc: true}

// At is where a disclosure sits in the order DisclosurePage lists them.
func (d Disclosure) At() (string, uuid.UUID) { return database.TimeKey(d.CreatedAt), d.ID }

// DisclosurePage is a page of Disclosures, newest first.
func (s *Service) DisclosurePage(ctx context.Context, sc access.Scope, learner uuid.UUID, p database.Page) ([]Disclosure, error) {
	out := []Disclosure{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		me := sc.Actor().ID
		if me == learner {
			return disclosureOrder.Apply(tx.Where("learner_id = ?", learner), p).Find(&out).Error
		}
		isTutor, err := active(tx, me, learner)
		if err != nil {
			return err
		}
		var left bool
		if err := tx.Raw(leftSQL, learner).Row().Scan(&left); err != nil {
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
		if err := disclosureOrder.Apply(q, p).Find(&out).Error; err != nil {
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
		return database.Found(tx.Exec(withdrawSQL, id, sc.Actor().ID), "disclosure %s", id)
	})
}
