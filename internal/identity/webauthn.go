package identity

// Passkeys (WebAuthn, go-webauthn) for a school's members. A member adds
// one or more passkeys from their account (each named), lists and removes
// them; a passkey signs them in on its own: the authenticator checks who
// holds it (user verification is required), so it counts as both steps
// and replaces the password and the code, also for someone required to
// use two-step sign-in.
//
// Each ceremony's state (the challenge) is kept in passkey_challenges for
// five minutes and used once. The relying party is the configured public
// address: its host is the RP ID and its origin the only one accepted.
// A sign-in whose signature counter did not go up (the library's clone
// warning: two copies of the key may exist) is refused and audited.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// passkeyChallengeTTL is how long a ceremony may take.
const passkeyChallengeTTL = 5 * time.Minute

// RelyingParty is the platform as passkeys know it: the public address.
type RelyingParty struct{ w *webauthn.WebAuthn }

// NewRelyingParty makes the relying party of publicURL: its host is the
// RP ID, its scheme, host and port the one origin accepted.
func NewRelyingParty(publicURL string) (*RelyingParty, error) {
	u, err := url.Parse(strings.TrimSuffix(publicURL, "/"))
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("identity: passkeys need the public address (%q): %v", publicURL, err)
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: totpIssuer,
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
	})
	if err != nil {
		return nil, fmt.Errorf("identity: passkeys: %w", err)
	}
	return &RelyingParty{w: w}, nil
}

// Passkey is one of a person's passkeys as they see it.
type Passkey struct {
	ID         uuid.UUID
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// passkeyUser is a member as go-webauthn sees them: the user handle is
// their id (16 bytes), which a discoverable passkey gives back.
type passkeyUser struct {
	id          uuid.UUID
	name, shown string
	creds       []webauthn.Credential
	rows        map[string]uuid.UUID // credential id → member_passkeys.id
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.id[:] }
func (u *passkeyUser) WebAuthnName() string                       { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.shown }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// loadPasskeyUser reads a member and their passkeys inside tx (their
// tenant's scope). found is false for no such active person.
func loadPasskeyUser(tx *gorm.DB, person uuid.UUID) (*passkeyUser, Person, bool, error) {
	var p Person
	res := tx.Where("id = ?", person).Limit(1).Find(&p)
	if res.Error != nil || res.RowsAffected == 0 || p.Status != PersonActive {
		return nil, p, false, res.Error
	}
	var slug string
	if err := tx.Raw(`SELECT slug FROM tenants WHERE id = ?`, p.TenantID).Scan(&slug).Error; err != nil {
		return nil, p, false, err
	}
	u := &passkeyUser{id: p.ID, name: p.Username + " (" + slug + ")", shown: p.DisplayName, rows: map[string]uuid.UUID{}}
	var rows []struct {
		ID         uuid.UUID
		Credential []byte
	}
	if err := tx.Raw(`SELECT id, credential FROM member_passkeys WHERE person_id = ? ORDER BY created_at`, p.ID).Scan(&rows).Error; err != nil {
		return nil, p, false, err
	}
	for _, r := range rows {
		var c webauthn.Credential
		if err := json.Unmarshal(r.Credential, &c); err != nil {
			return nil, p, false, fmt.Errorf("identity: read a stored passkey: %w", err)
		}
		u.creds = append(u.creds, c)
		u.rows[string(c.ID)] = r.ID
	}
	return u, p, true, nil
}

func memberOnly(p Principal) error {
	if p.Kind != KindMember {
		return errs.New(errs.ErrNotFound, "Passkeys are for members of a school.")
	}
	return nil
}

// Passkeys lists the caller's passkeys, oldest first.
func (s *Service) Passkeys(ctx context.Context, p Principal) ([]Passkey, error) {
	if err := memberOnly(p); err != nil {
		return nil, err
	}
	var out []Passkey
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		return tx.Raw(`SELECT id, name, created_at, last_used_at FROM member_passkeys WHERE person_id = ? ORDER BY created_at`, p.ID).Scan(&out).Error
	})
	return out, err
}

// saveChallenge keeps a ceremony's state for passkeyChallengeTTL.
func saveChallenge(tx *gorm.DB, tenant uuid.UUID, person *uuid.UUID, name string, sd *webauthn.SessionData) (uuid.UUID, error) {
	b, err := json.Marshal(sd)
	if err != nil {
		return uuid.Nil, err
	}
	id := uuid.New()
	// Old challenges of the tenant go as new ones come.
	if err := tx.Exec(`DELETE FROM passkey_challenges WHERE expires_at < now()`).Error; err != nil {
		return uuid.Nil, err
	}
	err = tx.Exec(`INSERT INTO passkey_challenges (tenant_id, id, person_id, name, session, expires_at) VALUES (?, ?, ?, ?, ?, now() + make_interval(secs => ?))`,
		tenant, id, person, name, string(b), passkeyChallengeTTL.Seconds()).Error
	return id, err
}

