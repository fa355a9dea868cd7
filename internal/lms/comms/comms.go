// Package comms is school communications: announcements and newsletters to
// a course (its teachers), a school or the whole tenant (admins), shown in
// the app and, when asked, sent by email through an outbox a job empties.
//
// An optional communication (a newsletter, an event) goes only to people
// whose "optional-communications" consent is in force and whose address
// is not on the school's suppression list. Every optional email carries an
// unsubscribe link (and List-Unsubscribe headers) honoured at once: the
// consent is withdrawn and the address suppressed, so a re-import of the
// person, or a consent recorded for them by an admin, does not bring them
// back; only the person giving consent again themselves lifts it.
package comms

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
)

// OptionalPurpose is the consent optional communications need.
const OptionalPurpose = "optional-communications"

// Communication is one message.
type Communication struct {
	TenantID   uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID         uuid.UUID  `gorm:"primaryKey" json:"id"`
	Audience   string     `json:"audience"`
	CourseID   *uuid.UUID `json:"course_id,omitempty"`
	SchoolID   *uuid.UUID `json:"school_id,omitempty"`
	Optional   bool       `json:"optional"`
	ByEmail    bool       `json:"by_email"`
	Subject    string     `json:"subject"`
	Body       string     `json:"body"`
	SentBy     *uuid.UUID `json:"-"`
	Recipients int        `json:"recipients"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `gorm:"->;-:migration" json:"read_at,omitempty"`
}

// TableName is the gorm table.
func (Communication) TableName() string { return "communications" }

// NewCommunication is the input to send one.
type NewCommunication struct {
	CourseID *uuid.UUID `json:"course_id"`
	SchoolID *uuid.UUID `json:"school_id"`
	Optional bool       `json:"optional"`
	ByEmail  bool       `json:"by_email"`
	Subject  string     `json:"subject" binding:"max=200"`
	Body     string     `json:"body" binding:"max=50000"`
}

// send is smtp.SendMail with time limits: a relay that accepts the
// connection and then says nothing must not hold a worker for hours.
func (r Relay) send(from, to string, msg []byte) error {
	host, _, err := net.SplitHostPort(r.Addr)
	if err != nil {
		return fmt.Errorf("comms: LMS_SMTP_ADDR %q: %w", r.Addr, err)
	}
	limit := cmp.Or(r.Timeout, time.Minute)
	conn, err := (&net.Dialer{Timeout: limit}).Dial("tcp", r.Addr)
	if err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(limit)); err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("comms: smtp starttls: %w", err)
		}
	}
	if a := r.auth(); a != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("comms: smtp: the relay does not offer AUTH, but LMS_SMTP_USERNAME is set")
		}
		if err := c.Auth(a); err != nil {
			return fmt.Errorf("comms: smtp auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	return c.Quit()
}

// deliverLinks emails the tenant's set-password links not yet sent. A
// failure leaves the link unsent, for the next delivery or sweep.
func (s *Service) deliverLinks(ctx context.Context, tenant uuid.UUID) error {
	ids, err := s.Identity.PendingLinks(ctx, tenant)
	if err != nil {
		return err
	}
	for _, id := range ids {
		l, err := s.Identity.LinkToSend(ctx, tenant, id)
		if errors.Is(err, errs.ErrNotFound) {
			if err := s.Identity.MarkLinkSent(ctx, tenant, id); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		url := s.publicURL + "/set-password/" + s.Identity.LinkToken(tenant, id)
		subject := "Set your password for " + l.TenantName
		intro := "You have been given an account on " + l.TenantName + "'s learning platform."
		if l.Purpose == identity.LinkReset {
			subject, intro = "Set a new password for "+l.TenantName, "Your school's administrator sent you this link to set a new password."
		}
		body := fmt.Sprintf("Hello %s,\n\n%s\n\nYour username: %s\n\nSet your password here (the link works once, for 72 hours):\n%s\n\n"+
			"If you did not expect this email, you can ignore it.\n", l.DisplayName, intro, l.Username, url)
		if err := s.sendMail(l.Email, subject, body, false, tenant, uuid.Nil); err != nil {
			// One refused address must not hold up the tenant's other
			// links and messages: it stays unsent for the next sweep.
			slog.WarnContext(ctx, "comms: password link not sent", "link", id, "tenant", tenant, "err", err)
			continue
		}
		if err := s.Identity.MarkLinkSent(ctx, tenant, id); err != nil {
			return err
		}
	}
	return nil
}

// QueueDelivery starts delivery for the tenant at once (a link or message
// just recorded); the sweep sends it anyway within a minute if this is lost.
func (s *Service) QueueDelivery(ctx context.Context, tenant uuid.UUID) {
	if s.jobs != nil {
		_ = s.jobs.Enqueue(ctx, DeliverArgs{TenantID: tenant})
	}
}

// Relay is the SMTP server emails go through. With a username, the client
// logs in (PLAIN), which net/smtp does only after STARTTLS or to localhost;
// STARTTLS is used whenever the server offers it.
type Relay struct {
	Addr, Username, Password string
	// Timeout bounds one email's whole conversation (default a minute).
	Timeout time.Duration
}

func (r Relay) auth() smtp.Auth {
	if r.Username == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(r.Addr)
	if err != nil {
		host = r.Addr
	}
	return smtp.PlainAuth("", r.Username, r.Password, host)
}

// Service sends and lists communications.
type Service struct {
	db        *database.DB
	jobs      *jobs.Enqueuer
	key       []byte
	publicURL string
	smtp      Relay
	// Identity sends set-password links with the tenant's emails (set by
	// the app).
	Identity *identity.Service
	from     string
	now      func() time.Time
}

// NewService builds the service; key signs unsubscribe links and hashes
// suppressed addresses.
func NewService(db *database.DB, q *jobs.Enqueuer, key []byte, publicURL string, relay Relay, from string) *Service {
	return &Service{db: db, jobs: q, key: key, publicURL: strings.TrimRight(publicURL, "/"), smtp: relay, from: from, now: time.Now}
}

func (s *Service) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(m.Sum(nil))
}

// addressHash is the suppression list's key for an address.
func (s *Service) addressHash(tenant uuid.UUID, address string) string {
	return s.mac("suppress", tenant.String(), strings.ToLower(strings.TrimSpace(address)))
}

// Token is the unsubscribe token of person in tenant.
func (s *Service) Token(tenant, person uuid.UUID) string {
	return tenant.String() + "." + person.String() + "." + s.mac("unsubscribe", tenant.String(), person.String())[:32]
}

func schoolAdmin(tx *gorm.DB, person, school uuid.UUID) (bool, error) {
	var ok bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM role_assignments WHERE person_id = ? AND role = 'admin' AND (school_id IS NULL OR school_id = ?))`, person, school).Row().Scan(&ok)
	return ok, err
}

