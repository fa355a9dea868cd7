package discussion

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Forums lists a course's forums in creation order, for everyone who may
// see the course; query filters by words in the title.
func (s *Service) Forums(ctx context.Context, sc access.Scope, courseID uuid.UUID, query string, after uuid.UUID, limit int) ([]Forum, error) {
	out := []Forum{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.Relate(tx, sc, courseID); err != nil {
			return err
		}
		return tx.Raw(`SELECT f.*, (SELECT count(*) FROM threads t WHERE t.forum_id = f.id) AS thread_count
			FROM forums f
			WHERE f.course_id = @c AND f.id > @after AND (@q = '' OR f.title ILIKE '%' || @q || '%')
			ORDER BY f.id LIMIT @limit`,
			map[string]any{"c": courseID, "after": after, "q": likePattern(query), "limit": limit}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("discussion: forums of %s: %w", courseID, err)
	}
	return out, nil
}

// CreateForum opens a forum on a course (its teachers and school admins).
func (s *Service) CreateForum(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewForum) (f Forum, err error) {
	var fe errs.FieldErrors
	in.Title = fe.Line("title", in.Title, 1, MaxTitle)
	in.Description = fe.Text("description", in.Description, 0, MaxDescription)
	if err := fe.Err(); err != nil {
		return f, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		actor := sc.Actor().ID
		f = Forum{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Title: in.Title, Description: in.Description, CreatedBy: &actor}
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("discussion: create forum: %w", err)
		}
		return nil
	})
	return f, err
}

// Forum reads one forum.
func (s *Service) Forum(ctx context.Context, sc access.Scope, id uuid.UUID) (f Forum, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		f, _, err = forumRel(tx, sc, id)
		return err
	})
	return f, err
}

// UpdateForum renames, redescribes, closes or opens a forum (teachers).
func (s *Service) UpdateForum(ctx context.Context, sc access.Scope, id uuid.UUID, in ForumPatch) (f Forum, err error) {
	var fe errs.FieldErrors
	set := map[string]any{}
	if in.Title != nil {
		set["title"] = fe.Line("title", *in.Title, 1, MaxTitle)
	}
	if in.Description != nil {
		set["description"] = fe.Text("description", *in.Description, 0, MaxDescription)
	}
	if in.Closed != nil {
		set["closed_at"] = nil
		if *in.Closed {
			set["closed_at"] = gorm.Expr("COALESCE(closed_at, now())")
		}
	}
	if err := fe.Err(); err != nil {
		return f, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, rel, err := forumRel(tx, sc, id)
		if err != nil {
			return err
		}
		if err := requireTeach(rel, "change a forum"); err != nil {
			return err
		}
		if len(set) > 0 {
			set["updated_at"] = gorm.Expr("now()")
			if err := tx.Model(&Forum{}).Where("id = ?", id).Updates(set).Error; err != nil {
				return fmt.Errorf("discussion: update forum: %w", err)
			}
		}
		f, _, err = forumRel(tx, sc, id)
		return err
	})
	return f, err
}

// DeleteForum removes a forum with all its threads and posts (teachers).
func (s *Service) DeleteForum(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, rel, err := forumRel(tx, sc, id)
		if err != nil {
			return err
		}
		if err := requireTeach(rel, "remove a forum"); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM forums WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("discussion: delete forum: %w", err)
		}
		return nil
	})
}
