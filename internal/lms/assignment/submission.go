package assignment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/activity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// checkSubmission validates a submission's text and file list.
func checkSubmission(in SubmissionInput) (SubmissionInput, error) {
	var fe errs.FieldErrors
	in.Body = fe.Text("body", in.Body, 0, 100000)
	if len(in.FileIDs) > MaxFiles {
		fe.Add("file_ids", "must be at most %d", MaxFiles)
	}
	seen := map[uuid.UUID]bool{}
	for _, id := range in.FileIDs {
		if seen[id] {
			fe.Add("file_ids", "lists a file twice")
			break
		}
		seen[id] = true
	}
	if strings.TrimSpace(in.Body) == "" && len(in.FileIDs) == 0 {
		fe.Add("body", "write something or attach at least one file")
	}
	return in, fe.Err()
}

// allowedKinds refuses what the assignment does not take: files when it
// takes text only, text when it takes files only, and nothing of the kind
// it takes.
func allowedKinds(handIn string, in SubmissionInput) error {
	text, files := strings.TrimSpace(in.Body) != "", len(in.FileIDs) > 0
	switch {
	case handIn == HandInText && files:
		return errs.Field("file_ids", "this assignment takes a written answer only, not files")
	case handIn == HandInText && !text:
		return errs.Field("body", "write your answer")
	case handIn == HandInFiles && text:
		return errs.Field("body", "this assignment takes files only, not a written answer")
	case handIn == HandInFiles && !files:
		return errs.Field("file_ids", "attach at least one file")
	}
	return nil
}

// Submit hands in (or replaces) the actor's work for an assignment: only
// learners of the course, only between opens_at and their effective due
// date (late, until the closing date for late work when there is one),
// only the kinds the assignment takes (text, files or both), and not once
// it has been marked (the mark is of that work). A
// resubmission replaces the text and the file set; files left out are
// deleted from storage after commit.
func (s *Service) Submit(ctx context.Context, sc access.Scope, assignmentID uuid.UUID, in SubmissionInput) (v SubmissionView, err error) {
	if in, err = checkSubmission(in); err != nil {
		return v, err
	}
	var dropped []uuid.UUID
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		a, rel, err := load(tx, sc, assignmentID)
		if err != nil {
			return err
		}
		if !rel.Learns() {
			return errs.New(errs.ErrForbidden, "only the course's learners hand in work")
		}
		if rel.Status == course.Archived {
			return errs.New(errs.ErrConflict, "the course is archived")
		}
		if err := identity.RefuseRestricted(tx, sc.Actor().ID); err != nil {
			return err
		}
		if err := allowedKinds(a.HandIn, in); err != nil {
			return err
		}
		pct, err := extraTime(tx, sc.Actor().ID, a.ID)
		if err != nil {
			return err
		}
		now, due := s.now(), EffectiveDue(a.OpensAt, a.DueAt, pct)
		closes := Closes(a.ClosesAt, due)
		switch {
		case now.Before(a.OpensAt):
			return errs.New(errs.ErrConflict, "the assignment opens at %s", a.OpensAt.UTC().Format("2006-01-02 15:04 MST"))
		case now.After(closes) && closes.After(due):
			return errs.New(errs.ErrConflict, "the closing date for late work (%s) has passed", closes.UTC().Format("2006-01-02 15:04 MST"))
		case now.After(closes):
			return errs.New(errs.ErrConflict, "your due date (%s) has passed", due.UTC().Format("2006-01-02 15:04 MST"))
		}
		var sub Submission
		res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("assignment_id = ? AND person_id = ?", a.ID, sc.Actor().ID).Limit(1).Find(&sub)
		if res.Error != nil {
			return fmt.Errorf("submission: find: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			sub = Submission{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), AssignmentID: a.ID, PersonID: sc.Actor().ID, Body: in.Body, Attempt: 1,
				SubmittedAt: now, UpdatedAt: now}
			if err := tx.Create(&sub).Error; err != nil {
				return fmt.Errorf("submission: create: %w", err)
			}
		} else {
			var marked int64
			if err := tx.Table("marks").Where("submission_id = ?", sub.ID).Count(&marked).Error; err != nil {
				return fmt.Errorf("submission: mark: %w", err)
			}
			if marked > 0 {
				return errs.New(errs.ErrConflict, "your work has been marked and cannot be replaced")
			}
			err := tx.Model(&sub).Where("id = ?", sub.ID).Updates(map[string]any{
				"body": in.Body, "attempt": gorm.Expr("attempt + 1"), "submitted_at": now, "updated_at": now}).Error
			if err != nil {
				return fmt.Errorf("submission: update: %w", err)
			}
		}
		if dropped, err = replaceFiles(tx, sc, sub.ID, in.FileIDs); err != nil {
			return err
		}
		if err := activity.Record(tx, sc, rel, &a.ItemID, activity.Submit, 0); err != nil {
			return err
		}
		v, err = view(tx, sub.ID, a, rel, pct)
		return err
	})
	if err == nil && len(dropped) > 0 {
		s.files.PurgeSoon(ctx, sc.Tenant())
	}
	return v, err
}

