package survey

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Create sets a survey.
func (s *Service) Create(ctx context.Context, sc access.Scope, in NewSurvey) (Survey, error) {
	v := Survey{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: in.CourseID, Anonymous: in.Anonymous, ClosesAt: in.ClosesAt.Truncate(time.Microsecond)}
	var fe errs.FieldErrors
	v.Title = clean(&fe, "title", in.Title, 1, 200)
	v.Description = clean(&fe, "description", in.Description, 0, 5000)
	v.Purpose = clean(&fe, "purpose", in.Purpose, 0, 1000)
	if !v.Anonymous && v.Purpose == "" {
		fe.Add("purpose", "a named survey collects personal data: say what the answers are for")
	}
	if !v.ClosesAt.After(s.now()) {
		fe.Add("closes_at", "must be in the future")
	}
	if len(in.Questions) == 0 || len(in.Questions) > 50 {
		fe.Add("questions", "ask 1-50 questions")
	}
	for i, q := range in.Questions {
		v.Questions = append(v.Questions, checkQuestion(&fe, i, q))
	}
	if err := fe.Err(); err != nil {
		return v, err
	}
	me := sc.Actor().ID
	v.CreatedBy = &me
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := maySet(tx, sc, v.CourseID); err != nil {
			return err
		}
		return tx.Create(&v).Error
	})
	return v, err
}

// clean trims s and checks its length (min-max characters) and that it
// has no control characters but line breaks and tabs.
func clean(fe *errs.FieldErrors, field, s string, min, max int) string {
	s = strings.TrimSpace(s)
	if n := len([]rune(s)); n < min || n > max || errs.HasControlText(s) {
		fe.Add(field, "must be %d-%d characters without control characters", min, max)
	}
	return s
}

// checkQuestion checks the survey's i-th question and gives it its id.
func checkQuestion(fe *errs.FieldErrors, i int, q Question) Question {
	q.ID = fmt.Sprintf("q%d", i+1)
	q.Prompt = clean(fe, fmt.Sprintf("questions[%d].prompt", i), q.Prompt, 1, 1000)
	switch q.Kind {
	case "scale", "text":
		q.Options = nil
	case "choice":
		if len(q.Options) < 2 || len(q.Options) > 20 {
			fe.Add(fmt.Sprintf("questions[%d].options", i), "give 2-20 options")
		}
		seen := map[string]bool{}
		for j, o := range q.Options {
			q.Options[j] = clean(fe, fmt.Sprintf("questions[%d].options[%d]", i, j), o, 1, 200)
			if seen[q.Options[j]] {
				fe.Add(fmt.Sprintf("questions[%d].options[%d]", i, j), "repeats another option")
			}
			seen[q.Options[j]] = true
		}
	default:
		fe.Add(fmt.Sprintf("questions[%d].kind", i), "must be one of %s", strings.Join(Kinds, ", "))
	}
	return q
}

// MaySet answers nil when the actor may set a survey of the course (its
// teachers and its school's admins) or, without one, of the whole school
// (tenant-wide admins): for the page that offers the form.
func (s *Service) MaySet(ctx context.Context, sc access.Scope, courseID *uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return maySet(tx, sc, courseID) })
}

// List is the surveys the actor may answer or owns, open ones first.
func (s *Service) List(ctx context.Context, sc access.Scope) ([]Survey, error) {
	return s.ListPage(ctx, sc, database.Page{Limit: 500})
}

// surveyOrder lists surveys by when they close, latest first.
var surveyOrder = database.Keyset{Key: "closes_at", Cast: "timestamptz", ID: "id", Desc: true}

// At is where a survey sits in the order ListPage lists them.
func (v Survey) At() (string, uuid.UUID) { return database.TimeKey(v.ClosesAt), v.ID }

// ListPage is a page of the surveys the caller may answer or owns, latest
// closing first. Who may see a survey is decided here, not in SQL, so the
// tenant's surveys are read a batch at a time, in order, until the page is
// full or none are left.
func (s *Service) ListPage(ctx context.Context, sc access.Scope, p database.Page) ([]Survey, error) {
	out := []Survey{}
	batch := max(p.Limit, 50)
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		for at := (database.Page{Key: p.Key, After: p.After, Limit: batch}); ; {
			var all []Survey
			if err := surveyOrder.Apply(tx, at).Find(&all).Error; err != nil {
				return err
			}
			for _, v := range all {
				answer, own, err := may(tx, sc, v)
				if err != nil {
					return err
				}
				if !answer && !own {
					continue
				}
				if v.Answered, err = s.answered(tx, v.ID, sc.Actor().ID); err != nil {
					return err
				}
				if out = append(out, v); p.Limit > 0 && len(out) == p.Limit {
					return nil
				}
			}
			if len(all) < batch {
				return nil
			}
			at.Key, at.After = all[len(all)-1].At()
		}
	})
	return out, err
}

// Get is one survey.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (v Survey, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if v, _, _, err = s.load(tx, sc, id); err != nil {
			return err
		}
		v.Answered, err = s.answered(tx, id, sc.Actor().ID)
		return err
	})
	return v, err
}
