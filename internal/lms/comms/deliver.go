package comms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"gorm.io/gorm"
)

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
		life := "72 hours"
		switch l.Purpose {
		case identity.LinkReset:
			subject, intro = "Set a new password for "+l.TenantName, "Your school's administrator sent you this link to set a new password."
		case identity.LinkForgot:
			subject, intro, life = "Set a new password for "+l.TenantName, "Someone (we hope you) asked for a link to set a new password, with Forgot password? on the sign-in page.", "an hour"
		}
		body := fmt.Sprintf("Hello %s,\n\n%s\n\nYour username: %s\n\nSet your password here (the link works once, for %s):\n%s\n\n"+
			"If you did not expect this email, you can ignore it: your password stays as it is.\n", l.DisplayName, intro, l.Username, life, url)
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
		ID, PersonID             uuid.UUID
		ToAddress, Subject, Body string
		Optional                 bool
	}
	var rows []row
	// The status is written into the statement, not passed, so the planner
	// can use the partial index email_outbox_queued.
	err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
		// An email that is not a communication (a notice, a digest)
		// carries its own subject and text, and is never optional.
		return tx.Raw(`SELECT o.id, o.person_id, o.to_address, COALESCE(o.subject, c.subject) AS subject,
			COALESCE(o.body, c.body) AS body, COALESCE(c.optional, false) AS optional FROM email_outbox o
			LEFT JOIN communications c ON c.id = o.communication_id WHERE o.status = '` + string(OutboxQueued) + `' AND o.attempts < 5 ORDER BY o.id LIMIT 200`).Scan(&rows).Error
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range rows {
		status, msgErr := OutboxSent, ""
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
			status = OutboxSuppressed
		} else if err := s.sendMail(r.ToAddress, r.Subject, r.Body, r.Optional, tenant, r.PersonID); err != nil {
			status, msgErr = OutboxQueued, err.Error()
		}
		err := access.Transact(ctx, s.db, sys, func(tx *gorm.DB) error {
			set := map[string]any{"status": status, "last_error": msgErr, "attempts": gorm.Expr("attempts + 1")}
			if status == OutboxSent {
				set["sent_at"] = s.now().UTC()
			}
			return tx.Table("email_outbox").Where("id = ?", r.ID).Updates(set).Error
		})
		if err != nil {
			return sent, err
		}
		if status == OutboxSent {
			sent++
		}
	}
	return sent, nil
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
