package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// Service makes, lists and sends notices.
type Service struct {
	db        *database.DB
	mail      *comms.Service
	publicURL string
	// Zone is the tenant's time zone, for times in notices and the
	// digest's day (set by services: tenant.Service.Zone); nil is London.
	Zone func(ctx context.Context, tenant uuid.UUID) (*time.Location, error)
	now  func() time.Time
}

// NewService builds the service; emails go through mail's outbox.
func NewService(db *database.DB, mail *comms.Service, publicURL string) *Service {
	return &Service{db: db, mail: mail, publicURL: strings.TrimRight(publicURL, "/"), now: time.Now}
}

func (s *Service) zone(ctx context.Context, tenant uuid.UUID) (*time.Location, error) {
	if s.Zone == nil {
		return localtime.London, nil
	}
	return s.Zone(ctx, tenant)
}

// Notice is one notice to one person. Key names its subject (an
// assignment, a post): the same person, kind and key is one notice ever.
// Link is a path below the tenant ("/assignments/…").
type Notice struct {
	ID       uuid.UUID `json:"id"` // set by Add: time-ordered, so lists page by id
	PersonID uuid.UUID `json:"person_id"`
	Key      string    `json:"subject_key"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Link     string    `json:"link"`
}

// addSQL writes the notices (a JSON array) that their people want, each
// with the person's preference for the kind or its default, skipping any
// already made, and returns the new ones to email at once with the
// person's name and address.
const addSQL = `
WITH x AS (
	SELECT * FROM jsonb_to_recordset(CAST(@notices AS jsonb))
		AS x(id uuid, person_id uuid, subject_key text, title text, body text, link text)
), want AS (
	SELECT x.*, COALESCE(p.in_app, @in_app) AS in_app,
		CASE WHEN @mail THEN COALESCE(p.email, @email) ELSE 'none' END AS email
	FROM x JOIN people pe ON pe.id = x.person_id AND pe.status = 'active'
	LEFT JOIN notification_preferences p ON p.person_id = x.person_id AND p.kind = @kind
), ins AS (
	INSERT INTO notifications (tenant_id, id, person_id, kind, subject_key, title, body, link, in_app, email, created_at)
	SELECT app_tenant_id(), id, person_id, @kind, subject_key, title, body, link, in_app, email, @now
	FROM want WHERE in_app OR email <> 'none'
	ON CONFLICT (tenant_id, person_id, kind, subject_key) DO NOTHING
	RETURNING id, person_id, email, title, body, link
)
SELECT ins.id, ins.person_id, ins.title, ins.body, ins.link, pe.display_name AS name, pe.email AS address
FROM ins JOIN people pe ON pe.id = ins.person_id
WHERE ins.email = 'now' AND COALESCE(pe.email, '') <> ''`

type fresh struct {
	ID, PersonID                     uuid.UUID
	Title, Body, Link, Name, Address string
}

// Add makes notices of one kind in the caller's scoped transaction, as
// each person chose, and queues the emails of those wanted at once. It
// reports how many emails it queued.
func (s *Service) Add(tx *gorm.DB, tenant uuid.UUID, kind Kind, notices []Notice) (int, error) {
	return s.add(tx, tenant, kind, notices, true)
}

// addNoEmail is Add for notices whose cause was itself emailed: in the
// app only, for those who want them there.
func (s *Service) addNoEmail(tx *gorm.DB, tenant uuid.UUID, kind Kind, notices []Notice) error {
	_, err := s.add(tx, tenant, kind, notices, false)
	return err
}

func (s *Service) add(tx *gorm.DB, tenant uuid.UUID, kind Kind, notices []Notice, mail bool) (int, error) {
	if len(notices) == 0 {
		return 0, nil
	}
	for i := range notices {
		notices[i].ID = uuid.Must(uuid.NewV7())
		notices[i].Title = clip(notices[i].Title, 300)
		notices[i].Body = clip(notices[i].Body, 20000)
	}
	raw, err := json.Marshal(notices)
	if err != nil {
		return 0, err
	}
	def := Default(kind)
	var rows []fresh
	if err := tx.Raw(addSQL, map[string]any{"notices": string(raw), "kind": string(kind),
		"in_app": def.InApp, "email": string(def.Email), "mail": mail, "now": s.now().UTC()}).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("notify: add %s: %w", kind, err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var slug string
	if err := tx.Raw(`SELECT slug FROM tenants WHERE id = ?`, tenant).Row().Scan(&slug); err != nil {
		return 0, fmt.Errorf("notify: tenant: %w", err)
	}
	emails := make([]comms.Queued, 0, len(rows))
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		emails = append(emails, comms.Queued{PersonID: r.PersonID, To: r.Address, Subject: r.Title,
			Text: s.noticeText(slug, r.Name, r.Title, r.Body, r.Link)})
		ids = append(ids, r.ID)
	}
	if err := comms.QueueEmails(tx, tenant, emails); err != nil {
		return 0, fmt.Errorf("notify: queue emails: %w", err)
	}
	if err := tx.Exec(`UPDATE notifications SET emailed_at = ? WHERE id IN ?`, s.now().UTC(), ids).Error; err != nil {
		return 0, fmt.Errorf("notify: emailed: %w", err)
	}
	// Start delivery now: it usually runs after the caller commits; if
	// not, the minute sweep sends these.
	s.mail.QueueDelivery(tx.Statement.Context, tenant)
	return len(emails), nil
}

// url is the full address of a path below the tenant.
func (s *Service) url(slug, link string) string {
	return s.publicURL + "/t/" + slug + link
}

// noticeText is the plain text of one notice's email.
func (s *Service) noticeText(slug, name, title, body, link string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n%s\n", name, title)
	if body != "" {
		fmt.Fprintf(&b, "\n%s\n", body)
	}
	if link != "" {
		fmt.Fprintf(&b, "\nOpen it here: %s\n", s.url(slug, link))
	}
	s.footer(&b, slug)
	return b.String()
}

func (s *Service) footer(b *strings.Builder, slug string) {
	fmt.Fprintf(b, "\n--\nYou choose which notices you get, in the app and by email, in your notification settings: %s\n",
		s.url(slug, "/notifications/settings"))
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
