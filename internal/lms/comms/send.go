package comms

import (
	"context"
	"maps"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Send records a communication, puts it in each recipient's inbox and, by
// email, in the outbox, in one transaction; a job sends the emails. The
// recipients are found and written as sets: a few statements whatever the
// size of the school.
func (s *Service) Send(ctx context.Context, sc access.Scope, in NewCommunication) (Communication, error) {
	c, err := newCommunication(sc, in)
	if err != nil {
		return c, err
	}
	queued := 0
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		who, args, err := audience(tx, sc, c)
		if err != nil {
			return err
		}
		people, err := recipients(tx, who, args, c.Optional)
		if err != nil {
			return err
		}
		c.Recipients = len(people)
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := fillInboxes(tx, c, people); err != nil {
			return err
		}
		if c.ByEmail {
			if queued, err = s.queueEmails(tx, c, people); err != nil {
				return err
			}
		}
		ids := make([]uuid.UUID, len(people))
		for i, p := range people {
			ids[i] = p.ID
		}
		for _, h := range s.onSend {
			if err := h(tx, c, ids); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && queued > 0 && s.jobs != nil {
		s.QueueDelivery(ctx, c.TenantID)
	}
	return c, err
}

// newCommunication checks the input and says who it is addressed to.
func newCommunication(sc access.Scope, in NewCommunication) (Communication, error) {
	me := sc.Actor().ID
	c := Communication{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: in.CourseID, SchoolID: in.SchoolID,
		Optional: in.Optional, ByEmail: in.ByEmail, SentBy: &me}
	var fe errs.FieldErrors
	c.Subject = fe.Line("subject", in.Subject, 1, 200)
	c.Body = fe.Text("body", in.Body, 1, 50000)
	switch {
	case in.CourseID != nil && in.SchoolID != nil:
		fe.Add("course_id", "give a course or a school, not both")
	case in.CourseID != nil:
		c.Audience = "course"
	case in.SchoolID != nil:
		c.Audience = "school"
	default:
		c.Audience = "tenant"
	}
	return c, fe.Err()
}

// audience checks that the actor may write to c's audience and returns the
// people it addresses, as SQL over person ids with its named arguments.
func audience(tx *gorm.DB, sc access.Scope, c Communication) (string, map[string]any, error) {
	me := sc.Actor().ID
	switch c.Audience {
	case "course":
		if _, err := course.RequireTeach(tx, sc, *c.CourseID); err != nil {
			return "", nil, err
		}
		return `SELECT person_id FROM enrolments WHERE course_id = @course`, map[string]any{"course": *c.CourseID}, nil
	case "school":
		var known, admin bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM schools WHERE id = @school),
			EXISTS (SELECT 1 FROM role_assignments WHERE person_id = @me AND role = @admin
				AND (school_id IS NULL OR school_id = @school))`,
			map[string]any{"school": *c.SchoolID, "me": me, "admin": identity.RoleAdmin}).Row().Scan(&known, &admin); err != nil {
			return "", nil, err
		}
		if !known {
			return "", nil, errs.New(errs.ErrNotFound, "school %s", *c.SchoolID)
		}
		if !admin {
			return "", nil, errs.New(errs.ErrForbidden, "only the school's admins write to the whole school")
		}
		// The people of that school: those holding a role in it (not the
		// tenant's other schools, nor trust-wide staff).
		return `SELECT person_id FROM role_assignments WHERE school_id = @school`, map[string]any{"school": *c.SchoolID}, nil
	}
	if ok, err := identity.IsTenantAdmin(tx, me); err != nil {
		return "", nil, err
	} else if !ok {
		return "", nil, errs.New(errs.ErrForbidden, "only tenant-wide admins write to everyone")
	}
	return `SELECT id FROM people`, map[string]any{}, nil
}

// recipient is one person a communication reaches.
type recipient struct {
	ID    uuid.UUID
	Email *string
}

// recipients are the active people of the audience; for an optional
// message, only those whose consent is in force (the shared rule,
// consent.InForce).
func recipients(tx *gorm.DB, who string, args map[string]any, optional bool) ([]recipient, error) {
	q := `SELECT p.id, p.email FROM people p WHERE p.status = 'active' AND p.id IN (` + who + `)`
	args = maps.Clone(args)
	if optional {
		cond, cargs := consent.InForce(OptionalPurpose)
		q += ` AND ` + cond
		maps.Copy(args, cargs)
	}
	var out []recipient
	q += ` ORDER BY p.id`
	if len(args) == 0 { // an empty map would be taken for one positional argument
		return out, tx.Raw(q).Scan(&out).Error
	}
	return out, tx.Raw(q, args).Scan(&out).Error
}

// inboxRow is one communication in one person's inbox.
type inboxRow struct {
	TenantID        uuid.UUID
	CommunicationID uuid.UUID
	PersonID        uuid.UUID
}

func (inboxRow) TableName() string { return "communication_inbox" }

// fillInboxes puts c in every recipient's inbox, a batch at a time.
func fillInboxes(tx *gorm.DB, c Communication, people []recipient) error {
	rows := make([]inboxRow, len(people))
	for i, p := range people {
		rows[i] = inboxRow{c.TenantID, c.ID, p.ID}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.CreateInBatches(rows, 1000).Error
}

// OutboxStatus is where an email in the outbox is; the value is what
// email_outbox.status holds.
type OutboxStatus string

// Outbox statuses.
const (
	// OutboxQueued: waiting for the delivery job (also after a failed try,
	// until its attempts run out).
	OutboxQueued OutboxStatus = "queued"
	// OutboxSent: handed to the mail server.
	OutboxSent OutboxStatus = "sent"
	// OutboxFailed: given up on (the schema allows it; delivery leaves a
	// message queued with its last error instead).
	OutboxFailed OutboxStatus = "failed"
	// OutboxSuppressed: optional, and the person has unsubscribed or
	// withdrawn consent, so it is never sent.
	OutboxSuppressed OutboxStatus = "suppressed"
)

// outboxRow is one email waiting for the delivery job.
type outboxRow struct {
	TenantID        uuid.UUID
	ID              uuid.UUID
	CommunicationID uuid.UUID
	PersonID        uuid.UUID
	ToAddress       string
	Status          OutboxStatus
}

func (outboxRow) TableName() string { return "email_outbox" }

// queueEmails puts an email to every recipient with an address in the
// outbox; an optional one to a suppressed address is recorded as such and
// never sent. It returns how many are queued.
func (s *Service) queueEmails(tx *gorm.DB, c Communication, people []recipient) (int, error) {
	var rows []outboxRow
	hashOf := map[uuid.UUID]string{} // outbox row → address hash, optional messages only
	for _, p := range people {
		if p.Email == nil || *p.Email == "" {
			continue
		}
		row := outboxRow{c.TenantID, uuid.Must(uuid.NewV7()), c.ID, p.ID, *p.Email, OutboxQueued}
		if c.Optional {
			hashOf[row.ID] = s.addressHash(c.TenantID, *p.Email)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	suppressed := map[string]bool{}
	if len(hashOf) > 0 {
		var hs []string
		if err := tx.Raw(`SELECT address_hash FROM email_suppressions WHERE address_hash IN ?`,
			slices.Collect(maps.Values(hashOf))).Scan(&hs).Error; err != nil {
			return 0, err
		}
		for _, h := range hs {
			suppressed[h] = true
		}
	}
	queued := 0
	for i := range rows {
		if suppressed[hashOf[rows[i].ID]] {
			rows[i].Status = OutboxSuppressed
			continue
		}
		queued++
	}
	return queued, tx.CreateInBatches(rows, 1000).Error
}

// OnSend adds h to what Send does, in its transaction, with the people a
// communication reached (their "new announcement" notices).
func (s *Service) OnSend(h func(tx *gorm.DB, c Communication, people []uuid.UUID) error) {
	s.onSend = append(s.onSend, h)
}

// Queued is one email that is not a communication: a notice or a digest,
// its subject and plain text written by the caller.
type Queued struct {
	PersonID          uuid.UUID
	To, Subject, Text string
}

// QueueEmails puts emails in the outbox in the caller's transaction (a
// scoped one: the rows are the scope's tenant's); the delivery job sends
// them. They are about the person's own learning, so never optional.
func QueueEmails(tx *gorm.DB, tenant uuid.UUID, emails []Queued) error {
	type row struct {
		TenantID, ID, PersonID uuid.UUID
		ToAddress              string
		Status                 OutboxStatus
		Subject, Body          string
	}
	rows := make([]row, 0, len(emails))
	for _, e := range emails {
		rows = append(rows, row{tenant, uuid.Must(uuid.NewV7()), e.PersonID, e.To, OutboxQueued, e.Subject, e.Text})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Table("email_outbox").CreateInBatches(rows, 500).Error
}
