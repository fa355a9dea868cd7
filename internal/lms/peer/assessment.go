// Package peer is peer assessment of group assignments: learners rate the
// contribution of each member of their teaching group against the
// teacher's criteria (1-5). The teacher sees every rating, who gave it,
// and a suggested weighting per learner, and decides the marks; the
// weighting is a suggestion, never applied by itself. A learner sees only
// the averages of the ratings they received, never who gave what.
package peer

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Criterion is one thing learners rate.
type Criterion struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Assessment is the peer assessment of one assignment.
type Assessment struct {
	TenantID     uuid.UUID   `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID   `gorm:"primaryKey" json:"id"`
	AssignmentID uuid.UUID   `json:"assignment_id"`
	Criteria     []Criterion `gorm:"serializer:json" json:"criteria"`
	ClosesAt     time.Time   `json:"closes_at"`
	CreatedBy    *uuid.UUID  `json:"-"`
	CreatedAt    time.Time   `json:"created_at"`
}

// TableName is the gorm table.
func (Assessment) TableName() string { return "peer_assessments" }

// NewAssessment is the input to set one.
type NewAssessment struct {
	Criteria []string  `json:"criteria"`
	ClosesAt time.Time `json:"closes_at"`
}

// Member is a group member a learner rates.
type Member struct {
	PersonID    uuid.UUID      `json:"person_id"`
	DisplayName string         `json:"display_name"`
	MyScores    map[string]int `gorm:"-" json:"my_scores"` // what I gave, per criterion
}

// Received is what a learner sees of the ratings they received: averages
// per criterion once rating has closed; never who. An average of fewer
// than MinRaters ratings is not shown: it would say what one person gave.
type Received struct {
	Criterion string   `json:"criterion"`
	Average   *float64 `json:"average"`
	Raters    int      `json:"raters"`
}

// MinRaters is how many ratings an average needs before the rated learner
// sees it.
const MinRaters = 2

// Rating is one rating as the teacher sees it.
type Rating struct {
	RaterID   *uuid.UUID `json:"rater_id"`
	RaterName string     `json:"rater_name"`
	RateeID   uuid.UUID  `json:"ratee_id"`
	Criterion string     `json:"criterion"`
	Score     int        `json:"score"`
}

// Weighting is a learner's suggested weighting: the share of their group's
// ratings they received, times the group's size (1.0: an equal share).
type Weighting struct {
	PersonID    uuid.UUID `json:"person_id"`
	DisplayName string    `json:"display_name"`
	Group       string    `json:"group"`
	Received    int       `json:"received_points"`
	Suggested   float64   `json:"suggested_weighting"`
}

// Results is the teacher's view.
type Results struct {
	Assessment Assessment  `json:"assessment"`
	Ratings    []Rating    `json:"ratings"`
	Weightings []Weighting `json:"weightings"`
}

// Service is the peer assessment service.
type Service struct {
	db  *database.DB
	now func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db, now: time.Now} }

func courseOf(tx *gorm.DB, assignment uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := tx.Raw(`SELECT course_id FROM assignments WHERE id = ?`, assignment).Pluck("course_id", &ids).Error; err != nil {
		return uuid.Nil, err
	}
	if len(ids) == 0 {
		return uuid.Nil, errs.New(errs.ErrNotFound, "assignment %s", assignment)
	}
	return ids[0], nil
}

// Set sets the peer assessment of an assignment: the course's teachers.
func (s *Service) Set(ctx context.Context, sc access.Scope, assignment uuid.UUID, in NewAssessment) (Assessment, error) {
	a := Assessment{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), AssignmentID: assignment, ClosesAt: in.ClosesAt.Truncate(time.Microsecond)}
	var fe errs.FieldErrors
	if len(in.Criteria) == 0 || len(in.Criteria) > 10 {
		fe.Add("criteria", "give 1-10 criteria")
	}
	for i, c := range in.Criteria {
		c = strings.TrimSpace(c)
		if c == "" || len([]rune(c)) > 300 || errs.HasControl(c) {
			fe.Add(fmt.Sprintf("criteria[%d]", i), "must be 1-300 characters")
		}
		a.Criteria = append(a.Criteria, Criterion{ID: fmt.Sprintf("c%d", i+1), Text: c})
	}
	if !a.ClosesAt.After(s.now()) {
		fe.Add("closes_at", "must be in the future")
	}
	if err := fe.Err(); err != nil {
		return a, err
	}
	me := sc.Actor().ID
	a.CreatedBy = &me
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		c, err := courseOf(tx, assignment)
		if err != nil {
			return err
		}
		if _, err := course.RequireTeach(tx, sc, c); err != nil {
			return err
		}
		if err := tx.Create(&a).Error; err != nil {
			return errs.New(errs.ErrConflict, "this assignment has a peer assessment already")
		}
		return nil
	})
	return a, err
}

// load reads the assessment and the actor's relation to its course.
func load(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Assessment, course.Relation, error) {
	var a Assessment
	res := tx.Where("id = ?", id).Limit(1).Find(&a)
	if res.Error != nil {
		return a, course.Relation{}, res.Error
	}
	if res.RowsAffected == 0 {
		return a, course.Relation{}, errs.New(errs.ErrNotFound, "peer assessment %s", id)
	}
	c, err := courseOf(tx, a.AssignmentID)
	if err != nil {
		return a, course.Relation{}, err
	}
	rel, err := course.Relate(tx, sc, c)
	if err != nil {
		return a, rel, err
	}
	if !rel.Teaches() && !(rel.Learns() && rel.Visible()) {
		return a, rel, errs.New(errs.ErrNotFound, "peer assessment %s", id)
	}
	return a, rel, nil
}

// groupMates are the other members of the actor's teaching groups on the
// assessment's course.
func groupMates(tx *gorm.DB, a Assessment, me uuid.UUID) ([]Member, error) {
	var out []Member
	err := tx.Raw(`SELECT DISTINCT p.id AS person_id, p.display_name FROM teaching_group_members mine
		JOIN teaching_group_members m ON m.group_id = mine.group_id AND m.person_id <> mine.person_id
		JOIN people p ON p.id = m.person_id
		JOIN assignments x ON x.id = ? AND x.course_id = mine.course_id
		WHERE mine.person_id = ? ORDER BY p.display_name`, a.AssignmentID, me).Scan(&out).Error
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
			if err := tx.Raw(`SELECT criterion, score FROM peer_ratings WHERE assessment_id = ? AND rater_id = ? AND ratee_id = ?`, id, me, mates[i].PersonID).
				Scan(&given).Error; err != nil {
				return err
			}
			for _, g := range given {
				mates[i].MyScores[g.Criterion] = g.Score
			}
		}
		received = []Received{}
		if err := tx.Raw(`SELECT criterion, round(avg(score), 2) AS average, count(*) AS raters FROM peer_ratings
			WHERE assessment_id = ? AND ratee_id = ? GROUP BY criterion ORDER BY criterion`, id, me).Scan(&received).Error; err != nil {
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
			if err := tx.Exec(`INSERT INTO peer_ratings (tenant_id, id, assessment_id, rater_id, ratee_id, criterion, score) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant_id, assessment_id, rater_id, ratee_id, criterion) DO UPDATE SET score = EXCLUDED.score, rated_at = now()`,
				a.TenantID, uuid.Must(uuid.NewV7()), id, me, ratee, c, v).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

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
		if err := tx.Raw(`SELECT r.rater_id, COALESCE(p.display_name, '(erased)') AS rater_name, r.ratee_id, r.criterion, r.score
			FROM peer_ratings r LEFT JOIN people p ON p.id = r.rater_id WHERE r.assessment_id = ? ORDER BY r.ratee_id, r.criterion, r.rated_at`, id).
			Scan(&r.Ratings).Error; err != nil {
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
		if err := tx.Raw(`SELECT m.person_id, p.display_name, g.id AS group_id, g.name AS group_name,
				COALESCE((SELECT sum(score) FROM peer_ratings r WHERE r.assessment_id = ? AND r.ratee_id = m.person_id), 0) AS received
			FROM teaching_groups g JOIN teaching_group_members m ON m.group_id = g.id JOIN people p ON p.id = m.person_id
			JOIN assignments x ON x.id = ? AND x.course_id = g.course_id
			JOIN enrolments e ON e.course_id = g.course_id AND e.person_id = m.person_id AND e.role = 'learner'
			ORDER BY g.name, p.display_name`, id, a.AssignmentID).Scan(&rows).Error; err != nil {
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

// ForCourse lists the peer assessments of a course's assignments, for its
// members.
func (s *Service) ForCourse(ctx context.Context, sc access.Scope, courseID uuid.UUID) ([]Assessment, error) {
	out := []Assessment{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := course.Relate(tx, sc, courseID)
		if err != nil {
			return err
		}
		if !rel.Visible() {
			return errs.New(errs.ErrNotFound, "course %s", courseID)
		}
		return tx.Raw(`SELECT p.* FROM peer_assessments p JOIN assignments a ON a.id = p.assignment_id WHERE a.course_id = ? ORDER BY p.closes_at`, courseID).
			Scan(&out).Error
	})
	return out, err
}