// Send records a communication, puts it in each recipient's inbox and, by
// email, in the outbox, in one transaction; a job sends the emails.
func (s *Service) Send(ctx context.Context, sc access.Scope, in NewCommunication) (Communication, error) {
	c := Communication{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: in.CourseID, SchoolID: in.SchoolID, Optional: in.Optional, ByEmail: in.ByEmail}
	var fe errs.FieldErrors
	c.Subject, c.Body = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Body)
	if c.Subject == "" || len([]rune(c.Subject)) > 200 || errs.HasControl(c.Subject) {
		fe.Add("subject", "must be 1-200 characters without control characters")
	}
	if c.Body == "" || len([]rune(c.Body)) > 50000 || errs.HasControlText(c.Body) {
		fe.Add("body", "must be 1-50000 characters without control characters")
	}
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
	if err := fe.Err(); err != nil {
		return c, err
	}
	me := sc.Actor().ID
	c.SentBy = &me
	queued := 0
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var who string
		var args []any
		switch c.Audience {
		case "course":
			if _, err := course.RequireTeach(tx, sc, *c.CourseID); err != nil {
				return err
			}
			who, args = `SELECT person_id FROM enrolments WHERE course_id = ?`, []any{*c.CourseID}
		case "school":
			var known bool
			if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM schools WHERE id = ?)`, *c.SchoolID).Row().Scan(&known); err != nil {
				return err
			}
			if !known {
				return errs.New(errs.ErrNotFound, "school %s", *c.SchoolID)
			}
			if ok, err := schoolAdmin(tx, me, *c.SchoolID); err != nil {
				return err
			} else if !ok {
				return errs.New(errs.ErrForbidden, "only the school's admins write to the whole school")
			}
			// The people of that school: those holding a role in it (not
			// the tenant's other schools, nor trust-wide staff).
			who, args = `SELECT DISTINCT person_id FROM role_assignments WHERE school_id = ?`, []any{*c.SchoolID}
		default:
			if ok, err := identity.IsTenantAdmin(tx, me); err != nil {
				return err
			} else if !ok {
				return errs.New(errs.ErrForbidden, "only tenant-wide admins write to everyone")
			}
			who = `SELECT id FROM people`
		}
		// Active people only; for an optional message, only those whose
		// consent is in force (the shared rule: consent.Has).
		var people []struct {
			ID    uuid.UUID
			Email *string
		}
		if err := tx.Raw(`SELECT p.id, p.email FROM people p WHERE p.status = 'active' AND p.id IN (`+who+`) ORDER BY p.id`, args...).
			Scan(&people).Error; err != nil {
			return err
		}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		n := 0
		for _, p := range people {
			if c.Optional {
				ok, err := consent.Has(tx, p.ID, OptionalPurpose)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if err := tx.Exec(`INSERT INTO communication_inbox (tenant_id, communication_id, person_id) VALUES (?, ?, ?)`, c.TenantID, c.ID, p.ID).Error; err != nil {
				return err
			}
			n++
			if !c.ByEmail || p.Email == nil || *p.Email == "" {
				continue
			}
			status := "queued"
			if c.Optional {
				var suppressed bool
				if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM email_suppressions WHERE address_hash = ?)`, s.addressHash(c.TenantID, *p.Email)).
					Row().Scan(&suppressed); err != nil {
					return err
				}
				if suppressed {
					status = "suppressed"
				}
			}
			if err := tx.Exec(`INSERT INTO email_outbox (tenant_id, id, communication_id, person_id, to_address, status) VALUES (?, ?, ?, ?, ?, ?)`,
				c.TenantID, uuid.Must(uuid.NewV7()), c.ID, p.ID, *p.Email, status).Error; err != nil {
				return err
			}
			if status == "queued" {
				queued++
			}
		}
		c.Recipients = n
		return tx.Model(&Communication{}).Where("id = ?", c.ID).Update("recipients", n).Error
	})
	if err == nil && queued > 0 && s.jobs != nil {
		s.QueueDelivery(ctx, c.TenantID)
	}
	return c, err
}

