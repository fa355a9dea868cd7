package assignment

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// statusSQL is a roster row's status (submission s, mark m, effective due
// date column due): a mark outranks lateness; no submission is missing.
const statusSQL = `CASE WHEN s.id IS NULL THEN 'missing'
	WHEN m.released_at IS NOT NULL THEN 'released'
	WHEN m.submission_id IS NOT NULL THEN 'marked'
	WHEN s.submitted_at > x.due THEN 'late'
	ELSE 'handed-in' END`

// Roster lists every learner of the assignment's course, whether or not
// they handed in, with their own due date and their status (handed in,
// late, missing, marked, released), in name order, for the course's
// teachers and its school's admins. status ("" for all) narrows the list;
// the counts are always over every learner.
func (s *Service) Roster(ctx context.Context, sc access.Scope, assignmentID uuid.UUID, status Status) (r Roster, err error) {
	if status != "" && !validRosterStatus(status) {
		return r, errs.Field("status", "must be one of: handed-in late missing marked released")
	}
	var all []RosterRow
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, err := loadTeach(tx, sc, assignmentID); err != nil {
			return err
		}
		return tx.Raw(`SELECT e.person_id, p.display_name, x.pct AS extra_time_percent, x.due AS effective_due_at,
				s.id AS submission_id, s.submitted_at, COALESCE(s.attempt, 0) AS attempt, `+statusSQL+` AS status,
				m.score, m.released_at
			FROM assignments a
			JOIN enrolments e ON e.course_id = a.course_id AND e.role = 'learner'
			JOIN people p ON p.id = e.person_id
			CROSS JOIN LATERAL (SELECT y.pct, `+effectiveDueSQL("y.pct")+` AS due FROM (SELECT `+pctSQL("a.id", "e.person_id")+` AS pct) y) x
			LEFT JOIN submissions s ON s.assignment_id = a.id AND s.person_id = e.person_id
			LEFT JOIN marks m ON m.submission_id = s.id
			WHERE a.id = @a
			ORDER BY lower(p.display_name), e.person_id`, map[string]any{"a": assignmentID}).Scan(&all).Error
	})
	if err != nil {
		return r, fmt.Errorf("assignment: roster: %w", err)
	}
	r.Counts = map[Status]int{}
	for _, st := range RosterStatuses {
		r.Counts[st] = 0
	}
	r.Learners = []RosterRow{}
	for _, row := range all {
		r.Counts[row.Status]++
		if status == "" || row.Status == status {
			r.Learners = append(r.Learners, row)
		}
	}
	return r, nil
}

func validRosterStatus(st Status) bool {
	for _, v := range RosterStatuses {
		if v == st {
			return true
		}
	}
	return false
}

// ReleaseChosen releases the marks of the chosen submissions of an
// assignment (marked, not yet released) and returns how many it released.
// A submission of another assignment, or not marked, is a field error
// naming it: nothing is released unless all can be.
func (s *Service) ReleaseChosen(ctx context.Context, sc access.Scope, assignmentID uuid.UUID, in ReleaseInput) (out Released, err error) {
	if len(in.SubmissionIDs) == 0 {
		return out, errs.Field("submission_ids", "choose at least one learner's marked work")
	}
	if len(in.SubmissionIDs) > 1000 {
		return out, errs.Field("submission_ids", "must be at most 1000")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, err := loadTeach(tx, sc, assignmentID); err != nil {
			return err
		}
		var marked []uuid.UUID
		if err := tx.Raw(`SELECT m.submission_id FROM marks m JOIN submissions s ON s.id = m.submission_id
			WHERE s.assignment_id = ? AND m.submission_id IN ?`, assignmentID, in.SubmissionIDs).Scan(&marked).Error; err != nil {
			return fmt.Errorf("mark: chosen: %w", err)
		}
		ok := map[uuid.UUID]bool{}
		for _, id := range marked {
			ok[id] = true
		}
		for _, id := range in.SubmissionIDs {
			if !ok[id] {
				return errs.Field("submission_ids", "%s is not marked work of this assignment", id)
			}
		}
		var ids []uuid.UUID
		if err := tx.Raw(`UPDATE marks SET released_at = ? WHERE released_at IS NULL AND submission_id IN ? RETURNING submission_id`,
			s.now(), in.SubmissionIDs).Scan(&ids).Error; err != nil {
			return fmt.Errorf("mark: release chosen: %w", err)
		}
		out.Released = int64(len(ids))
		return s.tellReleased(tx, sc, ids)
	})
	return out, err
}

