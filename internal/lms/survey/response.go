package survey

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// participant is the keyed hash that records that person answered survey:
// without the server's key, nothing in the database maps it to a person.
func (s *Service) participant(survey, person uuid.UUID) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("survey-participant\x00" + survey.String() + "\x00" + person.String()))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Service) answered(tx *gorm.DB, survey, person uuid.UUID) (bool, error) {
	var n int64
	err := tx.Raw(answeredSQL, survey, s.participant(survey, person)).Scan(&n).Error
	return n > 0, err
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
		res := tx.Exec(participateSQL, v.TenantID, v.ID, s.participant(v.ID, me))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrConflict, "you have answered this survey already")
		}
		raw, _ := json.Marshal(clean)
		if v.Anonymous {
			// A random id, no person, no time: nothing ties it to its author.
			return tx.Exec(anonymousResponseSQL,
				v.TenantID, uuid.New(), v.ID, string(raw)).Error
		}
		return tx.Exec(namedResponseSQL,
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
