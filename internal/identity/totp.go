package identity

// Two-step sign-in: TOTP (RFC 6238, pquerna/otp) with ten one-time
// recovery codes, for members and processor staff.
//
// A sign-in that passed the password but owes a second step opens a
// session marked second_factor = 'code' (the person has an authenticator)
// or 'setup' (two steps are required of them and they have none yet). The
// request kernel lets such a session reach only the routes marked
// SecondStep (the code page, the set-up page, sign-out); SecondStep or
// ConfirmTwoStep clears the mark on that session alone.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"net/url"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// The second step a session still owes (credentials' second_factor).
const (
	SecondStepCode  = "code"  // enter a code from the authenticator (or a recovery code)
	SecondStepSetup = "setup" // set up an authenticator first
)

// TOTP parameters: what every authenticator app does by default.
const (
	totpPeriod    = 30
	totpIssuer    = "School learning platform"
	recoveryCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TwoStep is a person's two-step sign-in as they see it.
type TwoStep struct {
	On           bool       // an authenticator is confirmed
	Since        *time.Time // when it was confirmed
	Setting      bool       // a secret is made and waits for its first code
	Secret       string     // that secret, to type into the app (while Setting)
	URL          string     // its otpauth:// address (the QR code's content)
	RecoveryLeft int        // unused recovery codes
	Required     bool       // two steps are required of this person
}

// twoStepTables are the TOTP and recovery-code tables of one kind of principal.
type twoStepTables struct{ totp, codes, owner string }

func stepTables(p Principal) twoStepTables {
	if p.Kind == KindStaff {
		return twoStepTables{"staff_totp", "staff_recovery_codes", "staff_id"}
	}
	return twoStepTables{"member_totp", "member_recovery_codes", "person_id"}
}

type totpRow struct {
	SecretSealed []byte
	ConfirmedAt  *time.Time
	LastStep     int64
}

func readTOTP(tx *gorm.DB, t twoStepTables, owner uuid.UUID, lock bool) (totpRow, bool, error) {
	var r totpRow
	q := fmt.Sprintf(`SELECT secret_sealed, confirmed_at, last_step FROM %s WHERE %s = ?`, t.totp, t.owner)
	if lock {
		q += " FOR UPDATE"
	}
	res := tx.Raw(q, owner).Scan(&r)
	return r, res.RowsAffected > 0, res.Error
}

// seal encrypts an authenticator secret to the platform key (the first of
// the configured age identities); unseal opens it with any of them, so the
// key can be rotated.
func (s *Service) seal(secret string) ([]byte, error) {
	ids, err := s.sealIdentities()
	if err != nil {
		return nil, err
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, errors.New("identity: the platform key is not an X25519 identity")
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, x.Recipient())
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, secret); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Service) unseal(b []byte) (string, error) {
	ids, err := s.sealIdentities()
	if err != nil {
		return "", err
	}
	r, err := age.Decrypt(bytes.NewReader(b), ids...)
	if err != nil {
		return "", fmt.Errorf("identity: open an authenticator secret: %w", err)
	}
	out, err := io.ReadAll(r)
	return string(out), err
}

func (s *Service) sealIdentities() ([]age.Identity, error) {
	if strings.TrimSpace(s.cfg.SealKey) == "" {
		return nil, errors.New("identity: two-step sign-in needs the platform key (Settings.SealKey)")
	}
	ids, err := age.ParseIdentities(strings.NewReader(strings.ReplaceAll(s.cfg.SealKey, ",", "\n")))
	if err != nil {
		return nil, fmt.Errorf("identity: the platform key: %w", err)
	}
	return ids, nil
}

// matchStep is the time step (within one step either side of now) whose
// code is code, or 0 when none is.
func matchStep(secret, code string, now time.Time) int64 {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0
	}
	base := now.Unix() / totpPeriod
	for _, st := range []int64{base - 1, base, base + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st
		}
	}
	return 0
}