// SetExtraTime grants a learner of the course extra time on this
// assignment only (its teachers and its school's admins); 0 takes it away.
// The learner's standing arrangement, set by admins, still applies when it
// is larger.
func (s *Service) SetExtraTime(ctx context.Context, sc access.Scope, assignmentID, person uuid.UUID, in ArrangementInput) (x ExtraTime, err error) {
	if in.ExtraTimePercent == nil || *in.ExtraTimePercent < 0 || *in.ExtraTimePercent > 300 {
		return x, errs.Field("extra_time_percent", "must be a whole number from 0 to 300")
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		a, _, err := loadTeach(tx, sc, assignmentID)
		if err != nil {
			return err
		}
		var learns bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM enrolments WHERE course_id = ? AND person_id = ? AND role = 'learner')`,
			a.CourseID, person).Row().Scan(&learns); err != nil {
			return fmt.Errorf("extra time: learner: %w", err)
		}
		if !learns {
			return errs.Field("person_id", "is not a learner on this course")
		}
		if *in.ExtraTimePercent == 0 {
			x = ExtraTime{AssignmentID: assignmentID, PersonID: person}
			return tx.Exec(`DELETE FROM assignment_extra_time WHERE assignment_id = ? AND person_id = ?`, assignmentID, person).Error
		}
		err = tx.Exec(`INSERT INTO assignment_extra_time (tenant_id, assignment_id, person_id, extra_time_percent, set_by)
			VALUES (app_tenant_id(), @a, @person, @pct, @actor)
			ON CONFLICT (tenant_id, assignment_id, person_id) DO UPDATE
			SET extra_time_percent = EXCLUDED.extra_time_percent, set_by = EXCLUDED.set_by, updated_at = now()`,
			map[string]any{"a": assignmentID, "person": person, "pct": *in.ExtraTimePercent, "actor": sc.Actor().ID}).Error
		if err != nil {
			return fmt.Errorf("extra time: set: %w", err)
		}
		return tx.Raw(`SELECT x.*, p.display_name FROM assignment_extra_time x JOIN people p ON p.id = x.person_id
			WHERE x.assignment_id = ? AND x.person_id = ?`, assignmentID, person).Scan(&x).Error
	})
	return x, err
}

// ListExtraTime returns the extra time granted on an assignment, in name
// order, to its course's teachers and its school's admins.
func (s *Service) ListExtraTime(ctx context.Context, sc access.Scope, assignmentID uuid.UUID) ([]ExtraTime, error) {
	return s.ExtraTimePage(ctx, sc, assignmentID, database.Page{})
}

// extraTimeOrder lists extra time by the learner's name, then id.
var extraTimeOrder = database.Keyset{Key: "lower(p.display_name)", Cast: "text", ID: "x.person_id"}

// At is where a learner's extra time sits in the order ExtraTimePage lists it.
func (x ExtraTime) At() (string, uuid.UUID) { return strings.ToLower(x.DisplayName), x.PersonID }

// ExtraTimePage is a page of an assignment's extra time, by learner name.
func (s *Service) ExtraTimePage(ctx context.Context, sc access.Scope, assignmentID uuid.UUID, p database.Page) ([]ExtraTime, error) {
	out := []ExtraTime{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, _, err := loadTeach(tx, sc, assignmentID); err != nil {
			return err
		}
		return tx.Raw(`SELECT x.*, p.display_name FROM assignment_extra_time x JOIN people p ON p.id = x.person_id
			WHERE x.assignment_id = @a AND `+extraTimeOrder.Cond(p)+extraTimeOrder.Tail(p),
			p.Args(map[string]any{"a": assignmentID})).Scan(&out).Error
	})
	return out, err
}

// HandIns is every hand-in of an assignment, ready to stream as one zip:
// what to write is read (and the reader authorized) before the first byte
// is sent, so a refusal is a proper error, not a broken download.
type HandIns struct {
	Name    string // a file name for the zip
	region  string
	files   *files.Service
	folders []handInFolder
}

type handInFolder struct {
	name  string
	body  string
	files []files.File
}

// HandIns gathers an assignment's hand-ins for its course's teachers and
// its school's admins: one folder per learner of the course who handed in
// (their name and a short id, so two learners of one name stay apart),
// holding their written answer (answer.txt) and their files.
func (s *Service) HandIns(ctx context.Context, sc access.Scope, assignmentID uuid.UUID) (h HandIns, err error) {
	h.files = s.files
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		a, _, err := loadTeach(tx, sc, assignmentID)
		if err != nil {
			return err
		}
		h.Name = headerName(zipName(a.Title)) + ".zip"
		var subs []struct {
			ID          uuid.UUID
			PersonID    uuid.UUID
			DisplayName string
			Body        string
		}
		// Learners of the course only: someone taken off the course
		// keeps their row, but their work is no longer this class's.
		if err := tx.Raw(`SELECT s.id, s.person_id, p.display_name, s.body FROM submissions s
			JOIN people p ON p.id = s.person_id
			JOIN enrolments e ON e.course_id = @course AND e.person_id = s.person_id AND e.role = 'learner'
			WHERE s.assignment_id = @a ORDER BY lower(p.display_name), s.person_id`,
			map[string]any{"a": a.ID, "course": a.CourseID}).Scan(&subs).Error; err != nil {
			return fmt.Errorf("hand-ins: %w", err)
		}
		for _, sub := range subs {
			f := handInFolder{name: zipName(sub.DisplayName) + " " + sub.PersonID.String()[:8], body: sub.Body}
			if err := tx.Where("status = ? AND id IN (SELECT file_id FROM submission_files WHERE submission_id = ?)", files.StatusReady, sub.ID).
				Order("name, id").Find(&f.files).Error; err != nil {
				return fmt.Errorf("hand-ins: files: %w", err)
			}
			h.folders = append(h.folders, f)
		}
		h.region, err = files.Region(tx)
		return err
	})
	return h, err
}

// Write streams the zip to w, one stored file at a time: memory holds a
// copy buffer, never a whole file. A failure half-way can only cut the
// zip short.
func (h HandIns) Write(ctx context.Context, w io.Writer) error {
	zw := zip.NewWriter(w)
	for _, f := range h.folders {
		if strings.TrimSpace(f.body) != "" {
			e, err := zw.CreateHeader(&zip.FileHeader{Name: f.name + "/answer.txt", Method: zip.Deflate, Modified: time.Now()})
			if err != nil {
				return err
			}
			if _, err := io.WriteString(e, f.body); err != nil {
				return err
			}
		}
		used := map[string]bool{"answer.txt": true}
		for i, file := range f.files {
			name := zipName(file.Name)
			if used[name] {
				name = fmt.Sprintf("%d %s", i+1, name)
			}
			used[name] = true
			if err := h.copyFile(ctx, zw, f.name+"/"+name, file); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

func (h HandIns) copyFile(ctx context.Context, zw *zip.Writer, name string, f files.File) error {
	r, err := h.files.Open(ctx, h.region, f)
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	e, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: f.CreatedAt})
	if err != nil {
		return err
	}
	_, err = io.Copy(e, r)
	return err
}

// headerName keeps a download's name to characters a
// Content-Disposition header carries as they are.
func headerName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 32 || r > 126 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

// zipName makes a name safe as one path element of a zip: no separators,
// no control characters, not "." or "..", at most 100 characters.
func zipName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 32 || r == 127, strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100])
	}
	if s = path.Clean(s); s == "." || s == ".." || s == "" {
		s = "_"
	}
	return s
}
