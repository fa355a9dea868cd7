package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// DigestHour is the local hour from which the day's digest is sent.
const DigestHour = 17

// Digest sends, once the tenant's local clock has passed DigestHour, one
// email to each person with their digest notices made before DigestHour
// today and not yet emailed. The rows are locked and marked emailed in the
// transaction that queues the email, so a second run, the same day or by
// a second worker, finds nothing: one digest a person a day.
func (s *Service) Digest(ctx context.Context, tenant uuid.UUID, now time.Time) (sent int, err error) {
	loc, err := s.zone(ctx, tenant)
	if err != nil {
		return 0, err
	}
	local := now.In(loc)
	cutoff := time.Date(local.Year(), local.Month(), local.Day(), DigestHour, 0, 0, 0, loc)
	if local.Before(cutoff) {
		return 0, nil
	}
	err = access.Transact(ctx, s.db, access.System(tenant, "notices"), func(tx *gorm.DB) error {
		var rows []struct {
			ID, PersonID               uuid.UUID
			Title, Link, Name, Address string
			CreatedAt                  time.Time
		}
		if err := tx.Raw(`SELECT n.id, n.person_id, n.title, n.link, n.created_at, p.display_name AS name, COALESCE(p.email, '') AS address
			FROM notifications n JOIN people p ON p.id = n.person_id
			WHERE n.email = 'digest' AND n.emailed_at IS NULL AND n.created_at < ?
			ORDER BY n.person_id, n.created_at FOR UPDATE OF n SKIP LOCKED`, cutoff).Scan(&rows).Error; err != nil {
			return fmt.Errorf("notify: digest notices: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		var slug string
		if err := tx.Raw(`SELECT slug FROM tenants WHERE id = ?`, tenant).Row().Scan(&slug); err != nil {
			return fmt.Errorf("notify: tenant: %w", err)
		}
		var emails []comms.Queued
		ids := make([]uuid.UUID, 0, len(rows))
		for i := 0; i < len(rows); {
			j := i
			var b strings.Builder
			fmt.Fprintf(&b, "Hello %s,\n\nYour notices of %s:\n", rows[i].Name, localtime.Date(cutoff, loc))
			for ; j < len(rows) && rows[j].PersonID == rows[i].PersonID; j++ {
				fmt.Fprintf(&b, "\n- %s (%s)\n", rows[j].Title, localtime.DateTime(rows[j].CreatedAt, loc))
				if rows[j].Link != "" {
					fmt.Fprintf(&b, "  %s\n", s.url(slug, rows[j].Link))
				}
				ids = append(ids, rows[j].ID)
			}
			s.footer(&b, slug)
			if rows[i].Address != "" {
				emails = append(emails, comms.Queued{PersonID: rows[i].PersonID, To: rows[i].Address,
					Subject: fmt.Sprintf("Your daily summary: %d %s", j-i, plural(j-i, "notice", "notices")), Text: b.String()})
			}
			i = j
		}
		if err := comms.QueueEmails(tx, tenant, emails); err != nil {
			return fmt.Errorf("notify: queue digests: %w", err)
		}
		sent = len(emails)
		return tx.Exec(`UPDATE notifications SET emailed_at = ? WHERE id IN ?`, now.UTC(), ids).Error
	})
	if err == nil && sent > 0 {
		s.mail.QueueDelivery(ctx, tenant)
	}
	return sent, err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// DigestArgs is the periodic job that sends the daily digests of every
// tenant (hourly: each tenant's is sent in the first run after its local
// DigestHour).
type DigestArgs struct{}

// Kind names the job.
func (DigestArgs) Kind() string { return "notify_digest" }

// DigestWorker works DigestArgs.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	Service *Service
}

// Work sends the digests due in every tenant.
func (w *DigestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	ts, err := w.Service.tenants(ctx)
	if err != nil {
		return err
	}
	var failed []error
	for _, t := range ts {
		if _, err := w.Service.Digest(ctx, t, w.Service.now()); err != nil {
			failed = append(failed, fmt.Errorf("tenant %s: %w", t, err))
		}
	}
	return errors.Join(failed...)
}
