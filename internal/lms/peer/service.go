// Package peer is peer assessment of group assignments: learners rate the
// contribution of each member of their teaching group against the
// teacher's criteria (1-5). The teacher sees every rating, who gave it,
// and a suggested weighting per learner, and decides the marks; the
// weighting is a suggestion, never applied by itself. A learner sees only
// the averages of the ratings they received, never who gave what.
package peer

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service is the peer assessment service.
type Service struct {
	db  *database.DB
	now func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db, now: time.Now} }

func courseOf(tx *gorm.DB, assignment uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := tx.Raw(courseOfSQL, assignment).Pluck("course_id", &ids).Error; err != nil {
		return uuid.Nil, err
	}
	if len(ids) == 0 {
		return uuid.Nil, errs.New(errs.ErrNotFound, "assignment %s", assignment)
	}
	return ids[0], nil
}

// load reads the assessment and the actor's relation to its course.
func load(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Assessment, course.Relation, error) {
	var a Assessment
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&a), "peer assessment %s", id); err != nil {
		return a, course.Relation{}, err
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
