// Package survey holds surveys and feedback forms of a course (its
// teachers set them, its members answer) or of the whole school (its
// tenant-wide admins set them, every member answers), anonymous or named.
//
// An anonymous response stores no link to its author: no person, no time,
// and a random id (version 4, which says nothing of when it was made);
// nothing about it goes to the audit trail or the activity record. That a
// person took part is kept apart, without a time and only as a hash keyed
// with the server's key (not in the database), so each answers once: the
// participation row and the answer are written together, but nothing in
// the database alone maps either to a person. A named survey states its purpose; its responses are
// personal data, in subject access exports and erased with the person.
package survey

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Kinds of survey question.
var Kinds = []string{"scale", "choice", "text"}

// Question is one question: a 1-5 scale, a choice of options, or text.
type Question struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Prompt  string   `json:"prompt"`
	Options []string `json:"options,omitempty"`
}

// Survey is one survey.
type Survey struct {
	TenantID    uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID  `gorm:"primaryKey" json:"id"`
	CourseID    *uuid.UUID `json:"course_id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Anonymous   bool       `json:"anonymous"`
	Purpose     string     `json:"purpose"`
	Questions   []Question `gorm:"serializer:json" json:"questions"`
	ClosesAt    time.Time  `json:"closes_at"`
	CreatedBy   *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// For the person asking: whether they have answered.
	Answered bool `gorm:"-" json:"answered"`
}

// TableName is the gorm table.
func (Survey) TableName() string { return "surveys" }

// NewSurvey is the input to set a survey.
type NewSurvey struct {
	CourseID    *uuid.UUID `json:"course_id"`
	Title       string     `json:"title" binding:"max=200"`
	Description string     `json:"description" binding:"max=5000"`
	Anonymous   bool       `json:"anonymous"`
	Purpose     string     `json:"purpose" binding:"max=1000"`
	Questions   []Question `json:"questions"`
	ClosesAt    time.Time  `json:"closes_at"`
}

// Response is one response as its survey's owners see it: the person and
// time only for a named survey.
type Response struct {
	TenantID    uuid.UUID         `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID         `gorm:"primaryKey" json:"-"`
	SurveyID    uuid.UUID         `json:"-"`
	PersonID    *uuid.UUID        `json:"person_id,omitempty"`
	Answers     map[string]string `gorm:"serializer:json" json:"answers"`
	SubmittedAt *time.Time        `json:"submitted_at,omitempty"`
	PersonName  string            `gorm:"->;-:migration" json:"person_name,omitempty"`
}

// TableName is the gorm table.
func (Response) TableName() string { return "survey_responses" }

// Results is what a survey's owners see: how many answered, each
// question's tally (scale and choice) and the responses (shuffled and
// without person or time for an anonymous survey).
type Results struct {
	Survey    Survey                    `json:"survey"`
	Responses []Response                `json:"responses"`
	Tallies   map[string]map[string]int `json:"tallies"`
}

// Service is the survey service.
type Service struct {
	db  *database.DB
	key []byte
	now func() time.Time
}

// NewService builds the service; key (the server's, never in the
// database) keys the participation hashes.
func NewService(db *database.DB, key []byte) *Service {
	return &Service{db: db, key: key, now: time.Now}
}

// participant is the keyed hash that records that person answered survey:
// without the server's key, nothing in the database maps it to a person.
func (s *Service) participant(survey, person uuid.UUID) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("survey-participant\x00" + survey.String() + "\x00" + person.String()))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Service) answered(tx *gorm.DB, survey, person uuid.UUID) (bool, error) {
	var n int64
	err := tx.Raw(`SELECT count(*) FROM survey_participants WHERE survey_id = ? AND participant_hash = ?`, survey, s.participant(survey, person)).Scan(&n).Error
	return n > 0, err
}