// secondStepFor decides, inside a sign-in's transaction, what a session
// opened by a password still owes: a code when the person has an
// authenticator; setting one up when two steps are required of them.
func (s *Service) secondStepFor(tx *gorm.DB, p Principal) (string, error) {
	r, found, err := readTOTP(tx, stepTables(p), p.ID, false)
	if err != nil {
		return "", err
	}
	if found && r.ConfirmedAt != nil {
		return SecondStepCode, nil
	}
	req, err := s.required(tx, p)
	if err != nil || !req {
		return "", err
	}
	return SecondStepSetup, nil
}

// required says whether two steps are required of p: processor staff
// where the platform requires it (production), and a tenant's admins and
// access approvers where the tenant turned its setting on.
func (s *Service) required(tx *gorm.DB, p Principal) (bool, error) {
	if p.Kind == KindStaff {
		return s.cfg.StaffTwoStep, nil
	}
	var req bool
	err := tx.Raw(`SELECT t.admins_two_step AND EXISTS (SELECT 1 FROM role_assignments r
			WHERE r.tenant_id = t.id AND r.person_id = ? AND r.role IN ('admin', 'approver'))
		FROM tenants t WHERE t.id = ?`, p.ID, p.TenantID).Scan(&req).Error
	return req, err
}

// markSession sets what a new session still owes, and resets the
// account's failure count unless a code is still owed.
func markSession(tx *gorm.DB, p Principal, credential uuid.UUID, step string) error {
	t, account := memberCreds, "people"
	if p.Kind == KindStaff {
		t, account = staffCreds, "staff"
	}
	if step != SecondStepCode {
		// The sign-in is whole (or owes only a set-up): the password's
		// failures are forgiven. A code still owed keeps them counting.
		// Only a count to forgive is written: a sign-in changes no row
		// when nothing changed.
		if err := tx.Exec(fmt.Sprintf(`UPDATE %s SET failed_logins = 0 WHERE id = ? AND failed_logins <> 0`, account), p.ID).Error; err != nil {
			return err
		}
	}
	if step == "" {
		return nil
	}
	return tx.Exec(fmt.Sprintf(`UPDATE %s SET second_factor = ?, expires_at = now() + make_interval(secs => ?) WHERE id = ?`, t.name),
		step, halfSessionTTL.Seconds(), credential).Error
}

// halfSessionTTL is how long a session may wait for its second step.
const halfSessionTTL = 15 * time.Minute

// passSession clears what the caller's session owed; it now lives as
// long as any session.
func (s *Service) passSession(tx *gorm.DB, p Principal, t credTable) error {
	return tx.Exec(fmt.Sprintf(`UPDATE %s SET second_factor = NULL, expires_at = now() + make_interval(secs => ?) WHERE id = ? AND %s = ?`, t.name, t.owner),
		s.cfg.SessionTTL.Seconds(), p.CredentialID, p.ID).Error
}

// TwoStepOf is the caller's two-step sign-in.
func (s *Service) TwoStepOf(ctx context.Context, p Principal) (TwoStep, error) {
	var out TwoStep
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		t := stepTables(p)
		r, found, err := readTOTP(tx, t, p.ID, false)
		if err != nil {
			return err
		}
		if out.Required, err = s.required(tx, p); err != nil {
			return err
		}
		if !found {
			return nil
		}
		if r.ConfirmedAt != nil {
			out.On, out.Since = true, r.ConfirmedAt
			var n int64
			if err := tx.Table(t.codes).Where(t.owner+" = ?", p.ID).Count(&n).Error; err != nil {
				return err
			}
			out.RecoveryLeft = int(n)
			return nil
		}
		out.Setting = true
		if out.Secret, err = s.unseal(r.SecretSealed); err != nil {
			return err
		}
		account, err := accountName(tx, p)
		if err != nil {
			return err
		}
		key, err := otp.NewKeyFromURL(keyURL(out.Secret, account))
		if err != nil {
			return err
		}
		out.URL = key.URL()
		return nil
	})
	return out, err
}

