package identity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/memo"
	"github.com/schoolcloud/lms/internal/platform/ratelimit"
)

// Settings tune sessions and lockout.
type Settings struct {
	SessionTTL  time.Duration
	TokenMaxTTL time.Duration
	LockAfter   int           // consecutive failures before a lock
	LockFor     time.Duration // how long the lock lasts
	// SignInsAtOnce is how many password sign-ins run at once in this
	// process (0: half the cores, at least one); SignInWait how long one waits for its turn
	// before it is refused as busy (0: 2 s).
	SignInsAtOnce int
	SignInWait    time.Duration
	// LinkKey keys set-password links (the server's key, never stored).
	LinkKey []byte
	// SealKey is the platform key (age X25519 identities, comma-separated,
	// the current one first) that seals authenticator secrets.
	SealKey string
	// StaffTwoStep requires two-step sign-in of processor staff (production).
	StaffTwoStep bool
	// AllowHTTPIssuer accepts an http:// OpenID issuer (development and
	// tests, whose provider runs on this machine); production needs https.
	AllowHTTPIssuer bool
}

// Service authenticates people and staff and manages their credentials.
type Service struct {
	db      *database.DB
	cfg     Settings
	unknown *ratelimit.Limiter // failures per unknown username, so they lock like real ones
	rules   SignInRules
	// discovery keeps OpenID providers' configuration and keys.
	discovery *discovery
	gate      signInGate
	options   *memo.Cache[string, signInOptions] // signin_options.go
}

// NewService returns a Service.
func NewService(db *database.DB, cfg Settings) *Service {
	return &Service{db: db, cfg: cfg, unknown: ratelimit.New(db, "unknown-account", cfg.LockAfter-1, cfg.LockFor), discovery: newDiscovery(),
		gate: newSignInGate(cfg.SignInsAtOnce, cfg.SignInWait), options: &memo.Cache[string, signInOptions]{TTL: signInOptionsTTL}}
}

// refuseUnknown answers a sign-in to an account that does not exist (or
// cannot sign in) exactly as for a real one: the same password-check time,
// and a lock after the same number of failures, so neither status codes nor
// timing tell which usernames exist.
func (s *Service) refuseUnknown(ctx context.Context, key, password string) error {
	checkPassword(password, "")
	ok, wait, err := s.unknown.Allow(ctx, strings.ToLower(key))
	if err != nil {
		return err
	}
	if !ok {
		return errs.LockedError{RetryAfterSeconds: int(math.Ceil(wait.Seconds()))}
	}
	return errs.ErrUnauthenticated
}

// Client describes where a sign-in comes from, shown in session lists.
type Client struct{ UserAgent, IP string }

// personByUsername finds a member by username in any case. username_key
// is lower(username), stored, under a unique index per tenant: comparing
// the plain column lets PostgreSQL use that index inside the row-level
// security policy (lower(username) = … could not, lower() not being
// leakproof, and read every person of the school for each sign-in).
const personByUsername = `SELECT * FROM people WHERE username_key = lower(@name) LIMIT 1`

// Login checks a tenant member's password and opens a session. The person
// is read in one short transaction; the password is checked outside any
// transaction, holding no connection (within the password gate); the
// outcome is written in a second short one, touching the person's row
// only when something changes.
func (s *Service) Login(ctx context.Context, tenant uuid.UUID, username, password string, c Client) (Issued, Person, error) {
	if err := s.gate.enter(ctx); err != nil {
		return Issued{}, Person{}, err
	}
	defer s.gate.leave()
	name := strings.TrimSpace(username)
	var p Person
	found := false
	err := access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		res := tx.Raw(personByUsername, map[string]any{"name": name}).Scan(&p)
		found = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return Issued{}, p, err
	}
	if !found || p.Status != PersonActive {
		refused := s.refuseUnknown(ctx, tenant.String()+"\x00"+name, password)
		return Issued{}, p, errors.Join(refused, s.recordRefusedName(ctx, tenant, p, found, c))
	}
	// An upheld objection (Art. 21) stops the device and network record
	// kept on legitimate interests; the session still works.
	c = clientOf(p, c)
	right, authErr := checkAccount(p.PasswordHash, p.LockedUntil, password)
	var out Issued
	var failed error
	err = access.Transact(ctx, s.db, access.Authentication(tenant), func(tx *gorm.DB) error {
		refused, err := s.recordPassword(tx, "people", p.ID, right, authErr, p.LockedUntil)
		if refused != nil || err != nil {
			failed = refused
			if err == nil { // a wrong password: the counter and the event must commit
				outcome, detail := passwordOutcome(p, refused)
				err = recordSignIn(tx, tenant, &p.ID, MethodPassword, outcome, detail, c)
			}
			return err
		}
		if err := passwordRefused(tx, p.ID); err != nil {
			failed = err
			return recordSignIn(tx, tenant, &p.ID, MethodPassword, SignInRefused, "password sign-in is switched off for their role", c)
		}
		out, err = s.openMemberSession(tx, p, c, MethodPassword)
		return err
	})
	return out, p, errors.Join(err, failed)
}

