package course

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// InsertItemTx adds it at the end of its section, inside an open
// transaction where the caller has already checked rel.Teaches(). It checks
// that the section belongs to the course and sets ID, Position and
// CourseID. Other packages use it for the course item of their own objects
// (an assignment's place in a section).
func InsertItemTx(tx *gorm.DB, rel Relation, it *Item) error {
	if !rel.Teaches() {
		return errs.New(errs.ErrForbidden, "add item")
	}
	var n int64
	if err := tx.Table("course_sections").Where("id = ? AND course_id = ?", it.SectionID, rel.CourseID).Count(&n).Error; err != nil {
		return fmt.Errorf("add item: section: %w", err)
	}
	if n == 0 {
		return errs.Field("section_id", "is not a section of this course")
	}
	var pos int
	if err := tx.Raw(`SELECT COALESCE(max(position) + 1, 0) FROM course_items WHERE section_id = ?`, it.SectionID).Row().Scan(&pos); err != nil {
		return fmt.Errorf("add item: position: %w", err)
	}
	if it.ID == uuid.Nil {
		it.ID = uuid.Must(uuid.NewV7())
	}
	it.TenantID, it.CourseID, it.Position = rel.TenantID, rel.CourseID, pos
	if err := tx.Create(it).Error; err != nil {
		return fmt.Errorf("add item: %w", err)
	}
	return nil
}