// TwoStepQR is the QR code (PNG) of the secret being set up.
func (s *Service) TwoStepQR(ctx context.Context, p Principal) ([]byte, error) {
	ts, err := s.TwoStepOf(ctx, p)
	if err != nil {
		return nil, err
	}
	if !ts.Setting {
		return nil, errs.New(errs.ErrNotFound, "There is no authenticator being set up.")
	}
	key, err := otp.NewKeyFromURL(ts.URL)
	if err != nil {
		return nil, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = png.Encode(&buf, img)
	return buf.Bytes(), err
}

// keyURL is the otpauth:// address authenticator apps read (Key
// Uri Format), as totp.Generate writes it.
func keyURL(secret, account string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + account, RawQuery: v.Encode()}
	return u.String()
}

// accountName is how the authenticator app lists the account.
func accountName(tx *gorm.DB, p Principal) (string, error) {
	var name string
	if p.Kind == KindStaff {
		err := tx.Raw(`SELECT email FROM staff WHERE id = ?`, p.ID).Scan(&name).Error
		return name, err
	}
	err := tx.Raw(`SELECT p.username || ' (' || t.slug || ')' FROM people p JOIN tenants t ON t.id = p.tenant_id WHERE p.id = ?`, p.ID).Scan(&name).Error
	return name, err
}

