package subject

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/objstore"
)

// Service keeps the request queue and carries out exports and erasures.
type Service struct {
	db        *database.DB
	store     *objstore.Store
	files     *files.Service
	jobs      *jobs.Enqueuer
	key       []byte
	exportTTL time.Duration
	now       func() time.Time
}

// DefaultExportTTL is how long an export's download link works.
const DefaultExportTTL = 7 * 24 * time.Hour

// NewService returns a Service. key keys the erasure ledger's hashes;
// exportTTL is how long a finished export stays downloadable.
func NewService(db *database.DB, store *objstore.Store, fs *files.Service, q *jobs.Enqueuer, key []byte, exportTTL time.Duration) *Service {
	if exportTTL <= 0 || exportTTL > DefaultExportTTL {
		exportTTL = DefaultExportTTL // presigned links cannot outlive 7 days
	}
	return &Service{db: db, store: store, files: fs, jobs: q, key: key, exportTTL: exportTTL, now: time.Now}
}

// NewRequest opens a request. For members asking for themselves or a
// child, PersonID and AskedByRelation are set by the caller's route.
type NewRequest struct {
	PersonID   uuid.UUID `json:"person_id"`
	Kind       string    `json:"kind"`
	ReceivedOn string    `json:"received_on"` // YYYY-MM-DD; today when empty
	Details    string    `json:"details"`
}

// addMonths adds calendar months; a day the month lacks becomes its last
// day (31 January + 1 month is 28 or 29 February), as the ICO counts.
func addMonths(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d.Day(), last)-1)
}

// Open records a request in the scoped tenant's queue. relation is who
// asked: consent.BySelf (the person), consent.ByGuardian (the caller for
// their child) or consent.ByAdmin (the caller on the person's behalf).
func (s *Service) Open(ctx context.Context, sc access.Scope, relation consent.Relation, in NewRequest) (Request, error) {
	var fe errs.FieldErrors
	if !slices.Contains(Kinds, in.Kind) {
		fe.Add("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	today := s.now().UTC().Truncate(24 * time.Hour)
	received := today
	if in.ReceivedOn != "" {
		d, err := time.Parse(time.DateOnly, in.ReceivedOn)
		switch {
		case err != nil:
			fe.Add("received_on", "must be a date (YYYY-MM-DD)")
		case d.After(today):
			fe.Add("received_on", "cannot be in the future")
		case d.Before(today.AddDate(-1, 0, 0)):
			fe.Add("received_on", "must be within the last year")
		default:
			received = d
		}
	}
	in.Details = strings.TrimSpace(in.Details)
	if len(in.Details) > 5000 || errs.HasControlText(in.Details) {
		fe.Add("details", "must be at most 5000 characters of text")
	}
	if in.PersonID == uuid.Nil {
		fe.Add("person_id", "is required")
	}
	if err := fe.Err(); err != nil {
		return Request{}, err
	}
	actor := sc.Actor().ID
	r := Request{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), PersonID: &in.PersonID, Kind: in.Kind, AskedBy: &actor,
		AskedByRelation: relation, ReceivedOn: received, DueOn: addMonths(received, 1), Status: StatusOpen, Details: in.Details}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		switch relation {
		case consent.ByAdmin:
			if err := identity.Reach(tx, sc, in.PersonID, false); err != nil {
				return err
			}
		case consent.BySelf:
			if in.PersonID != actor {
				return errs.New(errs.ErrNotFound, "person %s", in.PersonID)
			}
		case consent.ByGuardian:
			if !consent.IsGuardian(tx, actor, in.PersonID) {
				return errs.New(errs.ErrNotFound, "person %s", in.PersonID)
			}
		default:
			return fmt.Errorf("subject: unknown relation %q", relation)
		}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("subject: open request: %w", err)
		}
		if err := tx.Raw(`SELECT display_name FROM people WHERE id = ?`, in.PersonID).Scan(&r.PersonName).Error; err != nil {
			return err
		}
		return s.log(tx, sc, "subject-request.opened", r, map[string]string{"kind": r.Kind, "asked_by": string(relation), "due_on": r.DueOn.Format(time.DateOnly)})
	})
	r.mark(s.now())
	return r, err
}

// log appends a controller action on a request to the tenant's audit trail.
func (s *Service) log(tx *gorm.DB, sc access.Scope, action string, r Request, detail map[string]string) error {
	return identity.Record(tx, sc, "retention job", action, "subject request "+r.ID.String(), detail)
}

// Filter narrows the queue.
type Filter struct {
	Open     bool       // only open and in-progress requests
	PersonID *uuid.UUID // only this person's
}

// requestOrder is the queue's order: by due date (the most urgent first),
// then id.
var requestOrder = database.Keyset{Key: "r.due_on", Cast: "date", ID: "r.id"}

// At is where a request sits in the queue's order, for paging.
func (r Request) At() (string, uuid.UUID) { return r.DueOn.Format(time.DateOnly), r.ID }