// takeChallenge reads and deletes a live challenge (used once) of person
// (uuid.Nil: a sign-in's).
func takeChallenge(tx *gorm.DB, id, person uuid.UUID) (webauthn.SessionData, string, error) {
	var r struct {
		Session []byte
		Name    string
	}
	q := `DELETE FROM passkey_challenges WHERE id = ? AND expires_at > now() AND person_id IS NULL RETURNING session, name`
	args := []any{id}
	if person != uuid.Nil {
		q = `DELETE FROM passkey_challenges WHERE id = ? AND expires_at > now() AND person_id = ? RETURNING session, name`
		args = append(args, person)
	}
	res := tx.Raw(q, args...).Scan(&r)
	var sd webauthn.SessionData
	if res.Error != nil {
		return sd, "", res.Error
	}
	if res.RowsAffected == 0 {
		return sd, "", errs.New(errs.ErrConflict, "That took too long or was already used. Start again.")
	}
	return sd, r.Name, json.Unmarshal(r.Session, &sd)
}

// BeginPasskey starts adding a passkey called name for the caller: it
// returns the challenge's id and the options for the browser
// (navigator.credentials.create), as JSON.
func (s *Service) BeginPasskey(ctx context.Context, p Principal, rp *RelyingParty, name string) (uuid.UUID, []byte, error) {
	if err := memberOnly(p); err != nil {
		return uuid.Nil, nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return uuid.Nil, nil, errs.Field("name", "Give the passkey a name of up to 60 characters, for example My laptop")
	}
	var id uuid.UUID
	var opts []byte
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		u, _, found, err := loadPasskeyUser(tx, p.ID)
		if err != nil {
			return err
		}
		if !found {
			return errs.ErrNotFound
		}
		creation, sd, err := rp.w.BeginRegistration(u,
			webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
				ResidentKey:        protocol.ResidentKeyRequirementRequired,
				RequireResidentKey: protocol.ResidentKeyRequired(),
				UserVerification:   protocol.VerificationRequired,
			}),
			webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()))
		if err != nil {
			return fmt.Errorf("identity: begin a passkey: %w", err)
		}
		if id, err = saveChallenge(tx, p.TenantID, &p.ID, name, sd); err != nil {
			return err
		}
		opts, err = json.Marshal(creation)
		return err
	})
	return id, opts, err
}

// FinishPasskey checks the browser's answer (the JSON of the
// PublicKeyCredential) to a challenge BeginPasskey made and keeps the
// passkey; audited as passkey.added.
func (s *Service) FinishPasskey(ctx context.Context, p Principal, rp *RelyingParty, challenge uuid.UUID, response string, c Client) error {
	if err := memberOnly(p); err != nil {
		return err
	}
	parsed, perr := protocol.ParseCredentialCreationResponseBody(strings.NewReader(response))
	return s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		sd, name, err := takeChallenge(tx, challenge, p.ID)
		if err != nil {
			return err
		}
		if perr != nil {
			return errs.New(errs.ErrUnprocessable, "The passkey was not made. Try again.")
		}
		u, _, found, err := loadPasskeyUser(tx, p.ID)
		if err != nil {
			return err
		}
		if !found {
			return errs.ErrNotFound
		}
		cred, err := rp.w.CreateCredential(u, sd, parsed)
		if err != nil {
			return errs.New(errs.ErrUnprocessable, "The passkey could not be checked. Try again.")
		}
		b, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		id := uuid.Must(uuid.NewV7())
		if err := tx.Exec(`INSERT INTO member_passkeys (tenant_id, id, person_id, name, credential_id, credential) VALUES (?, ?, ?, ?, ?, ?)`,
			p.TenantID, id, p.ID, name, cred.ID, string(b)).Error; err != nil {
			return fmt.Errorf("identity: keep a passkey: %w", err)
		}
		return Record(tx, access.Member(p.TenantID, p.ID), "", "passkey.added", "person "+p.ID.String(), map[string]string{"name": name})
	})
}

// RemovePasskey removes one of the caller's passkeys; audited.
func (s *Service) RemovePasskey(ctx context.Context, p Principal, id uuid.UUID) error {
	if err := memberOnly(p); err != nil {
		return err
	}
	return s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		var name string
		res := tx.Raw(`DELETE FROM member_passkeys WHERE id = ? AND person_id = ? RETURNING name`, id, p.ID).Scan(&name)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "No such passkey.")
		}
		return Record(tx, access.Member(p.TenantID, p.ID), "", "passkey.removed", "person "+p.ID.String(), map[string]string{"name": name})
	})
}