// replaceFiles makes want the submission's file set: new files are claimed
// (the actor must have uploaded them), files no longer wanted are
// discarded. It returns the discarded ids.
func replaceFiles(tx *gorm.DB, sc access.Scope, sub uuid.UUID, want []uuid.UUID) ([]uuid.UUID, error) {
	var have []uuid.UUID
	if err := tx.Table("submission_files").Where("submission_id = ?", sub).Pluck("file_id", &have).Error; err != nil {
		return nil, fmt.Errorf("submission: files: %w", err)
	}
	keep := map[uuid.UUID]bool{}
	for _, id := range want {
		keep[id] = true
	}
	var drop []uuid.UUID
	for _, id := range have {
		if !keep[id] {
			drop = append(drop, id)
		}
		delete(keep, id) // already attached
	}
	for _, id := range want {
		if !keep[id] {
			continue
		}
		if _, err := files.Claim(tx, sc, id, files.ForSubmission); err != nil {
			if errors.Is(err, errs.ErrInvalid) {
				return nil, errs.Field("file_ids", "%s is not a file you uploaded that is ready and not already in use", id)
			}
			return nil, err
		}
		if err := tx.Exec(`INSERT INTO submission_files (tenant_id, submission_id, file_id) VALUES (app_tenant_id(), ?, ?)`, sub, id).Error; err != nil {
			return nil, fmt.Errorf("submission: attach file: %w", err)
		}
	}
	if len(drop) > 0 {
		if err := tx.Exec(`DELETE FROM submission_files WHERE submission_id = ? AND file_id IN ?`, sub, drop).Error; err != nil {
			return nil, fmt.Errorf("submission: detach files: %w", err)
		}
	}
	return drop, files.Discard(tx, drop...)
}

// view reads a submission for a reader already authorized for it; the mark
// is included when the reader may see it (staff always, the learner once
// released).
func view(tx *gorm.DB, id uuid.UUID, a Assignment, rel course.Relation, pct int) (v SubmissionView, err error) {
	if err := tx.Raw(`SELECT s.*, p.display_name FROM submissions s JOIN people p ON p.id = s.person_id WHERE s.id = ?`, id).
		Scan(&v).Error; err != nil {
		return v, fmt.Errorf("submission %s: %w", id, err)
	}
	v.EffectiveDueAt = EffectiveDue(a.OpensAt, a.DueAt, pct)
	v.Late = v.SubmittedAt.After(v.EffectiveDueAt)
	v.Files = []files.File{}
	if err := tx.Where("id IN (SELECT file_id FROM submission_files WHERE submission_id = ?)", id).Order("id").Find(&v.Files).Error; err != nil {
		return v, fmt.Errorf("submission %s: files: %w", id, err)
	}
	var m Mark
	res := tx.Where("submission_id = ?", id).Limit(1).Find(&m)
	if res.Error != nil {
		return v, fmt.Errorf("submission %s: mark: %w", id, res.Error)
	}
	switch {
	case res.RowsAffected == 0:
		v.Status = StatusUnmarked
	case m.ReleasedAt != nil:
		v.Status, v.Mark = StatusReleased, &m
	default:
		v.Status, v.Mark = StatusMarked, &m
	}
	if !rel.Teaches() && v.Status != StatusReleased {
		// The learner learns nothing of an unreleased mark, not even
		// that there is one.
		v.Status, v.Mark = StatusSubmitted, nil
	}
	return v, nil
}

// loadSubmission finds a submission the actor may read: the course's
// teachers and its school's admins, or the learner whose work it is.
// Everyone else gets ErrNotFound.
func loadSubmission(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Submission, Assignment, course.Relation, error) {
	var sub Submission
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&sub), "submission %s", id); err != nil {
		return sub, Assignment{}, course.Relation{}, err
	}
	var a Assignment
	if err := tx.Raw(selectSQL+` WHERE a.id = ?`, sub.AssignmentID).Scan(&a).Error; err != nil {
		return sub, a, course.Relation{}, fmt.Errorf("submission %s: assignment: %w", id, err)
	}
	rel, err := course.Relate(tx, sc, a.CourseID)
	if err == nil && !rel.Teaches() && sub.PersonID != sc.Actor().ID {
		err = errs.New(errs.ErrNotFound, "submission %s", id)
	}
	return sub, a, rel, err
}

