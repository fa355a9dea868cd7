package comms

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"strings"

	"github.com/google/uuid"
	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"gorm.io/gorm"
)

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
		return tx.Exec(`UPDATE email_outbox o SET status = ? FROM communications c
			WHERE c.id = o.communication_id AND c.optional AND o.person_id = ? AND o.status = ?`, OutboxSuppressed, person, OutboxQueued).Error
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
