package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// SeedDay makes the demo a school day for every role, once: the class has
// a pond diary due tomorrow afternoon and a drawing that nobody handed in.
// A newcomer then finds something in the learner's To do and calendar, the
// teacher's To mark, and (Sam being Pat Parent's child, see lms dev) the
// parent's My children. Only `lms dev` calls it: the tests' demo (Seed)
// stays as their assertions expect.
func SeedDay(ctx context.Context, s Services, tenant uuid.UUID) (bool, error) {
	sys := access.System(tenant, "demo-seed")
	var course, section, teacher uuid.UUID
	var done bool
	err := access.Transact(ctx, s.DB, sys, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM course_items WHERE title = 'Pond diary'`).Scan(&n).Error; err != nil {
			return err
		}
		if done = n > 0; done {
			return nil
		}
		if err := tx.Raw(`SELECT c.id, s.id FROM courses c JOIN course_sections s ON s.course_id = c.id
			WHERE c.external_id = ? ORDER BY s.position LIMIT 1`, Marker).Row().Scan(&course, &section); err != nil {
			return fmt.Errorf("demo: course: %w", err)
		}
		if err := tx.Raw(`SELECT id FROM people WHERE username = 'jo.teacher'`).Row().Scan(&teacher); err != nil {
			return fmt.Errorf("demo: jo.teacher: %w", err)
		}
		return nil
	})
	if err != nil || done {
		return false, err
	}
	now := time.Now().In(localtime.London)
	opens := now.Add(-48 * time.Hour)
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 15, 30, 0, 0, localtime.London)
	tm := access.Member(tenant, teacher)
	if _, err := s.Assignments.Create(ctx, tm, course, assignment.NewAssignment{SectionID: section, Title: "Pond diary",
		Instructions: "Write three sentences about what you saw at the pond this week.", OpensAt: &opens, DueAt: tomorrow, MaxScore: 10}); err != nil {
		return false, fmt.Errorf("demo: pond diary: %w", err)
	}
	drawing, err := s.Assignments.Create(ctx, tm, course, assignment.NewAssignment{SectionID: section, Title: "Minibeast drawing",
		Instructions: "Draw one minibeast from the log pile and label its body parts.", OpensAt: &opens, DueAt: now.Add(24 * time.Hour), MaxScore: 10})
	if err != nil {
		return false, fmt.Errorf("demo: drawing: %w", err)
	}
	err = access.Transact(ctx, s.DB, sys, func(tx *gorm.DB) error {
		// Due yesterday and not handed in: missing. (Create refuses a due
		// date in the past, as a teacher's form should.)
		return tx.Exec(`UPDATE assignments SET opens_at = ?, due_at = ? WHERE id = ?`,
			now.Add(-7*24*time.Hour), now.Add(-24*time.Hour), drawing.ID).Error
	})
	return err == nil, err
}