// List is a page of the scoped tenant's queue, by due date (the most
// urgent first), then id. A page given by a bare request id (the cursors
// this list gave out before they carried the due date) continues after
// that request's place.
func (s *Service) List(ctx context.Context, sc access.Scope, f Filter, p database.Page) (out []Request, err error) {
	out = []Request{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := tx.Table("subject_requests r").Select("r.*, COALESCE(people.display_name, '(erased)') AS person_name").
			Joins("LEFT JOIN people ON people.tenant_id = r.tenant_id AND people.id = r.person_id")
		if _, limited := sc.Schools(); limited {
			q = identity.Visible(q, sc)
		}
		if f.Open {
			q = q.Where("r.status IN ?", []Status{StatusOpen, StatusInProgress})
		}
		if f.PersonID != nil {
			q = q.Where("r.person_id = ?", *f.PersonID)
		}
		if p.Key == "" && p.After != uuid.Nil {
			q = q.Where("(r.due_on, r.id) > (SELECT a.due_on, a.id FROM subject_requests a WHERE a.id = ?)", p.After)
			p.After = uuid.Nil
		}
		return requestOrder.Apply(q, p).Find(&out).Error
	})
	for i := range out {
		out[i].mark(s.now())
	}
	return out, err
}

// Get is one request, if sc reaches its person.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (r Request, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return s.get(tx, sc, id, &r) })
	r.mark(s.now())
	return r, err
}

func (s *Service) get(tx *gorm.DB, sc access.Scope, id uuid.UUID, r *Request) error {
	if err := database.Found(tx.Table("subject_requests r").Select("r.*, COALESCE(p.display_name, '(erased)') AS person_name").
		Joins("LEFT JOIN people p ON p.tenant_id = r.tenant_id AND p.id = r.person_id").Where("r.id = ?", id).Limit(1).Find(r), "subject request %s", id); err != nil {
		return err
	}
	if r.PersonID != nil {
		if err := identity.Reach(tx, sc, *r.PersonID, false); err != nil {
			return errs.New(errs.ErrNotFound, "subject request %s", id)
		}
	} else if !sc.TenantWide() {
		return errs.New(errs.ErrNotFound, "subject request %s", id)
	}
	return nil
}

// Change is an admin's update of a request; nil fields stay.
type Change struct {
	Status          *Status    `json:"status"`
	AssigneeID      *uuid.UUID `json:"assignee_id"`
	Notes           *string    `json:"notes"`
	Outcome         *string    `json:"outcome"`
	ExtendMonths    *int       `json:"extend_months"` // total extension, 1 or 2 months
	ExtensionReason *string    `json:"extension_reason"`
}

// Update changes a request's status, assignee, notes, outcome or
// extension. A closed request stays closed.
func (s *Service) Update(ctx context.Context, sc access.Scope, id uuid.UUID, in Change) (r Request, err error) {
	var fe errs.FieldErrors
	set := map[string]any{"updated_at": s.now().UTC()}
	if in.Status != nil {
		if !slices.Contains(Statuses, *in.Status) {
			fe.Add("status", "must be one of %s", joinStatuses(Statuses))
		}
		set["status"] = *in.Status
		if in.Status.Closed() {
			set["closed_at"] = s.now().UTC()
		}
	}
	for field, v := range map[string]*string{"notes": in.Notes, "outcome": in.Outcome} {
		if v == nil {
			continue
		}
		if t := strings.TrimSpace(*v); len(t) > 5000 || errs.HasControlText(t) {
			fe.Add(field, "must be at most 5000 characters of text")
		} else {
			set[field] = t
		}
	}
	if in.AssigneeID != nil {
		set["assignee_id"] = *in.AssigneeID
	}
	if in.ExtendMonths != nil {
		reason := ""
		if in.ExtensionReason != nil {
			reason = strings.TrimSpace(*in.ExtensionReason)
		}
		switch {
		case *in.ExtendMonths < 1 || *in.ExtendMonths > 2:
			fe.Add("extend_months", "must be 1 or 2: a request may be extended by up to two further months")
		case reason == "" || len(reason) > 2000 || errs.HasControlText(reason):
			fe.Add("extension_reason", "say why the request needs longer (1-2000 characters); the person must be told")
		default:
			set["extended_months"], set["extension_reason"] = *in.ExtendMonths, reason
		}
	}
	if err := fe.Err(); err != nil {
		return r, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := s.get(tx, sc, id, &r); err != nil {
			return err
		}
		if r.ClosedAt != nil {
			return errs.New(errs.ErrConflict, "the request is closed")
		}
		if m, ok := set["extended_months"].(int); ok {
			set["due_on"] = addMonths(r.ReceivedOn, 1+m)
		}
		if in.AssigneeID != nil {
			var admins int64
			if err := tx.Raw(`SELECT count(*) FROM role_assignments WHERE person_id = ? AND role = ?`,
				*in.AssigneeID, identity.RoleAdmin).Scan(&admins).Error; err != nil {
				return err
			}
			if identity.Reach(tx, sc, *in.AssigneeID, false) != nil || admins == 0 {
				return errs.Field("assignee_id", "must be an admin of this school")
			}
		}
		if err := tx.Model(&Request{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return fmt.Errorf("subject: update request: %w", err)
		}
		detail := map[string]string{}
		for k, v := range set {
			if k != "notes" && k != "updated_at" {
				detail[k] = fmt.Sprint(v)
			}
		}
		if err := s.log(tx, sc, "subject-request.updated", r, detail); err != nil {
			return err
		}
		return s.get(tx, sc, id, &r)
	})
	r.mark(s.now())
	return r, err
}
