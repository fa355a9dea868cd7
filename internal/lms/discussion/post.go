package discussion

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/activity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// postSQL reads posts with their author's name (empty once the author has
// been erased).
const postSQL = `SELECT p.id, p.thread_id, p.author_id, COALESCE(pe.display_name, '') AS author_name, p.body,
	p.created_at, p.edited_at, p.deleted_at IS NOT NULL AS deleted, p.deleted_at,
	p.hidden_at IS NOT NULL AS hidden, p.hidden_at, p.hidden_reason
	FROM posts p LEFT JOIN people pe ON pe.id = p.author_id`

// present hides what the reader may not see: a hidden post's words and
// reason reach only its author and the course's teachers.
func present(p *Post, rel course.Relation, sc access.Scope) {
	if p.Hidden && !rel.Teaches() && !isAuthor(p.AuthorID, sc) {
		p.Body, p.HiddenReason = "", nil
	}
}

// insertPost adds a post to a thread and keeps the thread's count and
// last-post time.
func insertPost(tx *gorm.DB, thread uuid.UUID, body string, author uuid.UUID) (p Post, err error) {
	id := uuid.Must(uuid.NewV7())
	if err := tx.Exec(`INSERT INTO posts (tenant_id, id, thread_id, author_id, body) VALUES (app_tenant_id(), ?, ?, ?, ?)`,
		id, thread, author, body).Error; err != nil {
		return p, fmt.Errorf("discussion: post: %w", err)
	}
	if err := tx.Exec(`UPDATE threads SET post_count = post_count + 1, last_post_at = now() WHERE id = ?`, thread).Error; err != nil {
		return p, fmt.Errorf("discussion: thread count: %w", err)
	}
	if err := tx.Raw(postSQL+` WHERE p.id = ?`, id).Scan(&p).Error; err != nil {
		return p, fmt.Errorf("discussion: read post: %w", err)
	}
	return p, nil
}

// postRel finds a post, its thread and the actor's relation to the course.
func postRel(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Post, Thread, course.Relation, error) {
	var p Post
	if err := database.Found(tx.Raw(postSQL+` WHERE p.id = ?`, id).Scan(&p), "post %s", id); err != nil {
		return p, Thread{}, course.Relation{}, err
	}
	t, rel, err := threadRel(tx, sc, p.ThreadID)
	return p, t, rel, err
}

// Posts lists a thread's posts, oldest first; f filters by author.
func (s *Service) Posts(ctx context.Context, sc access.Scope, threadID uuid.UUID, f PostFilter, after uuid.UUID, limit int) ([]Post, error) {
	out := []Post{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, rel, err := threadRel(tx, sc, threadID)
		if err != nil {
			return err
		}
		err = tx.Raw(postSQL+`
			WHERE p.thread_id = @t AND p.id > @after AND (CAST(@author AS uuid) IS NULL OR p.author_id = @author)
			ORDER BY p.id LIMIT @limit`,
			map[string]any{"t": threadID, "after": after, "author": f.AuthorID, "limit": limit}).Scan(&out).Error
		if err != nil {
			return err
		}
		for i := range out {
			present(&out[i], rel, sc)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("discussion: posts of %s: %w", threadID, err)
	}
	return out, nil
}

// Reply adds a post to a thread. Learners may not post in a locked thread
// or a closed forum.
func (s *Service) Reply(ctx context.Context, sc access.Scope, threadID uuid.UUID, in NewPost) (p Post, err error) {
	var fe errs.FieldErrors
	in.Body = fe.Text("body", in.Body, 1, MaxBody)
	if err := fe.Err(); err != nil {
		return p, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		t, rel, err := threadRel(tx, sc, threadID)
		if err != nil {
			return err
		}
		if err := mayPost(rel, t.ForumClosed, t.Locked); err != nil {
			return err
		}
		if p, err = insertPost(tx, threadID, in.Body, sc.Actor().ID); err != nil {
			return err
		}
		for _, fn := range s.replied {
			if err := fn(tx, sc, threadID, p.ID); err != nil {
				return err
			}
		}
		return activity.Record(tx, sc, rel, nil, activity.Post, 0)
	})
	return p, err
}

