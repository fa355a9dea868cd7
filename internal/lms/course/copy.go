package course

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Copying is one course being copied, for the areas that copy their own
// objects with it (assignments, quizzes): the course copied and its copy,
// each item's copy, and who copies (the author of everything copied).
type Copying struct {
	From, To uuid.UUID
	Items    map[uuid.UUID]uuid.UUID
	By       uuid.UUID
}

// OnCopy registers fn to run in the transaction that copies a course,
// after its sections and items are copied. Wired once in services.
func (s *Service) OnCopy(fn func(tx *gorm.DB, cp Copying) error) {
	s.copiers = append(s.copiers, fn)
}

// CopyInput names the copy.
type CopyInput struct {
	Title string `json:"title" binding:"required,max=200"`
	// TermID is the term the copy runs in (the page offers the term after
	// the course's own); left out, the copy is in no term.
	TermID *uuid.UUID `json:"term_id,omitempty"`
}

// Copy makes a new draft course in the same school from a course's
// structure (sections, items with their order, visibility and schedule),
// content (pages, links), files (copied in the store, pages pointing at
// their copied images), quizzes with their questions, and assignments;
// never its people, enrolments, groups, submissions, marks, attempts,
// progress, posts or activity. The copier becomes the copy's one teacher.
// The rows go in one transaction; the objects are copied before it and
// given up if it fails, so a failed copy leaves nothing.
func (s *Service) Copy(ctx context.Context, sc access.Scope, from uuid.UUID, in CopyInput) (c Course, err error) {
	c, err = s.copyWith(ctx, sc, from, in.Title, func(tx *gorm.DB, c Course) error {
		if in.TermID == nil {
			return nil
		}
		if err := checkTerm(tx, "term_id", in.TermID); err != nil {
			return err
		}
		return setTerm(tx, c.ID, in.TermID)
	})
	if err == nil {
		c.TermID = in.TermID
	}
	return c, err
}

// copyWith copies as Copy does; then, when set, runs in the same
// transaction (a rollover's record that this course is copied).
func (s *Service) copyWith(ctx context.Context, sc access.Scope, from uuid.UUID, title string, then func(tx *gorm.DB, c Course) error) (c Course, err error) {
	var fe errs.FieldErrors
	title = fe.Line("title", title, 1, 200)
	if err := fe.Err(); err != nil {
		return c, err
	}
	var fileIDs []uuid.UUID
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := mayCopy(tx, sc, from); err != nil {
			return err
		}
		return tx.Raw(`SELECT file_id FROM course_items WHERE course_id = @c AND file_id IS NOT NULL
			UNION SELECT m.file_id FROM item_images m JOIN course_items i ON i.id = m.item_id WHERE i.course_id = @c`,
			map[string]any{"c": from}).Scan(&fileIDs).Error
	})
	if err != nil {
		return c, err
	}
	fileMap, err := s.files.Copy(ctx, sc, fileIDs)
	if err != nil {
		return c, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		src, err := mayCopy(tx, sc, from)
		if err != nil {
			return err
		}
		if c, err = s.copyRows(tx, sc, src, title, fileMap); err != nil || then == nil {
			return err
		}
		return then(tx, c)
	})
	if err != nil {
		s.files.Abandon(context.WithoutCancel(ctx), sc, copies(fileMap))
		return Course{}, err
	}
	return c, nil
}

// mayCopy reads the course to copy: its teachers and its school's admins
// may copy it where they may make a course in its school.
func mayCopy(tx *gorm.DB, sc access.Scope, from uuid.UUID) (Course, error) {
	src, rel, err := relateWithCourse(tx, sc, from)
	if err != nil {
		return src, err
	}
	if !rel.Teaches() || sc.Reader() {
		return src, errs.New(errs.ErrForbidden, "only the course's teachers and its school's admins may copy it")
	}
	if rel.Admin {
		return src, nil
	}
	var may bool
	if err := tx.Raw(`SELECT teachers_create_courses FROM schools WHERE id = ?`, src.SchoolID).Row().Scan(&may); err != nil {
		return src, fmt.Errorf("course: school setting: %w", err)
	}
	if !may {
		return src, errs.New(errs.ErrForbidden, "your school's admins make the courses here: ask them for a copy")
	}
	return src, nil
}