// Create sets a survey.
func (s *Service) Create(ctx context.Context, sc access.Scope, in NewSurvey) (Survey, error) {
	v := Survey{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: in.CourseID, Anonymous: in.Anonymous, ClosesAt: in.ClosesAt.Truncate(time.Microsecond)}
	var fe errs.FieldErrors
	clean := func(field, s string, min, max int) string {
		s = strings.TrimSpace(s)
		if n := len([]rune(s)); n < min || n > max || errs.HasControlText(s) {
			fe.Add(field, "must be %d-%d characters without control characters", min, max)
		}
		return s
	}
	v.Title = clean("title", in.Title, 1, 200)
	v.Description = clean("description", in.Description, 0, 5000)
	v.Purpose = clean("purpose", in.Purpose, 0, 1000)
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
		q.ID = fmt.Sprintf("q%d", i+1)
		q.Prompt = clean(fmt.Sprintf("questions[%d].prompt", i), q.Prompt, 1, 1000)
		switch q.Kind {
		case "scale", "text":
			q.Options = nil
		case "choice":
			if len(q.Options) < 2 || len(q.Options) > 20 {
				fe.Add(fmt.Sprintf("questions[%d].options", i), "give 2-20 options")
			}
			seen := map[string]bool{}
			for j, o := range q.Options {
				q.Options[j] = clean(fmt.Sprintf("questions[%d].options[%d]", i, j), o, 1, 200)
				if seen[q.Options[j]] {
					fe.Add(fmt.Sprintf("questions[%d].options[%d]", i, j), "repeats another option")
				}
				seen[q.Options[j]] = true
			}
		default:
			fe.Add(fmt.Sprintf("questions[%d].kind", i), "must be one of %s", strings.Join(Kinds, ", "))
		}
		v.Questions = append(v.Questions, q)
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

// MaySet answers nil when the actor may set a survey of the course (its
// teachers and its school's admins) or, without one, of the whole school
// (tenant-wide admins): for the page that offers the form.
func (s *Service) MaySet(ctx context.Context, sc access.Scope, courseID *uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return maySet(tx, sc, courseID) })
}

func maySet(tx *gorm.DB, sc access.Scope, courseID *uuid.UUID) error {
	if courseID != nil {
		_, err := course.RequireTeach(tx, sc, *courseID)
		return err
	}
	if ok, err := identity.IsTenantAdmin(tx, sc.Actor().ID); err != nil {
		return err
	} else if !ok {
		return errs.New(errs.ErrForbidden, "a survey of the whole school is set by its tenant-wide admins; give a course_id")
	}
	return nil
}

// may reports whether the actor may answer v, and whether they own it
// (see its results).
func may(tx *gorm.DB, sc access.Scope, v Survey) (answer, own bool, err error) {
	me := sc.Actor().ID
	if v.CourseID == nil {
		admin, err := identity.IsTenantAdmin(tx, me)
		return true, admin, err
	}
	rel, err := course.Relate(tx, sc, *v.CourseID)
	if err != nil {
		return false, false, err
	}
	return rel.Visible(), rel.Teaches(), nil
}

func (s *Service) load(tx *gorm.DB, sc access.Scope, id uuid.UUID) (v Survey, answer, own bool, err error) {
	res := tx.Where("id = ?", id).Limit(1).Find(&v)
	if res.Error != nil {
		return v, false, false, res.Error
	}
	if res.RowsAffected == 0 {
		return v, false, false, errs.New(errs.ErrNotFound, "survey %s", id)
	}
	if answer, own, err = may(tx, sc, v); err != nil {
		return v, false, false, err
	}
	if !answer && !own {
		return v, false, false, errs.New(errs.ErrNotFound, "survey %s", id)
	}
	return v, answer, own, nil
}