// UpdatePost changes a post. Its author may rewrite the body (not once
// deleted, nor, for learners, in a locked thread); the course's teachers
// may hide it with a reason its author is shown, or show it again.
func (s *Service) UpdatePost(ctx context.Context, sc access.Scope, id uuid.UUID, in PostPatch) (p Post, err error) {
	var fe errs.FieldErrors
	var body, reason string
	if in.Body != nil {
		body = fe.Text("body", *in.Body, 1, MaxBody)
	}
	if in.HiddenReason != nil {
		reason = fe.Text("hidden_reason", *in.HiddenReason, 1, MaxReason)
	}
	switch {
	case in.Hidden != nil && *in.Hidden && in.HiddenReason == nil:
		fe.Add("hidden_reason", "is required when hiding a post: its author is shown why")
	case in.HiddenReason != nil && (in.Hidden == nil || !*in.Hidden):
		fe.Add("hidden_reason", "goes only with hidden: true")
	}
	if err := fe.Err(); err != nil {
		return p, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		cur, t, rel, err := postRel(tx, sc, id)
		if err != nil {
			return err
		}
		if in.Body != nil {
			if err := mayEdit(cur, t, rel, sc); err != nil {
				return err
			}
			if err := tx.Exec(`UPDATE posts SET body = ?, edited_at = now() WHERE id = ?`, body, id).Error; err != nil {
				return fmt.Errorf("discussion: edit post: %w", err)
			}
		}
		if in.Hidden != nil {
			if err := requireTeach(rel, "hide or show a post"); err != nil {
				return err
			}
			q := `UPDATE posts SET hidden_at = NULL, hidden_by = NULL, hidden_reason = NULL WHERE id = ?`
			args := []any{id}
			if *in.Hidden {
				q = `UPDATE posts SET hidden_at = now(), hidden_by = ?, hidden_reason = ? WHERE id = ?`
				args = []any{sc.Actor().ID, reason, id}
			}
			if err := tx.Exec(q, args...).Error; err != nil {
				return fmt.Errorf("discussion: hide post: %w", err)
			}
			if *in.Hidden {
				if err := closeReports(tx, sc, id); err != nil {
					return err
				}
			}
		}
		if err := tx.Raw(postSQL+` WHERE p.id = ?`, id).Scan(&p).Error; err != nil {
			return fmt.Errorf("discussion: read post: %w", err)
		}
		present(&p, rel, sc)
		return nil
	})
	return p, err
}

// mayEdit says whether the actor may rewrite a post's body.
func mayEdit(p Post, t Thread, rel course.Relation, sc access.Scope) error {
	switch {
	case !isAuthor(p.AuthorID, sc):
		return errs.New(errs.ErrForbidden, "only a post's author may change its words (teachers hide or delete it)")
	case p.Deleted:
		return errs.New(errs.ErrConflict, "post %s was deleted", p.ID)
	case rel.Teaches():
		return nil
	case t.Locked:
		return errs.New(errs.ErrForbidden, "the thread is locked")
	case t.ForumClosed:
		return errs.New(errs.ErrForbidden, "the forum is closed: its teachers have stopped new posts")
	}
	return mayWrite(rel)
}

// DeletePost deletes a post (its author, or the course's teachers): the
// words go, the place stays, so the replies around it keep their context.
// Deleting a deleted post changes nothing.
func (s *Service) DeletePost(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		p, _, rel, err := postRel(tx, sc, id)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			if !isAuthor(p.AuthorID, sc) {
				return errs.New(errs.ErrForbidden, "only a post's author or the course's teachers may delete it")
			}
			if err := mayWrite(rel); err != nil {
				return err
			}
		}
		if p.Deleted {
			return nil
		}
		err = tx.Exec(`UPDATE posts SET body = '', deleted_at = now(), deleted_by = ? WHERE id = ?`, sc.Actor().ID, id).Error
		if err != nil {
			return fmt.Errorf("discussion: delete post: %w", err)
		}
		return nil
	})
}