// copyRows writes the copy of src in tx: the course, its copier's
// enrolment, sections, items, page images, then what other areas copy.
func (s *Service) copyRows(tx *gorm.DB, sc access.Scope, src Course, title string, fileMap map[uuid.UUID]uuid.UUID) (Course, error) {
	me := sc.Actor().ID
	c := Course{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), SchoolID: src.SchoolID, Title: title, Summary: src.Summary, Status: Draft, MyRole: RoleTeacher}
	if err := tx.Create(&c).Error; err != nil {
		return c, fmt.Errorf("course: copy: %w", err)
	}
	if err := tx.Create(&Enrolment{TenantID: sc.Tenant(), CourseID: c.ID, PersonID: me, Role: RoleTeacher}).Error; err != nil {
		return c, fmt.Errorf("course: copy: teacher: %w", err)
	}
	var sections []Section
	if err := tx.Where("course_id = ?", src.ID).Order("position, id").Find(&sections).Error; err != nil {
		return c, fmt.Errorf("course: copy: sections: %w", err)
	}
	secMap := make(map[uuid.UUID]uuid.UUID, len(sections))
	for i := range sections {
		old := sections[i].ID
		sections[i].ID, sections[i].CourseID, sections[i].CreatedAt = uuid.Must(uuid.NewV7()), c.ID, time.Time{}
		secMap[old] = sections[i].ID
	}
	if len(sections) > 0 {
		if err := tx.Create(&sections).Error; err != nil {
			return c, fmt.Errorf("course: copy: sections: %w", err)
		}
	}
	var items []Item
	if err := tx.Where("course_id = ?", src.ID).Order("position, id").Find(&items).Error; err != nil {
		return c, fmt.Errorf("course: copy: items: %w", err)
	}
	itemMap := make(map[uuid.UUID]uuid.UUID, len(items))
	for i := range items {
		it := &items[i]
		old := it.ID
		it.ID, it.CourseID, it.SectionID = uuid.Must(uuid.NewV7()), c.ID, secMap[it.SectionID]
		it.CreatedBy, it.CreatedAt, it.UpdatedAt = &me, time.Time{}, time.Time{}
		if it.FileID != nil {
			n, ok := fileMap[*it.FileID]
			if !ok {
				return c, errs.New(errs.ErrConflict, "a file of %q was deleted while the course was copied: copy it again", it.Title)
			}
			it.FileID = &n
		}
		if it.BodyHTML != nil {
			body := RepointImages(sc.Tenant(), *it.BodyHTML, fileMap)
			it.BodyHTML = &body
		}
		itemMap[old] = it.ID
	}
	if len(items) > 0 {
		if err := tx.Create(&items).Error; err != nil {
			return c, fmt.Errorf("course: copy: items: %w", err)
		}
	}
	var images []struct{ ItemID, FileID uuid.UUID }
	if err := tx.Raw(`SELECT m.item_id, m.file_id FROM item_images m JOIN course_items i ON i.id = m.item_id WHERE i.course_id = ?`, src.ID).Scan(&images).Error; err != nil {
		return c, fmt.Errorf("course: copy: page images: %w", err)
	}
	for _, m := range images {
		n, ok := fileMap[m.FileID]
		if !ok {
			return c, errs.New(errs.ErrConflict, "an image was added to a page while the course was copied: copy it again")
		}
		if err := tx.Exec(`INSERT INTO item_images (tenant_id, item_id, file_id) VALUES (app_tenant_id(), ?, ?)`, itemMap[m.ItemID], n).Error; err != nil {
			return c, fmt.Errorf("course: copy: page image: %w", err)
		}
	}
	if err := files.Adopt(tx, copies(fileMap), files.ForContent); err != nil {
		return c, err
	}
	cp := Copying{From: src.ID, To: c.ID, Items: itemMap, By: me}
	for _, fn := range s.copiers {
		if err := fn(tx, cp); err != nil {
			return c, err
		}
	}
	err := tx.Where("id = ?", c.ID).Take(&c).Error
	c.MyRole = RoleTeacher
	return c, err
}

// RepointImages makes a copied page show the copies of its images.
func RepointImages(tenant uuid.UUID, body string, fileMap map[uuid.UUID]uuid.UUID) string {
	for old, n := range fileMap {
		body = strings.ReplaceAll(body, ImagePath(tenant, old), ImagePath(tenant, n))
	}
	return body
}

func copies(m map[uuid.UUID]uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