// StaffLogin checks a processor staff member's password and opens a
// session, as Login does: read, check outside any transaction, record.
func (s *Service) StaffLogin(ctx context.Context, email, password string, c Client) (Issued, Staff, error) {
	if err := s.gate.enter(ctx); err != nil {
		return Issued{}, Staff{}, err
	}
	defer s.gate.leave()
	var st Staff
	found := false
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		res := tx.Where("lower(email) = lower(?)", strings.TrimSpace(email)).Limit(1).Find(&st)
		found = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return Issued{}, st, err
	}
	if !found || st.DisabledAt != nil {
		return Issued{}, st, s.refuseUnknown(ctx, "staff\x00"+strings.TrimSpace(email), password)
	}
	right, authErr := checkAccount(st.PasswordHash, st.LockedUntil, password)
	var out Issued
	var failed error
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		refused, err := s.recordPassword(tx, "staff", st.ID, right, authErr, st.LockedUntil)
		if refused != nil || err != nil {
			failed = refused
			return err
		}
		out, err = insertCredential(tx, staffCreds, uuid.Nil, st.ID, "session", "", newStaffSecret(), s.cfg.SessionTTL, c.UserAgent, c.IP)
		if err != nil {
			return err
		}
		pr := Principal{Kind: KindStaff, ID: st.ID}
		if out.SecondFactor, err = s.secondStepFor(tx, pr); err != nil {
			return err
		}
		return markSession(tx, pr, out.ID, out.SecondFactor)
	})
	return out, st, errors.Join(err, failed)
}

// checkAccount checks a password against an account's hash, outside any
// transaction: right when it matches; authErr when the account is locked
// (the check's time is spent all the same).
func checkAccount(hash string, lockedUntil *time.Time, pw string) (right bool, authErr error) {
	if lockedUntil != nil && time.Now().Before(*lockedUntil) {
		checkPassword(pw, "")
		return false, errs.LockedError{RetryAfterSeconds: int(math.Ceil(time.Until(*lockedUntil).Seconds()))}
	}
	return checkPassword(pw, hash), nil
}

// recordPassword keeps an account's lockout state after its password was
// checked: a right password clears a lock that has run out (only if there
// is one: nothing is written otherwise); LockAfter consecutive failures
// lock it for LockFor. authErr is the caller's failure (wrong password,
// locked); err is a database failure.
func (s *Service) recordPassword(tx *gorm.DB, table string, id uuid.UUID, right bool, locked error, lockedUntil *time.Time) (authErr, err error) {
	if locked != nil {
		return locked, nil
	}
	if right {
		// The failure count is reset by the caller once the sign-in is
		// whole: a wrong second step after a right password still counts.
		if lockedUntil == nil {
			return nil, nil
		}
		return nil, tx.Exec(fmt.Sprintf(`UPDATE %s SET locked_until = NULL WHERE id = ?`, table), id).Error
	}
	var failures int
	if err := tx.Raw(fmt.Sprintf(`UPDATE %s SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`, table), id).Scan(&failures).Error; err != nil {
		return nil, err
	}
	if failures < s.cfg.LockAfter {
		return errs.ErrUnauthenticated, nil
	}
	until := time.Now().Add(s.cfg.LockFor)
	if err := tx.Exec(fmt.Sprintf(`UPDATE %s SET failed_logins = 0, locked_until = ? WHERE id = ?`, table), until, id).Error; err != nil {
		return nil, err
	}
	if table == "people" {
		if err := signal(tx, "failed-logins", id, fmt.Sprintf("%d failed sign-ins in a row; the account is locked for %s", s.cfg.LockAfter, s.cfg.LockFor)); err != nil {
			return nil, err
		}
	}
	return errs.LockedError{RetryAfterSeconds: int(s.cfg.LockFor.Seconds())}, nil
}

