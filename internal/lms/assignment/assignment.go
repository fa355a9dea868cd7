package assignment

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func checkMaxScore(fe *errs.FieldErrors, v float64) float64 {
	if math.IsNaN(v) || v <= 0 || v > 1000 {
		fe.Add("max_score", "must be more than 0 and at most 1000")
	}
	return math.Round(v*100) / 100
}

// selectSQL reads assignments with their course item.
const selectSQL = `SELECT a.*, i.title, i.section_id, i.published, i.visible_from
FROM assignments a JOIN course_items i ON i.id = a.item_id`

// load finds an assignment and the actor's relation to its course. A
// learner sees published assignments only; anything else is ErrNotFound.
func load(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Assignment, course.Relation, error) {
	var a Assignment
	if err := database.Found(tx.Raw(selectSQL+` WHERE a.id = ?`, id).Scan(&a), "assignment %s", id); err != nil {
		return a, course.Relation{}, err
	}
	rel, err := course.Relate(tx, sc, a.CourseID)
	if err != nil {
		return a, rel, err
	}
	if !rel.Teaches() && !(course.Item{Published: a.Published, VisibleFrom: a.VisibleFrom}).LearnersSee(time.Now()) {
		return a, rel, errs.New(errs.ErrNotFound, "assignment %s", id)
	}
	return a, rel, nil
}

// loadTeach is load for changes: teachers of the course and its school's
// admins; a learner who can see the assignment is ErrForbidden.
func loadTeach(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Assignment, course.Relation, error) {
	a, rel, err := load(tx, sc, id)
	if err == nil && !rel.Teaches() {
		err = errs.New(errs.ErrForbidden, "only the course's teachers and its school's admins may do this")
	}
	return a, rel, err
}

// pctSQL is a learner's extra time on an assignment: the larger of their
// standing arrangement and the extra time granted on that assignment
// (assignment and person are SQL expressions).
func pctSQL(assignment, person string) string {
	return `GREATEST(COALESCE((SELECT extra_time_percent FROM special_arrangements WHERE person_id = ` + person + `), 0),
		COALESCE((SELECT extra_time_percent FROM assignment_extra_time WHERE assignment_id = ` + assignment + ` AND person_id = ` + person + `), 0))`
}

// extraTime is the person's extra time percentage on an assignment (0
// without an arrangement or extra time).
func extraTime(tx *gorm.DB, person, assignment uuid.UUID) (int, error) {
	var pct int
	err := tx.Raw(`SELECT `+pctSQL("@a", "@p"), map[string]any{"a": assignment, "p": person}).Row().Scan(&pct)
	if err != nil {
		return 0, fmt.Errorf("assignment: extra time: %w", err)
	}
	return pct, nil
}

// personalise sets a learner's own effective due and closing dates on a.
func personalise(a *Assignment, rel course.Relation, pct int) {
	if rel.Learns() && !rel.Teaches() {
		due := EffectiveDue(a.OpensAt, a.DueAt, pct)
		closes := Closes(a.ClosesAt, due)
		a.EffectiveDueAt, a.EffectiveClosesAt = &due, &closes
	}
}

func checkHandIn(fe *errs.FieldErrors, v string) string {
	switch v {
	case "":
		return HandInBoth
	case HandInText, HandInFiles, HandInBoth:
		return v
	}
	fe.Add("hand_in", "must be one of: text files both")
	return v
}

// checkDates refuses a due date not after the opening, and a closing date
// for late work before the due date.
func checkDates(fe *errs.FieldErrors, opens, due time.Time, closes *time.Time) {
	if !due.After(opens) {
		fe.Add("due_at", "must be after opens_at")
	}
	if closes != nil && closes.Before(due) {
		fe.Add("closes_at", "must be at or after the due date")
	}
}

