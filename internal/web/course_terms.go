package web

import (
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/request"
)

// courseTerms are the tenant's terms as the course pages show them: each
// course's term and whether it has ended on the school's wall clock.
type courseTerms struct {
	All   []course.Term
	now   time.Time
	loc   *time.Location
	index map[uuid.UUID]course.Term
}

func (s *Site) courseTerms(c *gin.Context) (courseTerms, error) {
	all, err := s.d.Courses.Terms(c.Request.Context(), request.Scope(c))
	if err != nil {
		return courseTerms{}, err
	}
	ts := courseTerms{All: all, now: time.Now(), loc: s.zone(c), index: map[uuid.UUID]course.Term{}}
	for _, t := range all {
		ts.index[t.ID] = t
	}
	return ts, nil
}

// of is the course's term (nil when it is in none).
func (ts courseTerms) of(cr course.Course) *course.Term {
	if cr.TermID == nil {
		return nil
	}
	if t, ok := ts.index[*cr.TermID]; ok {
		return &t
	}
	return nil
}

// ended reports whether the course's term is over.
func (ts courseTerms) ended(cr course.Course) bool {
	t := ts.of(cr)
	return t != nil && t.Ended(ts.now, ts.loc)
}

// next is the term after the course's (nil when none): the default a
// copy or rollover of it is offered.
func (ts courseTerms) next(cr course.Course) *course.Term {
	return course.NextTerm(ts.All, cr.TermID)
}

// termChoice is one term in a form's list: its id and its name with its
// dates ("Spring 2027, Tue 5 Jan 2027 to Fri 26 Mar 2027").
func termChoice(t course.Term) choice {
	return choice{t.ID.String(), t.Title + ", " + dayOf(t.StartsOn, time.UTC) + " to " + dayOf(t.EndsOn, time.UTC)}
}
