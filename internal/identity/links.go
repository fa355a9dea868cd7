package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Set-password links. A tenant's first admins are made without a password
// in production (nobody at the processor should know it); each gets a link
// by email to set their own. Admins can send one to anyone with an email.
// The link carries the tenant, the link's id and a MAC of both under the
// server's key: the database holds no secret, so a copy of it opens
// nothing, and the job that emails the link can rebuild it from the id.

// LinkTTL is how long a link can be used.
const LinkTTL = 72 * time.Hour

// Link purposes: a first admin's invitation, a link an admin sends, a
// link a person asks for (Forgot password?, recover.go) and a one-time
// code printed or shown (recover.go).
const (
	LinkInvite = "invite"
	LinkReset  = "reset"
	LinkForgot = "forgot"
	LinkCode   = "code"
)

// ForgotTTL is how long a link a person asked for can be used: they are
// at their inbox now, and a short life limits a mailbox read later.
const ForgotTTL = time.Hour

// linkTTL is how long a link of purpose can be used.
func linkTTL(purpose string) time.Duration {
	if purpose == LinkForgot {
		return ForgotTTL
	}
	return LinkTTL
}

// NewPasswordLink records a link for person inside the caller's
// transaction (scoped to tenant); earlier unused links of theirs stop
// working. The caller queues the email (comms.PasswordLinkArgs).
func NewPasswordLink(tx *gorm.DB, tenant, person uuid.UUID, purpose string) (uuid.UUID, error) {
	if purpose != LinkInvite && purpose != LinkReset && purpose != LinkForgot {
		return uuid.Nil, fmt.Errorf("identity: link purpose %q", purpose)
	}
	// One person's links are made one at a time, so only the newest works;
	// a link made in the last minute is reused (a double click, or fifty,
	// sends one email).
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('lms-password-link:' || ?, 0))`, person.String()).Error; err != nil {
		return uuid.Nil, err
	}
	var recent []uuid.UUID
	if err := tx.Raw(`SELECT id FROM password_links WHERE person_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > now() AND created_at > now() - interval '1 minute' ORDER BY created_at DESC LIMIT 1`, person, purpose).
		Scan(&recent).Error; err != nil {
		return uuid.Nil, err
	}
	if len(recent) == 1 {
		return recent[0], nil
	}
	if err := tx.Exec(`UPDATE password_links SET used_at = now() WHERE person_id = ? AND used_at IS NULL`, person).Error; err != nil {
		return uuid.Nil, err
	}
	id := uuid.Must(uuid.NewV7())
	err := tx.Exec(`INSERT INTO password_links (tenant_id, id, person_id, purpose, expires_at) VALUES (?, ?, ?, ?, ?)`,
		tenant, id, person, purpose, time.Now().Add(linkTTL(purpose))).Error
	return id, err
}

// LinkToken is the secret part of a link's address.
func (s *Service) LinkToken(tenant, id uuid.UUID) string {
	msg := append(tenant[:], id[:]...)
	return base64.RawURLEncoding.EncodeToString(append(msg, linkMAC(s.cfg.LinkKey, msg)...))
}

func linkMAC(key, msg []byte) []byte {
	m := hmac.New(sha256.New, append([]byte("lms-password-link:"), key...))
	m.Write(msg)
	return m.Sum(nil)
}

// errBadLink is what every unusable link answers, whichever the reason.
var errBadLink = errs.New(errs.ErrNotFound, "This link does not work any more: it was used, a newer one replaced it, or it is too old. Ask for a new one with Forgot password? on the sign-in page, or ask your school's administrator.")

// parseLink checks a token's MAC and returns its tenant and link id.
func parseLink(key []byte, token string) (tenant, id uuid.UUID, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(raw) != 64 || !hmac.Equal(raw[32:], linkMAC(key, raw[:32])) {
		return uuid.Nil, uuid.Nil, errBadLink
	}
	copy(tenant[:], raw[:16])
	copy(id[:], raw[16:32])
	return tenant, id, nil
}

// PendingLink is what the email needs: where to send it and to whom.
type PendingLink struct {
	Email, DisplayName, Username, Purpose, TenantName string
}

// PendingLinks are the tenant's links not yet sent, used nor expired.
func (s *Service) PendingLinks(ctx context.Context, tenant uuid.UUID) (ids []uuid.UUID, err error) {
	err = access.Transact(ctx, s.db, access.System(tenant, "password-link"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM password_links WHERE sent_at IS NULL AND used_at IS NULL AND expires_at > now() ORDER BY id LIMIT 200`).Scan(&ids).Error
	})
	return ids, err
}

// LinkToSend is what the email of a pending link needs; ErrNotFound when
// it was used, replaced or expired meanwhile, or the person has no email.
func (s *Service) LinkToSend(ctx context.Context, tenant, id uuid.UUID) (l PendingLink, err error) {
	err = access.Transact(ctx, s.db, access.System(tenant, "password-link"), func(tx *gorm.DB) error {
		res := tx.Raw(`SELECT coalesce(p.email, '') AS email, p.display_name, p.username, l.purpose, t.name AS tenant_name
			FROM password_links l JOIN people p ON p.id = l.person_id JOIN tenants t ON t.id = l.tenant_id
			WHERE l.id = ? AND l.used_at IS NULL AND l.expires_at > now()`, id).Scan(&l)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || l.Email == "" {
			return errs.New(errs.ErrNotFound, "password link %s: nothing to send", id)
		}
		return nil
	})
	return l, err
}