// Create sets an assignment on a course: its item goes at the end of the
// section, in the same transaction. Teachers of the course and its school's
// admins only.
func (s *Service) Create(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewAssignment) (a Assignment, err error) {
	var fe errs.FieldErrors
	title := fe.Line("title", in.Title, 1, 200)
	a.Instructions = fe.Text("instructions", in.Instructions, 0, 20000)
	a.MaxScore = checkMaxScore(&fe, in.MaxScore)
	a.OpensAt = s.now().Truncate(time.Microsecond)
	if in.OpensAt != nil {
		a.OpensAt = in.OpensAt.Truncate(time.Microsecond)
	}
	a.DueAt = in.DueAt.Truncate(time.Microsecond)
	if in.ClosesAt != nil {
		t := in.ClosesAt.Truncate(time.Microsecond)
		a.ClosesAt = &t
	}
	a.HandIn = checkHandIn(&fe, in.HandIn)
	if in.DueAt.IsZero() {
		fe.Add("due_at", "is required")
	} else {
		checkDates(&fe, a.OpensAt, a.DueAt, a.ClosesAt)
	}
	if err := fe.Err(); err != nil {
		return a, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := course.RequireTeach(tx, sc, courseID)
		if err != nil {
			return err
		}
		actor := sc.Actor().ID
		it := course.Item{SectionID: in.SectionID, Kind: course.KindAssignment, Title: title,
			Published: in.Published == nil || *in.Published, CreatedBy: &actor}
		if err := course.InsertItemTx(tx, rel, &it); err != nil {
			return err
		}
		a.TenantID, a.ID, a.CourseID, a.ItemID, a.CreatedBy = sc.Tenant(), uuid.Must(uuid.NewV7()), courseID, it.ID, &actor
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("assignment: create: %w", err)
		}
		return tx.Raw(selectSQL+` WHERE a.id = ?`, a.ID).Scan(&a).Error
	})
	return a, err
}

// Get returns an assignment; a learner's copy carries their own effective
// due date.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (a Assignment, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rel course.Relation
		if a, rel, err = load(tx, sc, id); err != nil {
			return err
		}
		pct, err := extraTime(tx, sc.Actor().ID, a.ID)
		personalise(&a, rel, pct)
		return err
	})
	return a, err
}

// List returns a page of a course's assignments in creation order (learners:
// published only). due filters by the caller's own effective due date:
// "upcoming" (not yet passed) or "past".
func (s *Service) List(ctx context.Context, sc access.Scope, courseID uuid.UUID, due string, after uuid.UUID, limit int) ([]Assignment, error) {
	if due != "" && due != DueUpcoming && due != DuePast {
		return nil, errs.Field("due", "must be one of: upcoming past")
	}
	out := []Assignment{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := course.Relate(tx, sc, courseID)
		if err != nil {
			return err
		}
		pct := pctSQL("a.id", "@me")
		err = tx.Raw(`SELECT * FROM (SELECT a.*, i.title, i.section_id, i.published, i.visible_from, `+pct+` AS extra_pct
			FROM assignments a JOIN course_items i ON i.id = a.item_id
			WHERE a.course_id = @course AND a.id > @after AND (`+course.LearnerSeesSQL+` OR @all)) a
			WHERE (@due = '' OR (@due = 'upcoming') = (`+effectiveDueSQL("a.extra_pct")+` > now()))
			ORDER BY a.id LIMIT @limit`,
			map[string]any{"course": courseID, "after": after, "all": rel.Teaches(), "due": due, "me": sc.Actor().ID, "limit": limit}).Scan(&out).Error
		if err != nil {
			return fmt.Errorf("assignment: list: %w", err)
		}
		for i := range out {
			personalise(&out[i], rel, out[i].ExtraPct)
		}
		return nil
	})
	return out, err
}