// Authenticate resolves a presented secret (cookie or bearer), used from
// ip, to a Principal. The lookup is one round trip; the last-seen write
// happens at most once a minute per credential. A member's API token used
// from a network it was not last used from raises a security signal for
// the school's admins (and the new network is remembered).
func (s *Service) Authenticate(ctx context.Context, secret, ip string) (Principal, error) {
	ps, err := parseSecret(secret)
	if err != nil {
		return Principal{}, err
	}
	var r credRow
	found := false
	if ps.staff {
		rows, err := s.db.Pool.Query(ctx, lookupSQL(staffCreds), ps.hash)
		if err == nil {
			err = scanCredential(&r, &found)(rows)
			rows.Close()
		}
		if err != nil {
			return Principal{}, fmt.Errorf("authenticate staff: %w", err)
		}
		if !found {
			return Principal{}, errs.ErrUnauthenticated
		}
		if time.Since(r.LastSeenAt) > touchEvery {
			if err := s.db.Transact(ctx, func(tx *gorm.DB) error { return touch(tx, staffCreds, r, s.cfg.SessionTTL) }); err != nil {
				return Principal{}, err
			}
		}
		return Principal{Kind: KindStaff, ID: r.Owner, StaffRole: StaffRole(r.Role), CredentialID: r.ID, SecondFactor: r.SecondFactor}, nil
	}
	sc := access.Authentication(ps.tenant)
	if err := access.Read(ctx, s.db, sc, lookupSQL(memberCreds), []any{ps.hash}, scanCredential(&r, &found)); err != nil {
		return Principal{}, fmt.Errorf("authenticate member: %w", err)
	}
	if !found {
		return Principal{}, errs.ErrUnauthenticated
	}
	network := networkOf(ip)
	moved := r.Kind == "token" && network != "" && network != r.Network
	if time.Since(r.LastSeenAt) > touchEvery || moved {
		err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
			if moved {
				if err := noteNetwork(tx, r, network); err != nil {
					return err
				}
			}
			return touch(tx, memberCreds, r, s.cfg.SessionTTL)
		})
		if err != nil {
			return Principal{}, err
		}
	}
	return Principal{Kind: KindMember, ID: r.Owner, TenantID: ps.tenant, CredentialID: r.ID, SecondFactor: r.SecondFactor}, nil
}

// inOwnScope runs fn in the principal's own space: its tenant for members,
// the platform tables for staff.
func (s *Service) inOwnScope(ctx context.Context, p Principal, fn func(tx *gorm.DB, t credTable) error) error {
	if p.Kind == KindStaff {
		return s.db.Transact(ctx, func(tx *gorm.DB) error { return fn(tx, staffCreds) })
	}
	return access.Transact(ctx, s.db, access.Member(p.TenantID, p.ID), func(tx *gorm.DB) error { return fn(tx, memberCreds) })
}

// MyCredentials lists the caller's live sessions and tokens.
func (s *Service) MyCredentials(ctx context.Context, p Principal, pg database.Page) ([]Credential, error) {
	var out []Credential
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, t credTable) (err error) {
		out, err = listCredentials(tx, t, p.ID, pg)
		return err
	})
	for i := range out {
		out[i].Current = out[i].ID == p.CredentialID
	}
	return out, err
}

// RevokeMine ends one of the caller's sessions or tokens.
func (s *Service) RevokeMine(ctx context.Context, p Principal, id uuid.UUID) error {
	return s.inOwnScope(ctx, p, func(tx *gorm.DB, t credTable) error { return revokeCredential(tx, t, p.ID, id) })
}

// Logout ends the credential the caller used.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	return s.RevokeMine(ctx, p, p.CredentialID)
}

// CreateToken issues a personal API token for scripts.
func (s *Service) CreateToken(ctx context.Context, p Principal, name string, ttl time.Duration) (Issued, error) {
	var fe errs.FieldErrors
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 || errs.HasControl(name) {
		fe.Add("name", "must be 1-100 characters, without control characters")
	}
	if ttl <= 0 {
		ttl = min(90*24*time.Hour, s.cfg.TokenMaxTTL) // a shorter cap lowers the default too
	}
	if ttl > s.cfg.TokenMaxTTL {
		fe.Add("expires_in_days", "must be at most %d days", int(s.cfg.TokenMaxTTL.Hours()/24))
	}
	if err := fe.Err(); err != nil {
		return Issued{}, err
	}
	var out Issued
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, t credTable) (err error) {
		secret := newStaffSecret()
		if p.Kind == KindMember {
			secret = newMemberSecret(p.TenantID)
		}
		out, err = insertCredential(tx, t, p.TenantID, p.ID, "token", name, secret, ttl, "", "")
		return err
	})
	return out, err
}

// PersonCredentials lists another person's sessions and tokens (admins).
func (s *Service) PersonCredentials(ctx context.Context, sc access.Scope, person uuid.UUID, p database.Page) ([]Credential, error) {
	var out []Credential
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, false); err != nil {
			return err
		}
		var err error
		out, err = listCredentials(tx, memberCreds, person, p)
		return err
	})
	return out, err
}

// RevokePersonCredential ends another person's session or token (admins).
func (s *Service) RevokePersonCredential(ctx context.Context, sc access.Scope, person, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, true); err != nil {
			return err
		}
		return revokeCredential(tx, memberCreds, person, id)
	})
}

func mustExist(tx *gorm.DB, person uuid.UUID) error {
	var n int64
	if err := tx.Model(&Person{}).Where("id = ?", person).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return errs.New(errs.ErrNotFound, "person %s", person)
	}
	return nil
}