// List is the surveys the actor may answer or owns, open ones first.
func (s *Service) List(ctx context.Context, sc access.Scope) ([]Survey, error) {
	out := []Survey{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var all []Survey
		if err := tx.Order("closes_at DESC, id").Limit(500).Find(&all).Error; err != nil {
			return err
		}
		for _, v := range all {
			answer, own, err := may(tx, sc, v)
			if err != nil {
				return err
			}
			if answer || own {
				if v.Answered, err = s.answered(tx, v.ID, sc.Actor().ID); err != nil {
					return err
				}
				out = append(out, v)
			}
		}
		return nil
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

// Answer records the actor's response, once. For an anonymous survey
// the response holds only the answers.
func (s *Service) Answer(ctx context.Context, sc access.Scope, id uuid.UUID, answers map[string]string) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		v, answer, _, err := s.load(tx, sc, id)
		if err != nil {
			return err
		}
		if !answer {
			return errs.New(errs.ErrForbidden, "this survey is not for you to answer")
		}
		if !s.now().Before(v.ClosesAt) {
			return errs.New(errs.ErrConflict, "the survey closed on %s", v.ClosesAt.UTC().Format(time.DateOnly))
		}
		clean, err := checkAnswers(v, answers)
		if err != nil {
			return err
		}
		me := sc.Actor().ID
		res := tx.Exec(`INSERT INTO survey_participants (tenant_id, survey_id, participant_hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			v.TenantID, v.ID, s.participant(v.ID, me))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrConflict, "you have answered this survey already")
		}
		raw, _ := json.Marshal(clean)
		if v.Anonymous {
			// A random id, no person, no time: nothing ties it to its author.
			return tx.Exec(`INSERT INTO survey_responses (tenant_id, id, survey_id, answers) VALUES (?, ?, ?, ?)`,
				v.TenantID, uuid.New(), v.ID, string(raw)).Error
		}
		return tx.Exec(`INSERT INTO survey_responses (tenant_id, id, survey_id, person_id, answers, submitted_at) VALUES (?, ?, ?, ?, ?, ?)`,
			v.TenantID, uuid.Must(uuid.NewV7()), v.ID, me, string(raw), s.now().UTC()).Error
	})
}

func checkAnswers(v Survey, in map[string]string) (map[string]string, error) {
	var fe errs.FieldErrors
	out := map[string]string{}
	known := map[string]Question{}
	for _, q := range v.Questions {
		known[q.ID] = q
	}
	for k, a := range in {
		q, ok := known[k]
		if !ok {
			fe.Add("answers."+k, "is not a question of this survey")
			continue
		}
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		switch q.Kind {
		case "scale":
			if len(a) != 1 || a < "1" || a > "5" {
				fe.Add("answers."+k, "must be 1-5")
			}
		case "choice":
			if !slices.Contains(q.Options, a) {
				fe.Add("answers."+k, "must be one of the options")
			}
		case "text":
			if len([]rune(a)) > 5000 || errs.HasControlText(a) {
				fe.Add("answers."+k, "must be at most 5000 characters without control characters")
			}
		}
		out[k] = a
	}
	if len(out) == 0 && len(fe) == 0 {
		fe.Add("answers", "answer at least one question")
	}
	return out, fe.Err()
}

// Results is a survey's responses and tallies, for its owners. An
// anonymous survey's responses come in random order, with no id.
func (s *Service) Results(ctx context.Context, sc access.Scope, id uuid.UUID) (r Results, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		v, _, own, err := s.load(tx, sc, id)
		if err != nil {
			return err
		}
		if !own {
			return errs.New(errs.ErrForbidden, "only the survey's owners see its results")
		}
		r = Results{Survey: v, Responses: []Response{}, Tallies: map[string]map[string]int{}}
		q := tx.Table("survey_responses r").Select("r.*, p.display_name AS person_name").
			Joins("LEFT JOIN people p ON p.id = r.person_id").Where("r.survey_id = ?", id).Limit(5000)
		if v.Anonymous {
			q = q.Order("random()")
		} else {
			q = q.Order("r.submitted_at")
		}
		if err := q.Find(&r.Responses).Error; err != nil {
			return err
		}
		for _, resp := range r.Responses {
			for _, qu := range v.Questions {
				if a, ok := resp.Answers[qu.ID]; ok && qu.Kind != "text" {
					if r.Tallies[qu.ID] == nil {
						r.Tallies[qu.ID] = map[string]int{}
					}
					r.Tallies[qu.ID][a]++
				}
			}
		}
		return nil
	})
	return r, err
}
