package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// account is who a provider says signed in, whatever the protocol.
type account struct {
	Subject    string // the provider's id for the account (kept in sso_links)
	Email      string
	Name       string
	Username   string
	ExternalID string
}

// ssoSignIn opens a session for the school's person the provider's
// account is: the one linked to it before, else the one matching by the
// school's rule (then linked), else, if the school allows, a new learner.
// A second step the person owes is still asked for.
func (s *Service) ssoSignIn(ctx context.Context, tenant uuid.UUID, pv Provider, acc account, method string, c Client) (Issued, Person, error) {
	var p Person
	var out Issued
	var refusal error
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		var err error
		p, err = matchAccount(tx, tenant, pv, acc)
		if errors.Is(err, errs.ErrUnauthenticated) {
			refusal = err
			outcome, detail := SignInRefused, errs.Public(err)
			if errors.Is(err, errNoMatch) { // the account is never named: it may be another school's person
				outcome, detail = SignInUnknown, "no one at this school has the account's "+pv.MatchWords()
			}
			return recordSignIn(tx, tenant, nil, method, outcome, detail, c)
		}
		if err != nil {
			return err
		}
		if p.Status != PersonActive {
			refusal = errs.New(errs.ErrForbidden, "This account cannot sign in at the moment. Ask your school.")
			return recordSignIn(tx, tenant, &p.ID, method, SignInRefused, "account suspended", c)
		}
		// A person whose processing is restricted (Art. 18) signs in as
		// with a password, but their record is not changed: no link is
		// made or touched, and the school's rule matches them each time.
		if p.RestrictedAt == nil {
			if err := tx.Exec(`INSERT INTO sso_links (tenant_id, provider_id, subject, person_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant_id, provider_id, subject) DO UPDATE SET last_used_at = now()`, tenant, pv.ID, acc.Subject, p.ID).Error; err != nil {
				return fmt.Errorf("link account: %w", err)
			}
		}
		out, err = s.openMemberSession(tx, p, c, method)
		return err
	})
	if err != nil {
		return Issued{}, Person{}, err
	}
	if refusal != nil {
		return Issued{}, Person{}, refusal
	}
	if err := s.admit(ctx, out, p, method, c); err != nil {
		return Issued{}, Person{}, err
	}
	return out, p, nil
}

// matchAccount finds the school's person a provider account is.
func matchAccount(tx *gorm.DB, tenant uuid.UUID, pv Provider, acc account) (Person, error) {
	var p Person
	res := tx.Raw(`SELECT p.* FROM sso_links l JOIN people p ON p.id = l.person_id WHERE l.provider_id = ? AND l.subject = ?`, pv.ID, acc.Subject).Scan(&p)
	if res.Error != nil {
		return p, fmt.Errorf("find linked account: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		return p, nil
	}
	var where, value string
	switch pv.MatchBy {
	case MatchUsername:
		where, value = "username_key = lower(?)", firstOf(acc.Username, acc.Email)
	case MatchExternalID:
		where, value = "external_id = ?", acc.ExternalID
	default:
		where, value = "lower(email) = lower(?)", acc.Email
	}
	var found []Person
	if value != "" {
		if err := tx.Where(where, value).Limit(2).Find(&found).Error; err != nil {
			return p, fmt.Errorf("match account: %w", err)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return p, refused("More than one person at your school has this %s, so this account cannot tell which. Ask your school to fix it.", pv.MatchWords())
	case pv.CreatePeople && acc.Email != "":
		return createFromAccount(tx, tenant, acc)
	}
	who := firstOf(acc.Email, acc.Username, "this account")
	return p, errors.Join(errNoMatch, refused("There is no one at this school for %s. If this is your school, ask it to add you; otherwise use your own school's sign-in page.", who))
}

// errNoMatch marks the refusal of an account that matches no one.
var errNoMatch = errors.New("identity: the account matches no one at the school")

// createFromAccount adds a learner for an account the school's provider
// vouches for (only when the school turned this on).
func createFromAccount(tx *gorm.DB, tenant uuid.UUID, acc account) (Person, error) {
	email := strings.ToLower(acc.Email)
	p, err := CreatePersonTx(tx, tenant, NewPerson{Username: email, Email: &email, DisplayName: firstOf(acc.Name, email)})
	if err != nil {
		return p, fmt.Errorf("add person on first sign-in: %w", err)
	}
	if _, err := AssignRoleTx(tx, tenant, p.ID, RoleLearner, nil); err != nil {
		return p, err
	}
	return p, Record(tx, access.Authentication(tenant), "", "person.created-on-sign-in", "person "+p.ID.String(), nil)
}

// openMemberSession issues a session for p in tx and records how it was
// signed in to; a second step still owed is left for the caller.
func (s *Service) openMemberSession(tx *gorm.DB, p Person, c Client, method string) (Issued, error) {
	c = clientOf(p, c)
	out, err := insertCredential(tx, memberCreds, p.TenantID, p.ID, "session", "", newMemberSecret(p.TenantID), s.cfg.SessionTTL, c.UserAgent, c.IP)
	if err != nil {
		return out, err
	}
	pr := Principal{Kind: KindMember, ID: p.ID, TenantID: p.TenantID}
	if out.SecondFactor, err = s.secondStepFor(tx, pr); err != nil {
		return out, err
	}
	if out.SecondFactor == "" {
		if err := s.signedIn(tx, pr, out.ID, method); err != nil {
			return out, err
		}
	}
	return out, markSession(tx, pr, out.ID, out.SecondFactor)
}

// admit applies the platform's rules to a session just opened (a school
// whose contract ended), ending it at once, and recording the refusal,
// when they refuse.
func (s *Service) admit(ctx context.Context, out Issued, p Person, method string, c Client) error {
	err := s.rules.MaySignIn(ctx, p)
	if err == nil {
		return nil
	}
	pr := Principal{Kind: KindMember, ID: p.ID, TenantID: p.TenantID, CredentialID: out.ID}
	if lerr := s.Logout(ctx, pr); lerr != nil && !errors.Is(lerr, errs.ErrNotFound) {
		return lerr
	}
	return errors.Join(err, s.recordFailure(ctx, p.TenantID, &p.ID, method, SignInRefused, errs.Public(err), clientOf(p, c)))
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
