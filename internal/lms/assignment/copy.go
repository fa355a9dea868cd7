package assignment

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/lms/course"
)

// CopyForCourse copies a course's assignments to its copy, each with the
// copy of its course item: instructions, dates, maximum mark and what may
// be handed in. Never the work: no submissions, marks or extra time.
// Registered with course.Service.OnCopy.
func CopyForCourse(tx *gorm.DB, cp course.Copying) error {
	var as []Assignment
	if err := tx.Where("course_id = ?", cp.From).Order("id").Find(&as).Error; err != nil {
		return fmt.Errorf("assignment: copy: %w", err)
	}
	for i := range as {
		item, ok := cp.Items[as[i].ItemID]
		if !ok {
			return fmt.Errorf("assignment: copy: item %s not copied", as[i].ItemID)
		}
		by := cp.By
		as[i].ID, as[i].CourseID, as[i].ItemID, as[i].CreatedBy = uuid.Must(uuid.NewV7()), cp.To, item, &by
	}
	if len(as) == 0 {
		return nil
	}
	err := tx.Omit("created_at", "updated_at").Create(&as).Error
	if err != nil {
		return fmt.Errorf("assignment: copy: %w", err)
	}
	return nil
}
