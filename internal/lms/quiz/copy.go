package quiz

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/lms/course"
)

// CopyForCourse copies a course's question bank and quizzes (with which
// questions each asks, in order) to its copy; never attempts or answers,
// and a copied quiz's results are not released. Registered with
// course.Service.OnCopy.
func CopyForCourse(tx *gorm.DB, cp course.Copying) error {
	by := cp.By
	var qs []Question
	if err := tx.Where("course_id = ?", cp.From).Order("id").Find(&qs).Error; err != nil {
		return fmt.Errorf("quiz: copy questions: %w", err)
	}
	qMap := make(map[uuid.UUID]uuid.UUID, len(qs))
	for i := range qs {
		n := uuid.Must(uuid.NewV7())
		qMap[qs[i].ID] = n
		qs[i].ID, qs[i].CourseID, qs[i].CreatedBy = n, cp.To, &by
	}
	if len(qs) > 0 {
		if err := tx.Omit("created_at").Create(&qs).Error; err != nil {
			return fmt.Errorf("quiz: copy questions: %w", err)
		}
	}
	var quizzes []Quiz
	if err := tx.Where("course_id = ?", cp.From).Order("id").Find(&quizzes).Error; err != nil {
		return fmt.Errorf("quiz: copy: %w", err)
	}
	for _, q := range quizzes {
		old := q.ID
		q.ID, q.CourseID, q.CreatedBy, q.ResultsReleasedAt = uuid.Must(uuid.NewV7()), cp.To, &by, nil
		if err := tx.Omit("created_at").Create(&q).Error; err != nil {
			return fmt.Errorf("quiz: copy: %w", err)
		}
		var items []struct {
			QuestionID uuid.UUID
			Position   int
		}
		if err := tx.Raw(`SELECT question_id, position FROM quiz_items WHERE quiz_id = ?`, old).Scan(&items).Error; err != nil {
			return fmt.Errorf("quiz: copy questions of %s: %w", old, err)
		}
		for _, it := range items {
			if err := tx.Exec(`INSERT INTO quiz_items (tenant_id, quiz_id, question_id, position) VALUES (app_tenant_id(), ?, ?, ?)`,
				q.ID, qMap[it.QuestionID], it.Position).Error; err != nil {
				return fmt.Errorf("quiz: copy questions of %s: %w", old, err)
			}
		}
	}
	return nil
}
