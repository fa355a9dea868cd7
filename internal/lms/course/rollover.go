package course

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
)

// Rollover is an admin's copy of many courses of a school at once (each as
// Copy makes it, titled with the suffix), worked by a background job, and
// its progress.
type Rollover struct {
	TenantID    uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID  `gorm:"primaryKey" json:"id"`
	SchoolID    uuid.UUID  `json:"school_id"`
	Suffix      string     `json:"suffix"`
	Status      string     `json:"status"` // running or done
	Total       int        `json:"total"`
	Done        int        `json:"done"`
	Failed      int        `json:"failed"`
	RequestedBy *uuid.UUID `json:"requested_by,omitempty"`
	// TermID is the term every copy runs in; nil puts each copy in the
	// term after its course's own.
	TermID    *uuid.UUID `json:"term_id,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// TableName is the gorm table.
func (Rollover) TableName() string { return "course_rollovers" }

// Rollover statuses.
const (
	RolloverRunning = "running"
	RolloverDone    = "done"
)

// NewRollover is the input to roll courses of a school over.
type NewRollover struct {
	SchoolID  uuid.UUID   `json:"school_id" binding:"required"`
	CourseIDs []uuid.UUID `json:"course_ids" binding:"required,min=1,max=500"`
	Suffix    string      `json:"suffix" binding:"required,max=60"`
	// TermID is the term the copies run in; left out, each copy goes in
	// the term after its course's own (NextTerm), the usual rollover.
	TermID *uuid.UUID `json:"term_id,omitempty"`
}

// RolloverArgs is the job that works a rollover.
type RolloverArgs struct {
	TenantID   uuid.UUID `json:"tenant_id"`
	RolloverID uuid.UUID `json:"rollover_id"`
}

// Kind names the job.
func (RolloverArgs) Kind() string { return "course_rollover" }

// UseJobs gives the service the queue rollovers are worked from. Wired
// once in services.
func (s *Service) UseJobs(q *jobs.Enqueuer) { s.jobs = q }

// StartRollover records a rollover of courses of a school (its admins
// only) and queues its job.
func (s *Service) StartRollover(ctx context.Context, sc access.Scope, in NewRollover) (r Rollover, err error) {
	var fe errs.FieldErrors
	in.Suffix = fe.Line("suffix", in.Suffix, 1, 60)
	if len(in.CourseIDs) == 0 {
		fe.Add("course_ids", "choose at least one course")
	}
	if err := fe.Err(); err != nil {
		return r, err
	}
	ids := dedupeIDs(in.CourseIDs)
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		admin, _, err := standing(tx, sc.Actor().ID, in.SchoolID)
		if err != nil {
			return err
		}
		if !admin || sc.Reader() {
			return errs.New(errs.ErrForbidden, "only the school's admins roll its courses over")
		}
		var n int64
		if err := tx.Table("courses").Where("id IN ? AND school_id = ?", ids, in.SchoolID).Count(&n).Error; err != nil {
			return fmt.Errorf("course: rollover courses: %w", err)
		}
		if int(n) != len(ids) {
			return errs.Field("course_ids", "are not all courses of this school")
		}
		if err := checkTerm(tx, "term_id", in.TermID); err != nil {
			return err
		}
		me := sc.Actor().ID
		r = Rollover{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), SchoolID: in.SchoolID, Suffix: in.Suffix, Status: RolloverRunning, Total: len(ids), RequestedBy: &me, TermID: in.TermID}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("course: rollover: %w", err)
		}
		for i, id := range ids {
			if err := tx.Exec(`INSERT INTO course_rollover_courses (tenant_id, rollover_id, course_id, position) VALUES (app_tenant_id(), ?, ?, ?)`, r.ID, id, i).Error; err != nil {
				return fmt.Errorf("course: rollover: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	if s.jobs != nil {
		if err := s.jobs.Enqueue(ctx, RolloverArgs{TenantID: r.TenantID, RolloverID: r.ID}); err != nil {
			// Recorded but not queued: nothing sweeps for such a rollover
			// yet, so the caller hears of it (starting it again is safe:
			// a course copied is never copied twice by one rollover).
			return r, fmt.Errorf("course: rollover %s recorded but not queued: %w", r.ID, err)
		}
	}
	return r, nil
}

// GetRollover is a rollover and its progress, for its school's admins.
func (s *Service) GetRollover(ctx context.Context, sc access.Scope, id uuid.UUID) (r Rollover, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Where("id = ?", id).Limit(1).Find(&r)
		if res.Error != nil {
			return fmt.Errorf("course: rollover: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "rollover %s", id)
		}
		admin, _, err := standing(tx, sc.Actor().ID, r.SchoolID)
		if err == nil && !admin && !sc.Reader() {
			err = errs.New(errs.ErrNotFound, "rollover %s", id)
		}
		return err
	})
	return r, err
}

// RunRollover copies each course of the rollover not yet copied, as the
// admin who asked for it. A course's copy and the record that it is made
// are one transaction, so a run whose worker was killed resumes where it
// stopped: courses already copied are skipped, and two runs never copy
// one course twice.
func (s *Service) RunRollover(ctx context.Context, tenant, id uuid.UUID) error {
	sys := access.System(tenant, "course_rollover")
	var r Rollover
	err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		res := tx.Where("id = ?", id).Limit(1).Find(&r)
		if res.Error == nil && res.RowsAffected == 0 {
			r.Status = RolloverDone // gone with its school: nothing to do
		}
		return res.Error
	})
	if err != nil || r.Status == RolloverDone {
		return err
	}
	beat := func(ctx context.Context) (bool, error) {
		err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE course_rollovers SET updated_at = now() WHERE id = ?`, id).Error
		})
		return true, err
	}
	run, stop := jobs.KeepAlive(ctx, beat)
	defer stop()
	for {
		var next struct {
			CourseID uuid.UUID
			Title    string
		}
		err := access.Transact(run, s.db, sys, func(tx *gorm.DB) error {
			return tx.Raw(`SELECT rc.course_id, c.title FROM course_rollover_courses rc JOIN courses c ON c.id = rc.course_id
				WHERE rc.rollover_id = ? AND rc.copy_id IS NULL AND rc.failure IS NULL ORDER BY rc.position LIMIT 1`, id).Scan(&next).Error
		})
		if err != nil {
			return fmt.Errorf("course: rollover %s: %w", id, err)
		}
		if next.CourseID == uuid.Nil {
			break
		}
		err = errs.New(errs.ErrForbidden, "the admin who asked for the rollover is no longer here")
		if r.RequestedBy != nil {
			title := next.Title + " " + r.Suffix
			if len([]rune(title)) > 200 {
				title = string([]rune(title)[:200])
			}
			_, err = s.copyWith(run, access.Member(tenant, *r.RequestedBy), next.CourseID, title, func(tx *gorm.DB, c Course) error {
				res := tx.Exec(`UPDATE course_rollover_courses SET copy_id = ? WHERE rollover_id = ? AND course_id = ? AND copy_id IS NULL`, c.ID, id, next.CourseID)
				if res.Error == nil && res.RowsAffected == 0 {
					return errCopiedMeanwhile
				}
				if res.Error != nil {
					return res.Error
				}
				term, err := rolledTerm(tx, r.TermID, next.CourseID)
				if err != nil {
					return err
				}
				if err := setTerm(tx, c.ID, term); err != nil {
					return err
				}
				return tx.Exec(`UPDATE course_rollovers SET done = done + 1, updated_at = now() WHERE id = ?`, id).Error
			})
		}
		switch {
		case errors.Is(err, errCopiedMeanwhile):
			continue
		case err != nil && run.Err() != nil:
			return context.Cause(run) // stopped: the next run carries on
		case err != nil:
			msg := errs.Public(err)
			if msg == "" {
				msg = "the course could not be copied"
			}
			if len(msg) > 500 {
				msg = msg[:500]
			}
			slog.WarnContext(ctx, "course: rollover: a course not copied", "rollover", id, "course", next.CourseID, "err", err)
			err = access.Transact(run, s.db, sys, func(tx *gorm.DB) error {
				res := tx.Exec(`UPDATE course_rollover_courses SET failure = ? WHERE rollover_id = ? AND course_id = ? AND copy_id IS NULL AND failure IS NULL`, msg, id, next.CourseID)
				if res.Error != nil || res.RowsAffected == 0 {
					return res.Error
				}
				return tx.Exec(`UPDATE course_rollovers SET failed = failed + 1, updated_at = now() WHERE id = ?`, id).Error
			})
			if err != nil {
				return fmt.Errorf("course: rollover %s: %w", id, err)
			}
		}
	}
	return access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE course_rollovers SET status = ?, updated_at = now() WHERE id = ?`, RolloverDone, id).Error
	})
}

var errCopiedMeanwhile = errors.New("course: copied meanwhile by another run")

// Stalled is the rescue's check: a running rollover whose heartbeat has
// been silent for jobs.StaleAfter lost its worker.
func (s *Service) Stalled(ctx context.Context, raw []byte) (bool, error) {
	var a RolloverArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return false, err
	}
	var n int64
	err := access.Transact(ctx, s.db, access.System(a.TenantID, "course_rollover_rescue"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM course_rollovers WHERE id = ? AND status = ? AND updated_at < now() - make_interval(secs => ?)`,
			a.RolloverID, RolloverRunning, jobs.StaleAfter.Seconds()).Scan(&n).Error
	})
	return n > 0, err
}

// RolloverWorker works RolloverArgs.
type RolloverWorker struct {
	river.WorkerDefaults[RolloverArgs]
	Service *Service
}

// Work runs the rollover.
func (w *RolloverWorker) Work(ctx context.Context, j *river.Job[RolloverArgs]) error {
	return w.Service.RunRollover(ctx, j.Args.TenantID, j.Args.RolloverID)
}

func dedupeIDs(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