// MySubmission returns the actor's own submission for an assignment
// (ErrNotFound before they hand anything in).
func (s *Service) MySubmission(ctx context.Context, sc access.Scope, assignmentID uuid.UUID) (v SubmissionView, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		a, rel, err := load(tx, sc, assignmentID)
		if err != nil {
			return err
		}
		var ids []uuid.UUID
		if err := tx.Table("submissions").Where("assignment_id = ? AND person_id = ?", a.ID, sc.Actor().ID).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("submission: find: %w", err)
		}
		if len(ids) == 0 {
			return errs.New(errs.ErrNotFound, "no submission of yours for assignment %s", a.ID)
		}
		pct, err := extraTime(tx, sc.Actor().ID, a.ID)
		if err != nil {
			return err
		}
		v, err = view(tx, ids[0], a, rel, pct)
		return err
	})
	return v, err
}

// GetSubmission returns one submission to its learner or to the course's
// teachers.
func (s *Service) GetSubmission(ctx context.Context, sc access.Scope, id uuid.UUID) (v SubmissionView, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		sub, a, rel, err := loadSubmission(tx, sc, id)
		if err != nil {
			return err
		}
		pct, err := extraTime(tx, sub.PersonID, a.ID)
		if err != nil {
			return err
		}
		v, err = view(tx, id, a, rel, pct)
		return err
	})
	return v, err
}

// SubmissionFile presigns a download link for a file of a submission, for
// its learner or the course's teachers.
func (s *Service) SubmissionFile(ctx context.Context, sc access.Scope, id, fileID uuid.UUID) (files.Link, error) {
	var f files.File
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, _, err := loadSubmission(tx, sc, id); err != nil {
			return err
		}
		var n int64
		if err := tx.Table("submission_files").Where("submission_id = ? AND file_id = ?", id, fileID).Count(&n).Error; err != nil {
			return fmt.Errorf("submission: file: %w", err)
		}
		if n == 0 {
			return errs.New(errs.ErrNotFound, "file %s of submission %s", fileID, id)
		}
		var err error
		if f, err = files.Get(tx, fileID); err != nil {
			return err
		}
		region, err = files.Region(tx)
		return err
	})
	if err != nil {
		return files.Link{}, err
	}
	return s.files.Link(ctx, sc, region, f)
}

// ListSubmissions returns a page of an assignment's submissions, in order
// of first submission, for the course's teachers: each with the learner's
// effective due date and its marking status.
func (s *Service) ListSubmissions(ctx context.Context, sc access.Scope, assignmentID uuid.UUID, f SubmissionFilter, after uuid.UUID, limit int) ([]SubmissionSummary, error) {
	switch f.Status {
	case "", StatusUnmarked, StatusMarked, StatusReleased:
	default:
		return nil, errs.Field("status", "must be one of: unmarked marked released")
	}
	out := []SubmissionSummary{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, err := loadTeach(tx, sc, assignmentID); err != nil {
			return err
		}
		return tx.Raw(`SELECT s.id, s.assignment_id, s.person_id, p.display_name, s.attempt, s.submitted_at, s.updated_at,
				`+effectiveDueSQL(pctSQL("a.id", "s.person_id"))+` AS effective_due_at,
				`+pctSQL("a.id", "s.person_id")+` AS extra_time_percent,
				CASE WHEN m.submission_id IS NULL THEN 'unmarked' WHEN m.released_at IS NULL THEN 'marked' ELSE 'released' END AS status,
				m.score, m.released_at
			FROM submissions s
			JOIN assignments a ON a.id = s.assignment_id
			JOIN people p ON p.id = s.person_id
			LEFT JOIN marks m ON m.submission_id = s.id
			WHERE s.assignment_id = @a AND s.id > @after
			  AND (CAST(@person AS uuid) IS NULL OR s.person_id = @person)
			  AND (@status = '' OR @status = CASE WHEN m.submission_id IS NULL THEN 'unmarked' WHEN m.released_at IS NULL THEN 'marked' ELSE 'released' END)
			ORDER BY s.id LIMIT @limit`,
			map[string]any{"a": assignmentID, "after": after, "person": f.PersonID, "status": f.Status, "limit": limit}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("submission: list: %w", err)
	}
	return out, nil
}