// MarkLinkSent records that the link's email went (or can never go: a
// person without an address), so it is not sent again.
func (s *Service) MarkLinkSent(ctx context.Context, tenant, id uuid.UUID) error {
	return access.Transact(ctx, s.db, access.System(tenant, "password-link"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE password_links SET sent_at = now() WHERE id = ?`, id).Error
	})
}

// LinkHolder is who a valid link is for, for the page that uses it.
func (s *Service) LinkHolder(ctx context.Context, token string) (username string, err error) {
	tenant, id, err := parseLink(s.cfg.LinkKey, token)
	if err != nil {
		return "", err
	}
	err = access.Transact(ctx, s.db, access.System(tenant, "password-link"), func(tx *gorm.DB) error {
		res := tx.Raw(`SELECT p.username FROM password_links l JOIN people p ON p.id = l.person_id
			WHERE l.id = ? AND l.used_at IS NULL AND l.expires_at > now() AND p.status = 'active'`, id).Scan(&username)
		if res.Error == nil && res.RowsAffected == 0 {
			return errBadLink
		}
		return res.Error
	})
	return username, err
}

// UsePasswordLink sets the password of the link's person, once: the link
// is spent, other links and every session of theirs end, and the change is
// in the tenant's audit trail. It returns the tenant's slug, to sign in.
func (s *Service) UsePasswordLink(ctx context.Context, token, password string) (slug string, err error) {
	tenant, id, err := parseLink(s.cfg.LinkKey, token)
	if err != nil {
		return "", err
	}
	if n := len([]rune(password)); n < MinPasswordLength || n > 1024 {
		return "", errs.Field("password", "must be %d to 1024 characters", MinPasswordLength)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	sc := access.System(tenant, "password-link")
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var l struct {
			PersonID uuid.UUID
			Slug     string
		}
		res := tx.Raw(`SELECT l.person_id, t.slug FROM password_links l JOIN people p ON p.id = l.person_id JOIN tenants t ON t.id = l.tenant_id
			WHERE l.id = ? AND l.used_at IS NULL AND l.expires_at > now() AND p.status = 'active' FOR UPDATE OF l`, id).Scan(&l)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errBadLink
		}
		if err := RefuseRestricted(tx, l.PersonID); err != nil {
			return err
		}
		slug = l.Slug
		return setFromLink(tx, sc, l.PersonID, hash, "set-password link "+id.String())
	})
	return slug, err
}

// setFromLink sets person's password (hash) from a link or code: every
// unused link and code of theirs is spent, the lockout cleared, every
// session and API token ended, and the change audited (by says how).
func setFromLink(tx *gorm.DB, sc access.Scope, person uuid.UUID, hash, by string) error {
	if err := tx.Exec(`UPDATE password_links SET used_at = now() WHERE person_id = ? AND used_at IS NULL`, person).Error; err != nil {
		return err
	}
	if err := tx.Exec(`UPDATE people SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`, hash, person).Error; err != nil {
		return err
	}
	if err := revokeAll(tx, memberCreds, person); err != nil {
		return err
	}
	return Record(tx, sc, "", "person.password_set", "person "+person.String(), map[string]string{"by": by})
}

// SendPasswordLink records a reset link for a person an admin reaches, who
// has an email address; the caller queues the email.
func (s *Service) SendPasswordLink(ctx context.Context, sc access.Scope, person uuid.UUID) (id uuid.UUID, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, true); err != nil {
			return err
		}
		var p Person
		if err := getPerson(tx, person, &p); err != nil {
			return err
		}
		if p.Email == nil || *p.Email == "" {
			return errs.Field("email", "this person has no email address: add one first, or set a password for them")
		}
		if p.Status != PersonActive {
			return errs.New(errs.ErrConflict, "this account is suspended: reactivate it first")
		}
		purpose := LinkReset
		if p.PasswordHash == "" {
			purpose = LinkInvite
		}
		if id, err = NewPasswordLink(tx, sc.Tenant(), person, purpose); err != nil {
			return err
		}
		return Record(tx, sc, "", "person.password_link_sent", "person "+person.String(), map[string]string{"purpose": purpose})
	})
	return id, err
}

// InviteFirstAdmins sends a new set-password link to each of the tenant's
// tenant-wide admins who never had a password (the first admins, whose
// invitation was lost or ran out): the operator's way to unblock a school
// that cannot sign in at all. Admins with a password are never touched.
func (s *Service) InviteFirstAdmins(ctx context.Context, tenant uuid.UUID) (n int, err error) {
	sc := access.System(tenant, "onboarding")
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var ids []uuid.UUID
		if err := tx.Raw(`SELECT p.id FROM people p WHERE p.password_hash IS NULL AND p.status = 'active' AND coalesce(p.email, '') <> ''
			AND EXISTS (SELECT 1 FROM role_assignments r WHERE r.person_id = p.id AND r.role = 'admin' AND r.school_id IS NULL) ORDER BY p.id`).Scan(&ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := NewPasswordLink(tx, tenant, id, LinkInvite); err != nil {
				return err
			}
			if err := Record(tx, sc, "", "person.password_link_sent", "person "+id.String(), map[string]string{"purpose": LinkInvite, "by": "the processor, at onboarding"}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}
