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
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"gorm.io/gorm"
)

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
	onSend   []func(tx *gorm.DB, c Communication, people []uuid.UUID) error
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

// Inbox is the actor's messages, newest first.
func (s *Service) Inbox(ctx context.Context, sc access.Scope) ([]Communication, error) {
	return s.InboxPage(ctx, sc, database.Page{Limit: 200})
}

// inboxOrder lists an inbox newest first.
var inboxOrder = database.Keyset{Key: "c.created_at", Cast: "timestamptz", ID: "c.id", Desc: true}

// At is where a communication sits in the inbox's order.
func (c Communication) At() (string, uuid.UUID) { return database.TimeKey(c.CreatedAt), c.ID }

// InboxPage is a page of the caller's inbox, newest first.
func (s *Service) InboxPage(ctx context.Context, sc access.Scope, p database.Page) ([]Communication, error) {
	out := []Communication{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT c.*, i.read_at FROM communication_inbox i JOIN communications c ON c.id = i.communication_id
			WHERE i.person_id = @me AND `+inboxOrder.Cond(p)+inboxOrder.Tail(p),
			p.Args(map[string]any{"me": sc.Actor().ID})).Scan(&out).Error
	})
	return out, err
}

// CanWriteTo reports (as an error) whether the actor may write to a
// course: its teachers and its school's admins.
func (s *Service) CanWriteTo(ctx context.Context, sc access.Scope, courseID uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, err := course.RequireTeach(tx, sc, courseID)
		return err
	})
}
