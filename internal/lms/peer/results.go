package peer

import (
	"context"
	"math"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Results is every rating with who gave it, and the suggested weightings:
// the course's teachers only.
func (s *Service) Results(ctx context.Context, sc access.Scope, id uuid.UUID) (r Results, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		a, rel, err := load(tx, sc, id)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers see who rated whom")
		}
		r = Results{Assessment: a, Ratings: []Rating{}, Weightings: []Weighting{}}
		if err := tx.Raw(ratingsSQL, id).Scan(&r.Ratings).Error; err != nil {
			return err
		}
		// Per group: each member's share of the points given in the group,
		// times the group's size.
		var rows []struct {
			PersonID    uuid.UUID
			DisplayName string
			GroupID     uuid.UUID
			GroupName   string
			Received    int
		}
		if err := tx.Raw(receivedByGroupSQL, id, a.AssignmentID).Scan(&rows).Error; err != nil {
			return err
		}
		total, size := map[uuid.UUID]int{}, map[uuid.UUID]int{}
		for _, x := range rows {
			total[x.GroupID] += x.Received
			size[x.GroupID]++
		}
		for _, x := range rows {
			w := Weighting{PersonID: x.PersonID, DisplayName: x.DisplayName, Group: x.GroupName, Received: x.Received, Suggested: 1}
			if total[x.GroupID] > 0 {
				w.Suggested = math.Round(float64(x.Received)/float64(total[x.GroupID])*float64(size[x.GroupID])*100) / 100
			}
			r.Weightings = append(r.Weightings, w)
		}
		return nil
	})
	return r, err
}
