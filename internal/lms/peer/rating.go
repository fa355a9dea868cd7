package peer

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// groupMates are the other members of the actor's teaching groups on the
// assessment's course.
func groupMates(tx *gorm.DB, a Assessment, me uuid.UUID) ([]Member, error) {
	var out []Member
	err := tx.Raw(groupMatesSQL, a.AssignmentID, me).Scan(&out).Error
	return out, err
}

// Mine is, for a learner, the assessment, the group members to rate (with
// what they gave so far) and the averages of what they received.
func (s *Service) Mine(ctx context.Context, sc access.Scope, id uuid.UUID) (a Assessment, mates []Member, received []Received, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rel course.Relation
		if a, rel, err = load(tx, sc, id); err != nil {
			return err
		}
		if !rel.Learns() {
			return errs.New(errs.ErrForbidden, "only the course's learners rate")
		}
		me := sc.Actor().ID
		if mates, err = groupMates(tx, a, me); err != nil {
			return err
		}
		if mates == nil {
			mates = []Member{}
		}
		for i := range mates {
			mates[i].MyScores = map[string]int{}
			var given []struct {
				Criterion string
				Score     int
			}
			if err := tx.Raw(givenSQL, id, me, mates[i].PersonID).Scan(&given).Error; err != nil {
				return err
			}
			for _, g := range given {
				mates[i].MyScores[g.Criterion] = g.Score
			}
		}
		received = []Received{}
		if err := tx.Raw(receivedSQL, id, me).Scan(&received).Error; err != nil {
			return err
		}
		// While rating is open, a changing average would tell who gave
		// what as each rating comes in: averages show once it has closed.
		open := s.now().Before(a.ClosesAt)
		for i := range received {
			if open || received[i].Raters < MinRaters {
				received[i].Average = nil
			}
		}
		return nil
	})
	return a, mates, received, err
}

// Rate records the actor's ratings of one group member (criterion → 1-5).
func (s *Service) Rate(ctx context.Context, sc access.Scope, id, ratee uuid.UUID, scores map[string]int) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		a, rel, err := load(tx, sc, id)
		if err != nil {
			return err
		}
		if !rel.Learns() {
			return errs.New(errs.ErrForbidden, "only the course's learners rate")
		}
		if !s.now().Before(a.ClosesAt) {
			return errs.New(errs.ErrConflict, "rating closed on %s", a.ClosesAt.UTC().Format(time.DateOnly))
		}
		me := sc.Actor().ID
		mates, err := groupMates(tx, a, me)
		if err != nil {
			return err
		}
		found := false
		for _, m := range mates {
			found = found || m.PersonID == ratee
		}
		if !found {
			return errs.New(errs.ErrNotFound, "%s is not in your group", ratee)
		}
		var fe errs.FieldErrors
		known := map[string]bool{}
		for _, c := range a.Criteria {
			known[c.ID] = true
		}
		for c, v := range scores {
			if !known[c] {
				fe.Add("scores."+c, "is not a criterion of this assessment")
			} else if v < 1 || v > 5 {
				fe.Add("scores."+c, "must be 1-5")
			}
		}
		if len(scores) == 0 {
			fe.Add("scores", "rate at least one criterion")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		for c, v := range scores {
			if err := tx.Exec(rateSQL, a.TenantID, uuid.Must(uuid.NewV7()), id, me, ratee, c, v).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
