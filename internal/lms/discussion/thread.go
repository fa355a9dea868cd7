package discussion

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/activity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Threads lists a forum's threads in creation order; f filters by pinned
// and by words in the title.
func (s *Service) Threads(ctx context.Context, sc access.Scope, forumID uuid.UUID, f ThreadFilter, after uuid.UUID, limit int) ([]Thread, error) {
	out := []Thread{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, err := forumRel(tx, sc, forumID); err != nil {
			return err
		}
		return tx.Raw(threadSQL+`
			WHERE t.forum_id = @f AND t.id > @after
			  AND (CAST(@pinned AS boolean) IS NULL OR t.pinned = @pinned)
			  AND (@q = '' OR t.title ILIKE '%' || @q || '%')
			ORDER BY t.id LIMIT @limit`,
			map[string]any{"f": forumID, "after": after, "pinned": f.Pinned, "q": likePattern(f.Query), "limit": limit}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("discussion: threads of %s: %w", forumID, err)
	}
	return out, nil
}

// CreateThread starts a thread with its first post. Anyone who may see the
// course may (learners not on an archived course nor in a closed forum).
func (s *Service) CreateThread(ctx context.Context, sc access.Scope, forumID uuid.UUID, in NewThread) (t Thread, err error) {
	var fe errs.FieldErrors
	in.Title = fe.Line("title", in.Title, 1, MaxTitle)
	in.Body = fe.Text("body", in.Body, 1, MaxBody)
	if err := fe.Err(); err != nil {
		return t, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		f, rel, err := forumRel(tx, sc, forumID)
		if err != nil {
			return err
		}
		if err := mayPost(rel, f.ClosedAt != nil, false); err != nil {
			return err
		}
		actor := sc.Actor().ID
		id := uuid.Must(uuid.NewV7())
		if err := tx.Exec(`INSERT INTO threads (tenant_id, id, forum_id, title, author_id) VALUES (app_tenant_id(), ?, ?, ?, ?)`,
			id, f.ID, in.Title, actor).Error; err != nil {
			return fmt.Errorf("discussion: create thread: %w", err)
		}
		p, err := insertPost(tx, id, in.Body, actor)
		if err != nil {
			return err
		}
		if err := activity.Record(tx, sc, rel, nil, activity.Post, 0); err != nil {
			return err
		}
		if err := tx.Raw(threadSQL+` WHERE t.id = ?`, id).Scan(&t).Error; err != nil {
			return fmt.Errorf("discussion: read thread: %w", err)
		}
		t.FirstPost = &p
		return nil
	})
	return t, err
}

// Thread reads one thread (its posts are listed by Posts).
func (s *Service) Thread(ctx context.Context, sc access.Scope, id uuid.UUID) (t Thread, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		t, _, err = threadRel(tx, sc, id)
		return err
	})
	return t, err
}

// UpdateThread changes a thread. Its author may retitle it while it is
// open; teachers may retitle, lock and pin.
func (s *Service) UpdateThread(ctx context.Context, sc access.Scope, id uuid.UUID, in ThreadPatch) (t Thread, err error) {
	var fe errs.FieldErrors
	set := map[string]any{}
	if in.Title != nil {
		set["title"] = fe.Line("title", *in.Title, 1, MaxTitle)
	}
	if in.Locked != nil {
		set["locked"] = *in.Locked
	}
	if in.Pinned != nil {
		set["pinned"] = *in.Pinned
	}
	if err := fe.Err(); err != nil {
		return t, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		cur, rel, err := threadRel(tx, sc, id)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			if in.Locked != nil || in.Pinned != nil {
				return errs.New(errs.ErrForbidden, "only the course's teachers may lock or pin a thread")
			}
			if in.Title != nil && !isAuthor(cur.AuthorID, sc) {
				return errs.New(errs.ErrForbidden, "only the thread's author may retitle it")
			}
			if err := mayWrite(rel); err != nil {
				return err
			}
			if cur.Locked && len(set) > 0 {
				return errs.New(errs.ErrForbidden, "the thread is locked")
			}
		}
		if len(set) > 0 {
			set["updated_at"] = gorm.Expr("now()")
			if err := tx.Model(&Thread{}).Where("id = ?", id).Updates(set).Error; err != nil {
				return fmt.Errorf("discussion: update thread: %w", err)
			}
		}
		return tx.Raw(threadSQL+` WHERE t.id = ?`, id).Scan(&t).Error
	})
	return t, err
}

// DeleteThread removes a thread and its posts (teachers). Authors delete
// their posts instead, which keeps the others' replies in place.
func (s *Service) DeleteThread(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, rel, err := threadRel(tx, sc, id)
		if err != nil {
			return err
		}
		if err := requireTeach(rel, "remove a thread"); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM threads WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("discussion: delete thread: %w", err)
		}
		return nil
	})
}

func isAuthor(author *uuid.UUID, sc access.Scope) bool {
	return author != nil && *author == sc.Actor().ID
}
