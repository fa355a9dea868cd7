package quiz

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// AddQuestion adds a question to a course's bank: its teachers and its
// school's admins.
func (s *Service) AddQuestion(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewQuestion) (Question, error) {
	q := Question{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Kind: in.Kind, Options: []Option{}}
	var fe errs.FieldErrors
	q.Prompt = fe.Text("prompt", in.Prompt, 1, 5000)
	q.Points = points(&fe, "points", in.Points)
	a := Answer{}
	switch in.Kind {
	case "single", "multiple":
		q.Options, a.Options = choiceKey(&fe, in)
	case "numeric":
		a.Value, a.Tolerance = numericKey(&fe, in.Answer)
	case "short":
		a.Accept = shortKey(&fe, in.Answer.Accept)
	case "essay":
		// Marked by a teacher.
	default:
		fe.Add("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	if err := fe.Err(); err != nil {
		return q, err
	}
	q.Answer = &a
	actor := sc.Actor().ID
	q.CreatedBy = &actor
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		return tx.Create(&q).Error
	})
	return q, err
}

func points(fe *errs.FieldErrors, field string, v float64) float64 {
	r := math.Round(v*100) / 100
	if math.IsNaN(v) || math.IsInf(v, 0) || r <= 0 || v > 1000 {
		fe.Add(field, "must be from 0.01 to 1000 (two decimal places)")
	}
	return r
}

// choiceKey checks a single or multiple choice question's options and
// returns them with the right ones.
func choiceKey(fe *errs.FieldErrors, in NewQuestion) ([]Option, []string) {
	opts := []Option{}
	ids := map[string]bool{}
	if len(in.Options) < 2 || len(in.Options) > 20 {
		fe.Add("options", "give 2-20 options")
	}
	for i, o := range in.Options {
		o.ID, o.Text = strings.TrimSpace(o.ID), strings.TrimSpace(o.Text)
		if o.ID == "" || len(o.ID) > 20 || ids[o.ID] || errs.HasControl(o.ID) {
			fe.Add(fmt.Sprintf("options[%d].id", i), "must be 1-20 characters and unique")
		}
		o.Text = fe.Text(fmt.Sprintf("options[%d].text", i), o.Text, 1, 1000)
		ids[o.ID] = true
		opts = append(opts, o)
	}
	for _, id := range in.Answer.Options {
		if !ids[id] {
			fe.Add("answer.options", "must name the question's options")
			break
		}
	}
	right := dedupe(in.Answer.Options)
	if len(right) == 0 || in.Kind == "single" && len(right) != 1 {
		fe.Add("answer.options", "a single-choice question has one right option, a multiple-answer question one or more")
	}
	return opts, right
}

// numericKey checks a numeric question's right value and tolerance.
func numericKey(fe *errs.FieldErrors, in Answer) (*float64, float64) {
	if in.Value == nil || math.IsNaN(*in.Value) || math.IsInf(*in.Value, 0) {
		fe.Add("answer.value", "is required: the right number")
	}
	if t := in.Tolerance; math.IsNaN(t) || t < 0 || math.IsInf(t, 0) {
		fe.Add("answer.tolerance", "must be 0 or more")
	}
	return in.Value, in.Tolerance
}

// shortKey checks a short answer question's accepted answers.
func shortKey(fe *errs.FieldErrors, accept []string) []string {
	var out []string
	for i, v := range accept {
		v = strings.TrimSpace(v)
		if v == "" || len(v) > 200 || errs.HasControl(v) {
			fe.Add(fmt.Sprintf("answer.accept[%d]", i), "must be 1-200 characters")
		}
		out = append(out, v)
	}
	if len(out) == 0 || len(out) > 20 {
		fe.Add("answer.accept", "give 1-20 accepted answers")
	}
	return out
}

func dedupe(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// Questions is a course's bank, with the answers: teachers only.
func (s *Service) Questions(ctx context.Context, sc access.Scope, courseID uuid.UUID) ([]Question, error) {
	return s.QuestionPage(ctx, sc, courseID, database.Page{Limit: 1000})
}

// questionOrder lists the bank oldest first.
var questionOrder = database.Keyset{Key: "created_at", Cast: "timestamptz", ID: "id"}

// At is where a question sits in the bank's order.
func (q Question) At() (string, uuid.UUID) { return database.TimeKey(q.CreatedAt), q.ID }

// QuestionPage is a page of a course's question bank, oldest first.
func (s *Service) QuestionPage(ctx context.Context, sc access.Scope, courseID uuid.UUID, p database.Page) ([]Question, error) {
	out := []Question{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		return questionOrder.Apply(tx.Where("course_id = ?", courseID), p).Find(&out).Error
	})
	return out, err
}