// Update changes an assignment. Lowering max_score below a mark already
// given is refused.
func (s *Service) Update(ctx context.Context, sc access.Scope, id uuid.UUID, in AssignmentPatch) (a Assignment, err error) {
	var fe errs.FieldErrors
	item := map[string]any{}
	set := map[string]any{}
	if in.Title != nil {
		item["title"] = fe.Line("title", *in.Title, 1, 200)
	}
	if in.Published != nil {
		item["published"] = *in.Published
	}
	if in.Instructions != nil {
		set["instructions"] = fe.Text("instructions", *in.Instructions, 0, 20000)
	}
	if in.MaxScore != nil {
		set["max_score"] = checkMaxScore(&fe, *in.MaxScore)
	}
	if in.HandIn != nil {
		set["hand_in"] = checkHandIn(&fe, *in.HandIn)
	}
	if in.NoLateWork && in.ClosesAt != nil {
		fe.Add("closes_at", "give a closing date or no_late_work, not both")
	}
	if err := fe.Err(); err != nil {
		return a, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if a, _, err = loadTeach(tx, sc, id); err != nil {
			return err
		}
		opens, due := a.OpensAt, a.DueAt
		if in.OpensAt != nil {
			opens = in.OpensAt.Truncate(time.Microsecond)
			set["opens_at"] = opens
		}
		if in.DueAt != nil {
			due = in.DueAt.Truncate(time.Microsecond)
			set["due_at"] = due
		}
		closes := a.ClosesAt
		switch {
		case in.NoLateWork:
			closes = nil
			set["closes_at"] = nil
		case in.ClosesAt != nil:
			t := in.ClosesAt.Truncate(time.Microsecond)
			closes = &t
			set["closes_at"] = t
		}
		var fe errs.FieldErrors
		if checkDates(&fe, opens, due, closes); fe.Err() != nil {
			return fe.Err()
		}
		if in.MaxScore != nil {
			var top float64
			if err := tx.Raw(`SELECT COALESCE(max(m.score), 0) FROM marks m JOIN submissions s ON s.id = m.submission_id
				WHERE s.assignment_id = ?`, id).Row().Scan(&top); err != nil {
				return fmt.Errorf("assignment: highest mark: %w", err)
			}
			if top > set["max_score"].(float64) {
				return errs.Field("max_score", "is below a mark already given (%g)", top)
			}
		}
		if len(item) > 0 {
			item["updated_at"] = gorm.Expr("now()")
			if err := tx.Table("course_items").Where("id = ?", a.ItemID).Updates(item).Error; err != nil {
				return fmt.Errorf("assignment: update item: %w", err)
			}
		}
		if len(set) > 0 {
			set["updated_at"] = gorm.Expr("now()")
			if err := tx.Model(&Assignment{}).Where("id = ?", id).Updates(set).Error; err != nil {
				return fmt.Errorf("assignment: update: %w", err)
			}
		}
		return tx.Raw(selectSQL+` WHERE a.id = ?`, id).Scan(&a).Error
	})
	return a, err
}

// Delete removes an assignment with its course item, every submission and
// mark, and their files (objects leave storage right after commit).
func (s *Service) Delete(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		a, _, err := loadTeach(tx, sc, id)
		if err != nil {
			return err
		}
		if err := DropForItems(tx, []uuid.UUID{a.ItemID}); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM course_items WHERE id = ?`, a.ItemID).Error; err != nil {
			return fmt.Errorf("assignment: delete: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.files.PurgeSoon(ctx, sc.Tenant())
	return nil
}

// DropForItems discards the submission and feedback files of the
// assignments on items, inside the transaction that is about to delete
// those items (the rows then go by cascade). Register it with
// course.Service.OnDeleteItems so deleting an item or a section through the
// course API leaves no learner's work in storage.
func DropForItems(tx *gorm.DB, items []uuid.UUID) error {
	if len(items) == 0 {
		return nil
	}
	var ids []uuid.UUID
	err := tx.Raw(`SELECT sf.file_id FROM submission_files sf
			JOIN submissions s ON s.id = sf.submission_id JOIN assignments a ON a.id = s.assignment_id
			WHERE a.item_id IN @items
		UNION ALL
		SELECT m.feedback_file_id FROM marks m
			JOIN submissions s ON s.id = m.submission_id JOIN assignments a ON a.id = s.assignment_id
			WHERE a.item_id IN @items AND m.feedback_file_id IS NOT NULL`, map[string]any{"items": items}).Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("assignment: files of items: %w", err)
	}
	return files.Discard(tx, ids...)
}
