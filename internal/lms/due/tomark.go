package due

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// ToMark is, for the actor, each assignment of a course they teach with
// work handed in and not marked yet (a mark given, released or not, is
// marked), oldest due date first.
func (s *Service) ToMark(ctx context.Context, sc access.Scope) ([]ToMark, error) {
	out := []ToMark{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT a.id AS assignment_id, a.course_id, c.title AS course_title, i.title, a.due_at,
				count(s.id) AS handed_in, count(s.id) FILTER (WHERE m.submission_id IS NULL) AS unmarked
			FROM enrolments e
			JOIN courses c ON c.id = e.course_id
			JOIN assignments a ON a.course_id = c.id
			JOIN course_items i ON i.id = a.item_id
			JOIN submissions s ON s.assignment_id = a.id
			LEFT JOIN marks m ON m.submission_id = s.id
			WHERE e.person_id = @p AND e.role = 'teacher'
			GROUP BY a.id, a.course_id, c.title, i.title, a.due_at
			HAVING count(s.id) FILTER (WHERE m.submission_id IS NULL) > 0
			ORDER BY a.due_at, c.title, i.title`, map[string]any{"p": sc.Actor().ID}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("due: to mark: %w", err)
	}
	return out, nil
}
