package rostersync

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/lms/comms"
)

// alert queues an email to each administrator of the whole tenant who has
// an address: a scheduled run failed, was rejected or was held. Plain
// words and a link to the import (or the sync page when there is none).
func (s *Service) alert(tx *gorm.DB, tenant uuid.UUID, cl *claim, status Status, detail string, importID *uuid.UUID) (int, error) {
	var admins []struct {
		ID    uuid.UUID
		Email string
	}
	if err := tx.Raw(`SELECT DISTINCT p.id, p.email FROM people p
		JOIN role_assignments ra ON ra.tenant_id = p.tenant_id AND ra.person_id = p.id
		WHERE ra.role = 'admin' AND ra.school_id IS NULL AND p.status = 'active' AND p.email IS NOT NULL AND p.email <> ''`).
		Scan(&admins).Error; err != nil {
		return 0, fmt.Errorf("rostersync: admins: %w", err)
	}
	if len(admins) == 0 {
		return 0, nil
	}
	var slug string
	if err := tx.Raw(`SELECT slug FROM tenants WHERE id = ?`, tenant).Row().Scan(&slug); err != nil {
		return 0, fmt.Errorf("rostersync: tenant slug: %w", err)
	}
	link := s.publicURL + "/t/" + slug + SyncPage
	if importID != nil {
		link = s.publicURL + "/t/" + slug + "/admin/roster/" + importID.String()
	}
	subject, text := alertText(cl, status, detail, link)
	emails := make([]comms.Queued, 0, len(admins))
	for _, a := range admins {
		emails = append(emails, comms.Queued{PersonID: a.ID, To: a.Email, Subject: subject, Text: text})
	}
	return len(emails), comms.QueueEmails(tx, tenant, emails)
}

// SyncPage is the roster sync page's path under /t/{tenant}.
const SyncPage = "/admin/roster-sync"

func alertText(cl *claim, status Status, detail, link string) (subject, text string) {
	what := "did not run"
	switch status {
	case Rejected:
		what = "was not applied"
	case Held:
		what = "is waiting for an admin to confirm it"
	}
	subject = "Roster sync: the delivery from " + cl.Integration + " " + what
	var b strings.Builder
	fmt.Fprintf(&b, "The roster files that %s delivered on %s (UTC) %s.\n\n", cl.Integration, cl.DeliveredAt.UTC().Format("2 January 2006 at 15:04"), what)
	if detail != "" {
		b.WriteString(detail + "\n\n")
	}
	fmt.Fprintf(&b, "See what happened: %s\n", link)
	return subject, b.String()
}
