package course

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// schoolOfSQL finds the school of the course a page is about, by the kind
// of id its address holds. Keys are route parameter names; never input.
var schoolOfSQL = map[string]string{
	"course":     `SELECT school_id FROM courses WHERE id = ?`,
	"section":    `SELECT c.school_id FROM course_sections s JOIN courses c ON c.id = s.course_id WHERE s.id = ?`,
	"item":       `SELECT c.school_id FROM course_items i JOIN courses c ON c.id = i.course_id WHERE i.id = ?`,
	"assignment": `SELECT c.school_id FROM assignments a JOIN courses c ON c.id = a.course_id WHERE a.id = ?`,
	"submission": `SELECT c.school_id FROM submissions s JOIN assignments a ON a.id = s.assignment_id JOIN courses c ON c.id = a.course_id WHERE s.id = ?`,
	"quiz":       `SELECT c.school_id FROM quizzes q JOIN courses c ON c.id = q.course_id WHERE q.id = ?`,
	"survey":     `SELECT c.school_id FROM surveys v JOIN courses c ON c.id = v.course_id WHERE v.id = ?`,
}

// SchoolParams are the address parts SchoolOf understands, in the order
// a page is looked at.
var SchoolParams = []string{"course", "section", "item", "assignment", "submission", "quiz", "survey"}

// SchoolOf is the school of the course that the id of kind (one of
// SchoolParams) belongs to, as far as sc may see it; ok is false when
// there is none (no such thing, or not the viewer's to see).
func (s *Service) SchoolOf(ctx context.Context, sc access.Scope, kind string, id uuid.UUID) (school uuid.UUID, ok bool, err error) {
	q, known := schoolOfSQL[kind]
	if !known {
		return uuid.Nil, false, nil
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(q, id).Row().Scan(&school)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("course: school of %s %s: %w", kind, id, err)
	}
	return school, school != uuid.Nil, nil
}
