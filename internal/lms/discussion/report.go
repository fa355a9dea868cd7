package discussion

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Report is a post reported to the course's teachers, as they see it in
// the forum: the post's words (even when hidden), who reported it and why.
type Report struct {
	ID           uuid.UUID  `json:"id"`
	PostID       uuid.UUID  `json:"post_id"`
	ThreadID     uuid.UUID  `json:"thread_id"`
	ThreadTitle  string     `json:"thread_title"`
	PostBody     string     `json:"post_body"`
	PostAuthor   string     `json:"post_author"`
	PostHidden   bool       `json:"post_hidden"`
	ReportedBy   *uuid.UUID `json:"reported_by"`
	ReporterName string     `json:"reporter_name"`
	Reason       string     `json:"reason"`
	CreatedAt    time.Time  `json:"created_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Outcome      *string    `json:"outcome,omitempty"`
}

// NewReport says why a post is reported.
type NewReport struct {
	Reason string `json:"reason" binding:"required,max=500"`
}

// Outcomes of a closed report.
const (
	Dismissed = "dismissed" // nothing wrong: the post stays
	HidePost  = "hidden"    // the post is hidden, with a reason its author is shown
)

// ReportClose is a teacher's decision on a report: dismiss it, or hide the
// post (with the reason its author is shown), which closes every open
// report of that post.
type ReportClose struct {
	Outcome      string `json:"outcome" binding:"required,oneof=dismissed hidden"`
	HiddenReason string `json:"hidden_reason" binding:"max=500"`
}

const reportSQL = `SELECT r.id, r.post_id, p.thread_id, t.title AS thread_title, p.body AS post_body,
	COALESCE(pa.display_name, '') AS post_author, p.hidden_at IS NOT NULL AS post_hidden,
	r.reported_by, COALESCE(pr.display_name, '') AS reporter_name, r.reason, r.created_at, r.closed_at, r.outcome
	FROM post_reports r JOIN posts p ON p.id = r.post_id JOIN threads t ON t.id = p.thread_id
	LEFT JOIN people pa ON pa.id = p.author_id LEFT JOIN people pr ON pr.id = r.reported_by`

// ReportPost reports a post to the course's teachers. Anyone who may read
// the post may report it (not a deleted one); reporting a post one has
// already reported, while that report is open, changes nothing.
func (s *Service) ReportPost(ctx context.Context, sc access.Scope, postID uuid.UUID, in NewReport) (r Report, err error) {
	var fe errs.FieldErrors
	in.Reason = fe.Text("reason", in.Reason, 1, MaxReason)
	if err := fe.Err(); err != nil {
		return r, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		p, _, _, err := postRel(tx, sc, postID)
		if err != nil {
			return err
		}
		if p.Deleted {
			return errs.New(errs.ErrConflict, "post %s was deleted", postID)
		}
		actor := sc.Actor().ID
		var mine []struct{ ID uuid.UUID }
		if err := tx.Raw(`SELECT id FROM post_reports WHERE post_id = ? AND reported_by = ? AND closed_at IS NULL`, postID, actor).Scan(&mine).Error; err != nil {
			return fmt.Errorf("discussion: report check: %w", err)
		}
		var id uuid.UUID
		if len(mine) > 0 {
			id = mine[0].ID
		} else {
			id = uuid.Must(uuid.NewV7())
			if err := tx.Exec(`INSERT INTO post_reports (tenant_id, id, post_id, reported_by, reason) VALUES (app_tenant_id(), ?, ?, ?, ?)`,
				id, postID, actor, in.Reason).Error; err != nil {
				return fmt.Errorf("discussion: report: %w", err)
			}
		}
		if err := tx.Raw(reportSQL+` WHERE r.id = ?`, id).Scan(&r).Error; err != nil {
			return fmt.Errorf("discussion: read report: %w", err)
		}
		// The reporter sees their report, not the post's hidden words.
		r.PostBody = ""
		return nil
	})
	return r, err
}

// Reports lists a forum's open reports, oldest first, for the course's
// teachers and its school's admins.
func (s *Service) Reports(ctx context.Context, sc access.Scope, forumID uuid.UUID) ([]Report, error) {
	return s.ReportPage(ctx, sc, forumID, database.Page{Limit: 200})
}

// At is where a report sits in the order ReportPage lists them (by id).
func (r Report) At() (string, uuid.UUID) { return "", r.ID }

// ReportPage is a page of a forum's open reports, oldest first.
func (s *Service) ReportPage(ctx context.Context, sc access.Scope, forumID uuid.UUID, p database.Page) ([]Report, error) {
	out := []Report{}
	k := database.ByID("r.id")
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, rel, err := forumRel(tx, sc, forumID)
		if err != nil {
			return err
		}
		if err := requireTeach(rel, "read a forum's reports"); err != nil {
			return err
		}
		return tx.Raw(reportSQL+` WHERE t.forum_id = @forum AND r.closed_at IS NULL AND `+k.Cond(p)+k.Tail(p),
			p.Args(map[string]any{"forum": forumID})).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("discussion: reports of %s: %w", forumID, err)
	}
	return out, nil
}

// CloseReport is a teacher's decision on an open report: dismiss it, or
// hide the post with a reason, which closes every open report of the post.
// A closed report is a conflict.
func (s *Service) CloseReport(ctx context.Context, sc access.Scope, id uuid.UUID, in ReportClose) error {
	var fe errs.FieldErrors
	var reason string
	switch in.Outcome {
	case Dismissed:
		if in.HiddenReason != "" {
			fe.Add("hidden_reason", "goes only with outcome hidden")
		}
	case HidePost:
		reason = fe.Text("hidden_reason", in.HiddenReason, 1, MaxReason)
	default:
		fe.Add("outcome", "must be one of: dismissed hidden")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var r struct {
			PostID   uuid.UUID
			ClosedAt *time.Time
		}
		if err := database.Found(tx.Raw(`SELECT post_id, closed_at FROM post_reports WHERE id = ?`, id).Scan(&r), "report %s", id); err != nil {
			return err
		}
		_, _, rel, err := postRel(tx, sc, r.PostID)
		if err != nil {
			return err
		}
		if err := requireTeach(rel, "close a report"); err != nil {
			return err
		}
		if r.ClosedAt != nil {
			return errs.New(errs.ErrConflict, "report %s is already closed", id)
		}
		if in.Outcome == Dismissed {
			return tx.Exec(`UPDATE post_reports SET closed_at = now(), closed_by = ?, outcome = 'dismissed' WHERE id = ?`, sc.Actor().ID, id).Error
		}
		if err := tx.Exec(`UPDATE posts SET hidden_at = now(), hidden_by = ?, hidden_reason = ? WHERE id = ? AND deleted_at IS NULL`,
			sc.Actor().ID, reason, r.PostID).Error; err != nil {
			return fmt.Errorf("discussion: hide post: %w", err)
		}
		return closeReports(tx, sc, r.PostID)
	})
}

// closeReports closes a post's open reports once a teacher hid the post.
func closeReports(tx *gorm.DB, sc access.Scope, post uuid.UUID) error {
	if err := tx.Exec(`UPDATE post_reports SET closed_at = now(), closed_by = ?, outcome = 'hidden' WHERE post_id = ? AND closed_at IS NULL`,
		sc.Actor().ID, post).Error; err != nil {
		return fmt.Errorf("discussion: close reports: %w", err)
	}
	return nil
}
