package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// OverdueWindow is how long after a learner's due date work not handed in
// is still announced as overdue: a learner enrolled later, or a job that
// was down, does not bring up old deadlines.
const OverdueWindow = 48 * time.Hour

// dueSQL finds, for each learner of a published course, the assignments
// they can see and have not handed in whose own due date (extra time
// included) falls in [@from, @to).
var dueSQL = `SELECT e.person_id, a.id AS assignment_id, i.title, c.title AS course, ` + assignment.LearnerDueSQL("e.person_id") + ` AS due
	FROM assignments a JOIN course_items i ON i.id = a.item_id JOIN courses c ON c.id = a.course_id
	JOIN enrolments e ON e.course_id = a.course_id AND e.role = 'learner'
	WHERE c.status = 'published' AND ` + course.LearnerSeesSQL + `
		AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.assignment_id = a.id AND s.person_id = e.person_id)
		AND ` + assignment.LearnerDueSQL("e.person_id") + ` >= @from AND ` + assignment.LearnerDueSQL("e.person_id") + ` < @to`

type dueRow struct {
	PersonID, AssignmentID uuid.UUID
	Title, Course          string
	Due                    time.Time
}

// Due makes the tenant's "due in 24 hours" and "now overdue" notices as at
// now and queues their emails. Run again, it makes none twice.
func (s *Service) Due(ctx context.Context, tenant uuid.UUID, now time.Time) (made int, err error) {
	loc, err := s.zone(ctx, tenant)
	if err != nil {
		return 0, err
	}
	queued := 0
	err = access.Transact(ctx, s.db, access.System(tenant, "notices"), func(tx *gorm.DB) error {
		for _, k := range []struct {
			kind     Kind
			from, to time.Time
		}{{DueSoon, now, now.Add(24 * time.Hour)}, {Overdue, now.Add(-OverdueWindow), now}} {
			var rows []dueRow
			if err := tx.Raw(dueSQL, map[string]any{"from": k.from, "to": k.to}).Scan(&rows).Error; err != nil {
				return fmt.Errorf("notify: %s work: %w", k.kind, err)
			}
			ns := make([]Notice, 0, len(rows))
			for _, r := range rows {
				ns = append(ns, dueNotice(k.kind, r, loc))
			}
			n, err := s.Add(tx, tenant, k.kind, ns)
			if err != nil {
				return err
			}
			made, queued = made+len(ns), queued+n
		}
		return nil
	})
	if err == nil && queued > 0 {
		s.mail.QueueDelivery(ctx, tenant)
	}
	return made, err
}

func dueNotice(k Kind, r dueRow, loc *time.Location) Notice {
	when := localtime.DateTime(r.Due, loc)
	n := Notice{PersonID: r.PersonID, Key: "assignment:" + r.AssignmentID.String(), Link: "/assignments/" + r.AssignmentID.String()}
	if k == DueSoon {
		n.Title = "“" + r.Title + "” (" + r.Course + ") is due " + when
		n.Body = "Hand it in by " + when + "."
	} else {
		n.Title = "“" + r.Title + "” (" + r.Course + ") is overdue"
		n.Body = "It was due " + when + " and has not been handed in. Hand it in as soon as you can, or talk to your teacher."
	}
	return n
}

// tenants are those whose data is not deleted.
func (s *Service) tenants(ctx context.Context) ([]uuid.UUID, error) {
	var ts []uuid.UUID
	err := s.db.Gorm.WithContext(ctx).Table("contracts").Where("status <> 'deleted'").Pluck("tenant_id", &ts).Error
	return ts, err
}

// DueArgs is the periodic job that makes due and overdue notices in every
// tenant.
type DueArgs struct{}

// Kind names the job.
func (DueArgs) Kind() string { return "notify_due" }

// DueWorker works DueArgs.
type DueWorker struct {
	river.WorkerDefaults[DueArgs]
	Service *Service
}

// Work makes the notices of every tenant; one tenant's failure does not
// stop the others'.
func (w *DueWorker) Work(ctx context.Context, _ *river.Job[DueArgs]) error {
	ts, err := w.Service.tenants(ctx)
	if err != nil {
		return err
	}
	var failed []error
	for _, t := range ts {
		if _, err := w.Service.Due(ctx, t, w.Service.now()); err != nil {
			failed = append(failed, fmt.Errorf("tenant %s: %w", t, err))
		}
	}
	return errors.Join(failed...)
}