// StartTwoStep makes a new authenticator secret for the caller, to be
// confirmed with its first code; a secret being set up is replaced. Someone
// whose authenticator is on must turn it off first.
func (s *Service) StartTwoStep(ctx context.Context, p Principal) error {
	if p.SecondFactor == SecondStepCode {
		return errs.New(errs.ErrForbidden, "Enter a code from your authenticator app first.")
	}
	return s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		t := stepTables(p)
		r, found, err := readTOTP(tx, t, p.ID, true)
		if err != nil {
			return err
		}
		if found && r.ConfirmedAt != nil {
			return errs.New(errs.ErrConflict, "Two-step sign-in is already on. Turn it off first to use another app.")
		}
		account, err := accountName(tx, p)
		if err != nil {
			return err
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: account, Period: totpPeriod})
		if err != nil {
			return err
		}
		sealed, err := s.seal(key.Secret())
		if err != nil {
			return err
		}
		cols, vals := t.owner+", secret_sealed", "?, ?"
		args := []any{p.ID, sealed}
		if p.Kind == KindMember {
			cols, vals = "tenant_id, "+cols, "?, "+vals
			args = append([]any{p.TenantID}, args...)
		}
		return tx.Exec(fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = now(), last_step = 0`,
			t.totp, cols, vals, strings.TrimSuffix(cols, ", secret_sealed")), args...).Error
	})
}

// ConfirmTwoStep turns two-step sign-in on with the first code of the
// secret being set up, and returns ten recovery codes, shown once. A
// session that was waiting for this (two steps required) is signed in.
func (s *Service) ConfirmTwoStep(ctx context.Context, p Principal, code string, c Client) ([]string, error) {
	if p.SecondFactor == SecondStepCode {
		return nil, errs.New(errs.ErrForbidden, "Enter a code from your authenticator app first.")
	}
	var codes []string
	var wrong error
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, ct credTable) error {
		t := stepTables(p)
		r, found, err := readTOTP(tx, t, p.ID, true)
		if err != nil {
			return err
		}
		if !found || r.ConfirmedAt != nil {
			return errs.New(errs.ErrConflict, "There is no authenticator being set up. Start again.")
		}
		secret, err := s.unseal(r.SecretSealed)
		if err != nil {
			return err
		}
		st := matchStep(secret, code, time.Now())
		if st == 0 {
			wrong = errs.Field("code", "That code is not right. Enter the 6-digit code your app shows now")
			return nil
		}
		if err := tx.Exec(fmt.Sprintf(`UPDATE %s SET confirmed_at = now(), last_step = ? WHERE %s = ?`, t.totp, t.owner), st, p.ID).Error; err != nil {
			return err
		}
		if codes, err = newRecoveryCodes(tx, p, t); err != nil {
			return err
		}
		if err := s.passSession(tx, p, ct); err != nil {
			return err
		}
		return s.record(tx, p, "two-step.on", c)
	})
	if err == nil {
		err = wrong
	}
	return codes, err
}

// newRecoveryCodes replaces the caller's recovery codes with ten new ones.
func newRecoveryCodes(tx *gorm.DB, p Principal, t twoStepTables) ([]string, error) {
	if err := tx.Exec(fmt.Sprintf(`DELETE FROM %s WHERE %s = ?`, t.codes, t.owner), p.ID).Error; err != nil {
		return nil, err
	}
	codes := make([]string, recoveryCount)
	for i := range codes {
		codes[i] = recoveryCode()
		cols, vals := t.owner+", code_hash", "?, ?"
		args := []any{p.ID, hashRecovery(codes[i])}
		if p.Kind == KindMember {
			cols, vals = "tenant_id, "+cols, "?, "+vals
			args = append([]any{p.TenantID}, args...)
		}
		if err := tx.Exec(fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, t.codes, cols, vals), args...).Error; err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// recoveryCode is ten random characters in two groups (50 bits), from an
// alphabet without look-alikes: "k7m2q-x9p4w".
func recoveryCode() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // 31 letters and digits: no 0/o, 1/l/i
	out := make([]byte, 0, 11)
	b := make([]byte, 1)
	for len(out) < 11 {
		if len(out) == 5 {
			out = append(out, '-')
		}
		_, _ = rand.Read(b)
		if int(b[0]) >= 256/len(alphabet)*len(alphabet) {
			continue // no bias toward the first letters
		}
		out = append(out, alphabet[int(b[0])%len(alphabet)])
	}
	return string(out)
}

// hashRecovery hashes a recovery code as typed: case, spaces and the dash
// do not matter.
func hashRecovery(code string) []byte {
	norm := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	h := sha256.Sum256([]byte("recovery:" + norm))
	return h[:]
}

// TurnOffTwoStep turns the caller's two-step sign-in off, with a current
// code; it is refused where two steps are required of them.
func (s *Service) TurnOffTwoStep(ctx context.Context, p Principal, code string, c Client) error {
	var wrong error
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		t := stepTables(p)
		if req, err := s.required(tx, p); err != nil || req {
			if err == nil {
				err = errs.New(errs.ErrConflict, "Two-step sign-in is required for your account, so it cannot be turned off.")
			}
			return err
		}
		r, found, err := readTOTP(tx, t, p.ID, true)
		if err != nil {
			return err
		}
		if !found || r.ConfirmedAt == nil {
			return errs.New(errs.ErrConflict, "Two-step sign-in is not on.")
		}
		if ok, err := s.useCode(tx, p, t, r, code, false); err != nil || !ok {
			if err == nil {
				wrong = errs.Field("code", "That code is not right, or was used already. Enter the code your app shows now")
			}
			return err
		}
		for _, table := range []string{t.totp, t.codes} {
			if err := tx.Exec(fmt.Sprintf(`DELETE FROM %s WHERE %s = ?`, table, t.owner), p.ID).Error; err != nil {
				return err
			}
		}
		return s.record(tx, p, "two-step.off", c)
	})
	if err == nil {
		err = wrong
	}
	return err
}

// useCode accepts a current authenticator code not used before (or, when
// recovery is true, one of the recovery codes, which is then used up).
func (s *Service) useCode(tx *gorm.DB, p Principal, t twoStepTables, r totpRow, code string, recovery bool) (bool, error) {
	secret, err := s.unseal(r.SecretSealed)
	if err != nil {
		return false, err
	}
	if st := matchStep(secret, code, time.Now()); st != 0 {
		if st <= r.LastStep {
			return false, nil // replayed
		}
		return true, tx.Exec(fmt.Sprintf(`UPDATE %s SET last_step = ? WHERE %s = ?`, t.totp, t.owner), st, p.ID).Error
	}
	if !recovery {
		return false, nil
	}
	res := tx.Exec(fmt.Sprintf(`DELETE FROM %s WHERE %s = ? AND code_hash = ?`, t.codes, t.owner), p.ID, hashRecovery(code))
	return res.RowsAffected == 1, res.Error
}

// SecondStep finishes a sign-in that owes a code: a current code from the
// authenticator, or one of the recovery codes. A wrong code counts toward
// the account's lockout like a wrong password, and is in the audit trail
// (the tenant's for members, the platform's for staff).
func (s *Service) SecondStep(ctx context.Context, p Principal, code string, c Client) error {
	if p.SecondFactor != SecondStepCode {
		return errs.New(errs.ErrConflict, "This sign-in does not need a code.")
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 40 {
		return errs.Field("code", "Enter the 6-digit code from your authenticator app, or a recovery code")
	}
	var failed error
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, ct credTable) error {
		t := stepTables(p)
		account := "people"
		if p.Kind == KindStaff {
			account = "staff"
		}
		var acc struct{ LockedUntil *time.Time }
		if err := tx.Raw(fmt.Sprintf(`SELECT locked_until FROM %s WHERE id = ? FOR UPDATE`, account), p.ID).Scan(&acc).Error; err != nil {
			return err
		}
		if until := acc.LockedUntil; until != nil && time.Now().Before(*until) {
			failed = errs.LockedError{RetryAfterSeconds: int(math.Ceil(time.Until(*until).Seconds()))}
			return s.stepFailed(tx, p, SignInLocked)
		}
		r, found, err := readTOTP(tx, t, p.ID, true)
		if err != nil {
			return err
		}
		if !found || r.ConfirmedAt == nil {
			return errs.New(errs.ErrConflict, "Two-step sign-in is no longer on for this account. Sign in again.")
		}
		ok, err := s.useCode(tx, p, t, r, code, true)
		if err != nil {
			return err
		}
		if !ok {
			if failed, err = s.countFailure(tx, account, p.ID); err != nil {
				return err
			}
			if err := s.stepFailed(tx, p, SignInSecondStepFailed); err != nil {
				return err
			}
			return s.record(tx, p, "two-step.failed", c)
		}
		if err := tx.Exec(fmt.Sprintf(`UPDATE %s SET failed_logins = 0, locked_until = NULL WHERE id = ?`, account), p.ID).Error; err != nil {
			return err
		}
		if len(strings.Join(strings.Fields(code), "")) != 6 {
			if err := s.record(tx, p, "two-step.recovery-code-used", c); err != nil {
				return err
			}
		}
		if err := s.passSession(tx, p, ct); err != nil {
			return err
		}
		return s.signedIn(tx, p, p.CredentialID, MethodPasswordCode)
	})
	return errors.Join(err, failed)
}

// countFailure counts a wrong second step toward the account's lockout,
// as verify does for a wrong password.
func (s *Service) countFailure(tx *gorm.DB, table string, id uuid.UUID) (error, error) {
	var failures int
	if err := tx.Raw(fmt.Sprintf(`UPDATE %s SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`, table), id).Scan(&failures).Error; err != nil {
		return nil, err
	}
	if failures < s.cfg.LockAfter {
		return errs.Field("code", "That code is not right, or was used already. Enter the code your app shows now, or a recovery code"), nil
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

// record writes a two-step event to the tenant's audit trail (members) or
// the platform's staff security events (staff).
func (s *Service) record(tx *gorm.DB, p Principal, action string, c Client) error {
	if p.Kind == KindStaff {
		return tx.Exec(`INSERT INTO staff_security_events (id, staff_id, action, ip) VALUES (?, ?, ?, ?)`,
			uuid.Must(uuid.NewV7()), p.ID, action, c.IP).Error
	}
	return Record(tx, access.Member(p.TenantID, p.ID), "", action, "person "+p.ID.String(), nil)
}

// StaffSecurityEvent is one entry of the platform's staff security trail.
type StaffSecurityEvent struct {
	At     time.Time
	Action string
	IP     string
}

// StaffSecurityEvents lists a staff member's two-step events, newest first.
func (s *Service) StaffSecurityEvents(ctx context.Context, staff uuid.UUID) ([]StaffSecurityEvent, error) {
	var out []StaffSecurityEvent
	err := s.db.Gorm.WithContext(ctx).Raw(`SELECT at, action, ip FROM staff_security_events WHERE staff_id = ? ORDER BY at DESC LIMIT 200`, staff).Scan(&out).Error
	return out, err
}

// SetAdminsTwoStep turns on or off the tenant's rule that its admins and
// access approvers sign in in two steps (the tenant's tenant-wide admins).
func (s *Service) SetAdminsTwoStep(ctx context.Context, sc access.Scope, on bool) error {
	if !sc.TenantWide() {
		return errs.New(errs.ErrForbidden, "Only an administrator of the whole school or trust can change this.")
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE tenants SET admins_two_step = ?, updated_at = now() WHERE id = ? AND admins_two_step <> ?`, on, sc.Tenant(), on)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		action := "two-step.required-off"
		if on {
			action = "two-step.required-on"
		}
		return Record(tx, sc, "", action, "tenant "+sc.Tenant().String(), nil)
	})
}