// BeginPasskeySignIn starts a sign-in with a passkey to the school whose
// sign-in name is slug: any of its members' passkeys may answer. It
// returns the challenge's id and the options for the browser
// (navigator.credentials.get), as JSON. An unknown school is refused as
// a wrong sign-in is.
func (s *Service) BeginPasskeySignIn(ctx context.Context, rp *RelyingParty, slug string) (uuid.UUID, []byte, error) {
	tenant, err := s.rules.TenantID(ctx, slug)
	if errors.Is(err, errs.ErrNotFound) {
		return uuid.Nil, nil, errs.ErrUnauthenticated
	}
	if err != nil {
		return uuid.Nil, nil, err
	}
	var id uuid.UUID
	var opts []byte
	err = access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		assertion, sd, err := rp.w.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
		if err != nil {
			return fmt.Errorf("identity: begin a passkey sign-in: %w", err)
		}
		if id, err = saveChallenge(tx, tenant, nil, "", sd); err != nil {
			return err
		}
		opts, err = json.Marshal(assertion)
		return err
	})
	return id, opts, err
}

// PasskeySignIn finishes a passkey sign-in: the browser's answer (the JSON
// of the PublicKeyCredential) to a challenge BeginPasskeySignIn made. A
// passkey of an active member of the school, verified by its holder and
// whose counter went up, opens a whole session (no second step owed);
// audited as signed-in (method passkey), or passkey.refused for a counter
// that did not go up (the stored passkey is left as it was).
func (s *Service) PasskeySignIn(ctx context.Context, rp *RelyingParty, slug string, challenge uuid.UUID, response string, c Client) (Issued, Person, error) {
	tenant, err := s.rules.TenantID(ctx, slug)
	if errors.Is(err, errs.ErrNotFound) {
		return Issued{}, Person{}, errs.ErrUnauthenticated
	}
	if err != nil {
		return Issued{}, Person{}, err
	}
	parsed, perr := protocol.ParseCredentialRequestResponseBody(strings.NewReader(response))
	var out Issued
	var p Person
	var refused error
	err = access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		sd, _, err := takeChallenge(tx, challenge, uuid.Nil)
		if err != nil {
			refused = errs.ErrUnauthenticated
			return nil
		}
		if perr != nil {
			refused = errs.ErrUnauthenticated
			return nil
		}
		var u *passkeyUser
		handler := func(rawID, userHandle []byte) (webauthn.User, error) {
			id, err := uuid.FromBytes(userHandle)
			if err != nil {
				return nil, errs.ErrUnauthenticated
			}
			var found bool
			if u, p, found, err = loadPasskeyUser(tx, id); err != nil || !found {
				return nil, errors.Join(err, errs.ErrUnauthenticated)
			}
			return u, nil
		}
		_, cred, err := rp.w.ValidatePasskeyLogin(handler, sd, parsed)
		if err != nil || u == nil {
			refused = errs.ErrUnauthenticated
			if u == nil { // no passkey of anyone's: nobody to record it for
				return nil
			}
			return recordSignIn(tx, tenant, &p.ID, MethodPasskey, SignInRefused, "the passkey's answer did not check out", clientOf(p, c))
		}
		row, ok := u.rows[string(cred.ID)]
		if !ok {
			refused = errs.ErrUnauthenticated
			return nil
		}
		pr := Principal{Kind: KindMember, ID: p.ID, TenantID: tenant}
		if cred.Authenticator.CloneWarning {
			refused = errs.New(errs.ErrForbidden, "This passkey cannot be used: it may have been copied. Sign in another way and remove it.")
			if err := recordSignIn(tx, tenant, &p.ID, MethodPasskey, SignInRefused, "the passkey may have been copied", clientOf(p, c)); err != nil {
				return err
			}
			return Record(tx, access.Member(tenant, p.ID), "", "passkey.refused", "person "+p.ID.String(), map[string]string{"name": passkeyName(tx, row)})
		}
		b, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE member_passkeys SET credential = ?, last_used_at = now() WHERE id = ?`, string(b), row).Error; err != nil {
			return err
		}
		if p.ObjectedAt != nil {
			c = Client{} // as Login: an upheld objection stops the device record
		}
		if out, err = insertCredential(tx, memberCreds, tenant, p.ID, "session", "", newMemberSecret(tenant), s.cfg.SessionTTL, c.UserAgent, c.IP); err != nil {
			return err
		}
		// The passkey is both steps: nothing is owed.
		if err := markSession(tx, pr, out.ID, ""); err != nil {
			return err
		}
		return s.signedIn(tx, pr, out.ID, MethodPasskey)
	})
	if err != nil {
		return Issued{}, Person{}, err
	}
	if refused != nil {
		return Issued{}, Person{}, refused
	}
	if err := s.admit(ctx, out, p, MethodPasskey, c); err != nil {
		return Issued{}, Person{}, err
	}
	return out, p, nil
}

func passkeyName(tx *gorm.DB, id uuid.UUID) string {
	var name string
	_ = tx.Raw(`SELECT name FROM member_passkeys WHERE id = ?`, id).Scan(&name).Error
	return name
}
