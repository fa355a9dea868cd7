package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Outcomes of a member's sign-in (member_sign_in_events.outcome): it
// worked, or the way it failed.
const (
	SignInOK               = "signed-in"
	SignInWrongPassword    = "wrong-password"
	SignInUnknown          = "unknown-name"
	SignInLocked           = "locked"
	SignInRefused          = "refused"
	SignInSecondStepFailed = "second-step-failed"
)

// SignInKeep is how long sign-in events are kept; the credential sweep
// deletes older ones.
const SignInKeep = 365 * 24 * time.Hour

// OutcomeWords says a sign-in's outcome in words an admin reads.
func OutcomeWords(o string) string {
	switch o {
	case SignInOK:
		return "Signed in"
	case SignInWrongPassword:
		return "Wrong password"
	case SignInUnknown:
		return "No such account"
	case SignInLocked:
		return "Account locked"
	case SignInRefused:
		return "Refused"
	case SignInSecondStepFailed:
		return "Wrong code"
	}
	return "Did not sign in"
}

// SignInEvent is one sign-in or failed sign-in of the tenant, as the
// pages show it: the network and browser in words, never the address.
type SignInEvent struct {
	ID         uuid.UUID
	PersonID   *uuid.UUID
	PersonName string
	Method     string
	Outcome    string
	Detail     string
	Network    string
	Browser    string
	At         time.Time
}

// Failed reports whether the sign-in did not go through.
func (e SignInEvent) Failed() bool { return e.Outcome != SignInOK }

// HowSignedIn is the method in words.
func (e SignInEvent) HowSignedIn() string { return MethodWords(e.Method) }

// What is the outcome in words.
func (e SignInEvent) What() string { return OutcomeWords(e.Outcome) }

// recordSignIn records a member's sign-in or failed sign-in in tx, which
// must be scoped to tenant. person is nil when the name matched nobody
// (the name typed is never stored); detail is a short plain reason, never
// a secret. Of the client only the network and the browser in words are
// kept. Callers pass an empty Client for a person whose objection to the
// device record was upheld.
func recordSignIn(tx *gorm.DB, tenant uuid.UUID, person *uuid.UUID, method, outcome, detail string, c Client) error {
	browser := ""
	if strings.TrimSpace(c.UserAgent) != "" {
		var s Session
		s.Browser, s.System = DescribeAgent(c.UserAgent)
		browser = s.Device()
	}
	err := tx.Exec(`INSERT INTO member_sign_in_events (tenant_id, id, person_id, method, outcome, detail, network, browser)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		tenant, uuid.Must(uuid.NewV7()), person, method, outcome,
		clip(detail, 300), clip(networkOf(c.IP), 60), clip(browser, 120)).Error
	if err != nil {
		return fmt.Errorf("identity: record sign-in: %w", err)
	}
	return nil
}

// recordFailure records a failed sign-in in a transaction of its own, so
// it stays when the sign-in's own transaction rolls back.
func (s *Service) recordFailure(ctx context.Context, tenant uuid.UUID, person *uuid.UUID, method, outcome, detail string, c Client) error {
	return access.Transact(context.WithoutCancel(ctx), s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		return recordSignIn(tx, tenant, person, method, outcome, detail, c)
	})
}

// credentialClient is the client a member's credential was opened from
// (empty for a person who objected: Login and PasskeySignIn store none).
func credentialClient(tx *gorm.DB, credential uuid.UUID) (Client, error) {
	var c Client
	err := tx.Raw(`SELECT user_agent, ip FROM member_credentials WHERE id = ?`, credential).Row().Scan(&c.UserAgent, &c.IP)
	if err != nil {
		return Client{}, fmt.Errorf("identity: sign-in client: %w", err)
	}
	return c, nil
}

// clientOf is c unless the person objected to the device record.
func clientOf(p Person, c Client) Client {
	if p.ObjectedAt != nil {
		return Client{}
	}
	return c
}

// clip cuts s to at most n bytes on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// SignInFilter narrows a tenant's list of sign-ins.
type SignInFilter struct {
	Person       *uuid.UUID // one person's
	FailuresOnly bool
}

// SignIns lists the scoped tenant's sign-ins and failed sign-ins, newest
// first, limit at a time: after is the last id of the page before (uuid.Nil
// for the first page).
func (s *Service) SignIns(ctx context.Context, sc access.Scope, f SignInFilter, after uuid.UUID, limit int) ([]SignInEvent, error) {
	out := []SignInEvent{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := tx.Table("member_sign_in_events e").
			Select("e.id, e.person_id, COALESCE(p.display_name, '') AS person_name, e.method, e.outcome, e.detail, e.network, e.browser, e.at").
			Joins("LEFT JOIN people p ON p.tenant_id = e.tenant_id AND p.id = e.person_id")
		if f.Person != nil {
			q = q.Where("e.person_id = ?", *f.Person)
		}
		if f.FailuresOnly {
			q = q.Where("e.outcome <> ?", SignInOK)
		}
		if after != uuid.Nil {
			q = q.Where("e.id < ?", after)
		}
		// Ids are UUIDv7: their order is the order of the sign-ins.
		return q.Order("e.id DESC").Limit(limit).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("identity: sign-ins: %w", err)
	}
	return out, nil
}

// MySignIns lists the caller's own recent sign-ins and failed ones,
// newest first (members; staff have none here).
func (s *Service) MySignIns(ctx context.Context, p Principal, limit int) ([]SignInEvent, error) {
	if p.Kind != KindMember {
		return []SignInEvent{}, nil
	}
	return s.SignIns(ctx, access.Member(p.TenantID, p.ID), SignInFilter{Person: &p.ID}, uuid.Nil, limit)
}

// sweepSignIns deletes a tenant's sign-in events older than SignInKeep,
// except those of a person under a legal hold.
func sweepSignIns(tx *gorm.DB, now time.Time) (int64, error) {
	res := tx.Exec(`DELETE FROM member_sign_in_events e WHERE e.at < ?
		AND NOT EXISTS (SELECT 1 FROM retention_holds h
			WHERE h.person_id = e.person_id AND h.released_at IS NULL)`, now.Add(-SignInKeep))
	return res.RowsAffected, res.Error
}

// passwordOutcome is the outcome of a wrong password, or of any password
// while the account was locked, and a wrong one that locked it says so.
func passwordOutcome(p Person, authErr error) (outcome, detail string) {
	if p.LockedUntil != nil && time.Now().Before(*p.LockedUntil) {
		return SignInLocked, ""
	}
	if errors.Is(authErr, errs.ErrLocked) {
		return SignInWrongPassword, "too many failures in a row: the account is now locked for a while"
	}
	return SignInWrongPassword, ""
}

// recordRefusedName records a sign-in to a name that matched nobody (no
// person, and not the name) or a person who may not sign in (suspended).
func (s *Service) recordRefusedName(ctx context.Context, tenant uuid.UUID, p Person, found bool, c Client) error {
	if !found {
		return s.recordFailure(ctx, tenant, nil, MethodPassword, SignInUnknown, "", c)
	}
	return s.recordFailure(ctx, tenant, &p.ID, MethodPassword, SignInRefused, "the account is "+string(p.Status), clientOf(p, c))
}

// stepFailed records a member's failed second step (members only: staff
// have their own security events), from the client of its session.
func (s *Service) stepFailed(tx *gorm.DB, p Principal, outcome string) error {
	if p.Kind != KindMember {
		return nil
	}
	c, err := credentialClient(tx, p.CredentialID)
	if err != nil {
		return err
	}
	return recordSignIn(tx, p.TenantID, &p.ID, MethodPasswordCode, outcome, "", c)
}