// AdminsTwoStep says whether the tenant requires two steps of its admins.
func (s *Service) AdminsTwoStep(ctx context.Context, sc access.Scope) (bool, error) {
	var on bool
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT admins_two_step FROM tenants WHERE id = ?`, sc.Tenant()).Scan(&on).Error
	})
	return on, err
}

// ResetStaffTwoStep takes away a staff member's authenticator and recovery
// codes (they lost their phone; the CLI, like a forgotten password) and
// ends their sessions. Where two steps are required they set up a new
// one at their next sign-in.
func (s *Service) ResetStaffTwoStep(ctx context.Context, email string) error {
	return s.db.Transact(ctx, func(tx *gorm.DB) error {
		var st Staff
		res := tx.Where("lower(email) = lower(?)", strings.TrimSpace(email)).Limit(1).Find(&st)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "no staff member %q", email)
		}
		for _, table := range []string{"staff_totp", "staff_recovery_codes"} {
			if err := tx.Exec(`DELETE FROM `+table+` WHERE staff_id = ?`, st.ID).Error; err != nil {
				return err
			}
		}
		if err := revokeAll(tx, staffCreds, st.ID); err != nil {
			return err
		}
		return s.record(tx, Principal{Kind: KindStaff, ID: st.ID}, "two-step.reset", Client{})
	})
}

// TwoStepPerson is a member whose two-step sign-in is on, as their
// school's admins see them.
type TwoStepPerson struct {
	ID          uuid.UUID
	DisplayName string
	Username    string
	Since       time.Time
}

// PeopleWithTwoStep lists the people sc reaches whose two-step sign-in is
// on, by name (at most 500), for their admins to reset one.
func (s *Service) PeopleWithTwoStep(ctx context.Context, sc access.Scope) ([]TwoStepPerson, error) {
	out := []TwoStepPerson{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := tx.Table("people").Select("people.id, people.display_name, people.username, m.confirmed_at AS since").
			Joins("JOIN member_totp m ON m.tenant_id = people.tenant_id AND m.person_id = people.id AND m.confirmed_at IS NOT NULL")
		return visible(q, sc).Order("people.display_name, people.id").Limit(500).Scan(&out).Error
	})
	return out, err
}

// ResetTwoStep takes away a member's authenticator and recovery codes (they
// lost their phone), for their admins, and ends their sessions; it is in
// the tenant's audit trail. Where two steps are required of them they set
// up a new one at their next sign-in.
func (s *Service) ResetTwoStep(ctx context.Context, sc access.Scope, person uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, true); err != nil {
			return err
		}
		res := tx.Exec(`DELETE FROM member_totp WHERE person_id = ?`, person)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrConflict, "This person's two-step sign-in is not on.")
		}
		if err := tx.Exec(`DELETE FROM member_recovery_codes WHERE person_id = ?`, person).Error; err != nil {
			return err
		}
		if err := revokeAll(tx, memberCreds, person); err != nil {
			return err
		}
		return Record(tx, sc, "", "two-step.reset", "person "+person.String(), nil)
	})
}

// ResealTwoStep seals every authenticator secret again to the current
// platform key (the first of SealKey), after a rotation: staff's, and the
// members' and the school's sign-in provider secrets of each of tenants,
// one transaction per tenant. It returns how
// many it resealed; the old key may go once it has run.
func (s *Service) ResealTwoStep(ctx context.Context, tenants []uuid.UUID) (int, error) {
	n := 0
	reseal := func(tx *gorm.DB, table, owner string) error {
		var rows []struct {
			Owner        uuid.UUID
			SecretSealed []byte
		}
		if err := tx.Raw(fmt.Sprintf(`SELECT %s AS owner, secret_sealed FROM %s WHERE secret_sealed IS NOT NULL FOR UPDATE`, owner, table)).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			secret, err := s.unseal(r.SecretSealed)
			if err != nil {
				return err
			}
			sealed, err := s.seal(secret)
			if err != nil {
				return err
			}
			if err := tx.Exec(fmt.Sprintf(`UPDATE %s SET secret_sealed = ? WHERE %s = ?`, table, owner), sealed, r.Owner).Error; err != nil {
				return err
			}
			n++
		}
		return nil
	}
	if err := s.db.Transact(ctx, func(tx *gorm.DB) error { return reseal(tx, "staff_totp", "staff_id") }); err != nil {
		return n, fmt.Errorf("reseal staff authenticators: %w", err)
	}
	for _, t := range tenants {
		err := access.Transact(ctx, s.db, access.System(t, "platform key rotation"), func(tx *gorm.DB) error {
			if err := reseal(tx, "member_totp", "person_id"); err != nil {
				return err
			}
			return reseal(tx, "sign_in_providers", "id") // the school's OpenID client secrets
		})
		if err != nil {
			return n, fmt.Errorf("reseal authenticators of tenant %s: %w", t, err)
		}
	}
	return n, nil
}

// RenewRecoveryCodes replaces the caller's recovery codes with ten new
// ones, shown once, with a current code from the authenticator.
func (s *Service) RenewRecoveryCodes(ctx context.Context, p Principal, code string, c Client) ([]string, error) {
	var codes []string
	var wrong error
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, _ credTable) error {
		t := stepTables(p)
		r, found, err := readTOTP(tx, t, p.ID, true)
		if err != nil {
			return err
		}
		if !found || r.ConfirmedAt == nil {
			return errs.New(errs.ErrConflict, "Two-step sign-in is not on.")
		}
		if ok, err := s.useCode(tx, p, t, r, code, false); err != nil || !ok {
			if err == nil {
				wrong = errs.Field("renew_code", "That code is not right, or was used already. Enter the code your app shows now")
			}
			return err
		}
		if codes, err = newRecoveryCodes(tx, p, t); err != nil {
			return err
		}
		return s.record(tx, p, "two-step.recovery-codes-renewed", c)
	})
	if err == nil {
		err = wrong
	}
	return codes, err
}
