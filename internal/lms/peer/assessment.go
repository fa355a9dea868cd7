package peer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

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
		return tx.Raw(forCourseSQL, courseID).Scan(&out).Error
	})
	return out, err
}