// Inbox is the actor's messages, newest first.
func (s *Service) Inbox(ctx context.Context, sc access.Scope) ([]Communication, error) {
	out := []Communication{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT c.*, i.read_at FROM communication_inbox i JOIN communications c ON c.id = i.communication_id
			WHERE i.person_id = ? ORDER BY c.created_at DESC LIMIT 200`, sc.Actor().ID).Scan(&out).Error
	})
	return out, err
}

// Deliver sends the tenant's queued emails (a page at a time), re-checking
// consent and the suppression list for optional ones at the moment of
// sending: an unsubscribe between queueing and sending is honoured.
func (s *Service) Deliver(ctx context.Context, tenant uuid.UUID) (n int, err error) {
	// One delivery per tenant at a time, across workers: the job queued
	// by each message and the minute sweep would otherwise read the same
	// queued rows and send each email several times.
	err = s.db.Gorm.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		lock := "lms-deliver:" + tenant.String()
		var got bool
		if err := conn.Raw(`SELECT pg_try_advisory_lock(hashtextextended(?, 0))`, lock).Row().Scan(&got); err != nil {
			return err
		}
		if !got {
			return nil // another worker is sending this tenant's mail now
		}
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec(`SELECT pg_advisory_unlock(hashtextextended(?, 0))`, lock)
		n, err = s.deliver(ctx, tenant)
		return err
	})
	return n, err
}

func (s *Service) deliver(ctx context.Context, tenant uuid.UUID) (int, error) {
	if s.Identity != nil {
		if err := s.deliverLinks(ctx, tenant); err != nil {
			return 0, err
		}
	}
	sys := access.System(tenant, "email")
	type row struct {
		ID, CommunicationID, PersonID uuid.UUID
		ToAddress, Subject, Body      string
		Optional                      bool
	}
	var rows []row
	err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT o.id, o.communication_id, o.person_id, o.to_address, c.subject, c.body, c.optional FROM email_outbox o
			JOIN communications c ON c.id = o.communication_id WHERE o.status = 'queued' AND o.attempts < 5 ORDER BY o.id LIMIT 200`).Scan(&rows).Error
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range rows {
		status, msgErr := "sent", ""
		var skip bool
		if r.Optional {
			err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
				ok, err := consent.Has(tx, r.PersonID, OptionalPurpose)
				if err != nil {
					return err
				}
				var suppressed bool
				if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM email_suppressions WHERE address_hash = ?)`, s.addressHash(tenant, r.ToAddress)).
					Row().Scan(&suppressed); err != nil {
					return err
				}
				skip = !ok || suppressed
				return nil
			})
			if err != nil {
				return sent, err
			}
		}
		if skip {
			status = "suppressed"
		} else if err := s.sendMail(r.ToAddress, r.Subject, r.Body, r.Optional, tenant, r.PersonID); err != nil {
			status, msgErr = "queued", err.Error()
		}
		err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
			set := map[string]any{"status": status, "last_error": msgErr, "attempts": gorm.Expr("attempts + 1")}
			if status == "sent" {
				set["sent_at"] = s.now().UTC()
			}
			return tx.Table("email_outbox").Where("id = ?", r.ID).Updates(set).Error
		})
		if err != nil {
			return sent, err
		}
		if status == "sent" {
			sent++
		}
	}
	return sent, nil
}

// sendMail sends one plain-text email; an optional one carries the
// unsubscribe link in its text and its List-Unsubscribe headers.
func (s *Service) sendMail(to, subject, body string, optional bool, tenant, person uuid.UUID) error {
	from, err := mail.ParseAddress(s.from)
	if err != nil {
		return fmt.Errorf("comms: LMS_SMTP_FROM: %w", err)
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("comms: address %q: %w", to, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@lms>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n",
		from.String(), rcpt.String(), mimeHeader(subject), s.now().UTC().Format(time.RFC1123Z), uuid.NewString())
	text := body
	if optional {
		link := s.publicURL + "/unsubscribe/" + s.Token(tenant, person)
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", link)
		text += "\n\n--\nYou receive this optional message because you agreed to. Unsubscribe at once: " + link + "\n"
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(text, "\n", "\r\n"))
	return s.smtp.send(from.Address, rcpt.Address, []byte(b.String()))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func mimeHeader(s string) string {
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?B?" + b64(s) + "?="
		}
	}
	return s
}

// Unsubscribe honours an unsubscribe link at once: the person's consent
// to optional communications is withdrawn (recorded as their own act) and
// their address is suppressed. It answers ErrNotFound for a bad token.
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errs.New(errs.ErrNotFound, "unsubscribe link")
	}
	tenant, err1 := uuid.Parse(parts[0])
	person, err2 := uuid.Parse(parts[1])
	if err1 != nil || err2 != nil || !hmac.Equal([]byte(s.Token(tenant, person)), []byte(token)) {
		return errs.New(errs.ErrNotFound, "unsubscribe link")
	}
	return access.Transact(ctx, s.db, access.System(tenant, "unsubscribe"), func(tx *gorm.DB) error {
		var emails []sql.NullString
		if err := tx.Raw(`SELECT email FROM people WHERE id = ?`, person).Pluck("email", &emails).Error; err != nil {
			return err
		}
		if len(emails) == 0 {
			return errs.New(errs.ErrNotFound, "unsubscribe link")
		}
		email := &emails[0].String
		// A second click changes nothing: withdraw only what is in force.
		if on, err := consent.Has(tx, person, OptionalPurpose); err != nil {
			return err
		} else if on {
			if err := tx.Exec(`INSERT INTO consents (tenant_id, id, person_id, purpose, given, wording_version, method, by_person, by_relation)
			SELECT ?, ?, ?, ?, false, COALESCE((SELECT wording_version FROM consents WHERE person_id = ? AND purpose = ? ORDER BY at DESC LIMIT 1), 'unsubscribe'),
			'online', ?, 'self'`, tenant, uuid.Must(uuid.NewV7()), person, OptionalPurpose, person, OptionalPurpose, person).Error; err != nil {
				return err
			}
		}
		if email != nil && *email != "" {
			if err := tx.Exec(`INSERT INTO email_suppressions (tenant_id, address_hash, reason) VALUES (?, ?, 'unsubscribed') ON CONFLICT DO NOTHING`,
				tenant, s.addressHash(tenant, *email)).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`UPDATE email_outbox o SET status = 'suppressed' FROM communications c
			WHERE c.id = o.communication_id AND c.optional AND o.person_id = ? AND o.status = 'queued'`, person).Error
	})
}

// LiftSuppression is consent.Service's OnSelfGiven: a person giving
// their consent to optional communications again themselves takes their
// address off the suppression list (an admin's record does not).
func (s *Service) LiftSuppression(tx *gorm.DB, tenant, person uuid.UUID, purpose string) error {
	if purpose != OptionalPurpose {
		return nil
	}
	var emails []sql.NullString
	if err := tx.Raw(`SELECT email FROM people WHERE id = ?`, person).Pluck("email", &emails).Error; err != nil || len(emails) == 0 || !emails[0].Valid {
		return err
	}
	email := &emails[0].String
	return tx.Exec(`DELETE FROM email_suppressions WHERE address_hash = ?`, s.addressHash(tenant, *email)).Error
}

// DeliverArgs is the job that sends a tenant's queued emails.
type DeliverArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "email_deliver" }

// DeliverWorker works DeliverArgs.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Service *Service
}

// Work sends the tenant's queued emails; what fails stays queued for the
// sweep (up to five attempts).
func (w *DeliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	_, err := w.Service.Deliver(ctx, j.Args.TenantID)
	return err
}

// SweepArgs is the periodic job that sends what is still queued in every
// tenant (a lost job, a mail server that was down).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "email_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work delivers for every tenant.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.Service.SweepOnce(ctx)
}

// SweepOnce delivers what is queued (emails, set-password links) for every
// tenant whose data is not deleted.
func (s *Service) SweepOnce(ctx context.Context) error {
	var tenants []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Table("contracts").Where("status <> 'deleted'").Pluck("tenant_id", &tenants).Error; err != nil {
		return err
	}
	// One tenant's failure (its relay refused something) must not stop
	// the others' mail: every tenant is tried, the failures reported.
	var failed []error
	for _, t := range tenants {
		if _, err := s.Deliver(ctx, t); err != nil {
			failed = append(failed, fmt.Errorf("tenant %s: %w", t, err))
		}
	}
	return errors.Join(failed...)
}

// CanWriteTo reports (as an error) whether the actor may write to a
// course: its teachers and its school's admins.
func (s *Service) CanWriteTo(ctx context.Context, sc access.Scope, courseID uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, err := course.RequireTeach(tx, sc, courseID)
		return err
	})
}
