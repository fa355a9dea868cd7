package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/ratelimit"
)

// Passwords people can recover. Someone who forgot their password asks for
// a link on the sign-in page (ForgotPassword): it is emailed, works once,
// for an hour, and ends every session and token of theirs when used
// (UsePasswordLink). A pupil without email gets a one-time code instead:
// printed on a sign-in card for their class (SignInCards), or made by an
// admin, or by a teacher of theirs where the school allows
// (PasswordCode). The code is typed at /set-password with the school's
// sign-in name and the username, works once, for 14 days; only a MAC of it
// under the server's key is stored.

// CodeTTL is how long a one-time set-password code can be used.
const CodeTTL = 14 * 24 * time.Hour

// Limits on Forgot password?: per account, however it is named (the same
// answer is given past it, and nothing is sent) and, at the route, per
// client address (the sign-in throttle).
const (
	forgotPerAccount = 3
	forgotWindow     = time.Hour
)

// ForgotPassword records a link for each active person of the school named
// slug whose username or email address is login and who has an email
// address, for the email outbox to send (comms delivers password links).
// It says which tenant to start delivery for, and nothing else: an unknown
// school or account, a person without email and a limited account all end
// the same way, with sent false and no error.
func (s *Service) ForgotPassword(ctx context.Context, slug, login string) (tenant uuid.UUID, sent bool, err error) {
	login = strings.TrimSpace(login)
	if login == "" || len(login) > 254 {
		return uuid.Nil, false, nil
	}
	tenant, err = s.rules.TenantID(ctx, slug)
	if errors.Is(err, errs.ErrNotFound) {
		return uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, false, err
	}
	limit := ratelimit.New(s.db, "forgot-password", forgotPerAccount, forgotWindow)
	sc := access.System(tenant, "forgot-password")
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var ids []uuid.UUID
		if err := tx.Raw(`SELECT id FROM people WHERE status = 'active' AND coalesce(email, '') <> ''
			AND (username_key = lower(?) OR lower(email) = lower(?)) ORDER BY id LIMIT 5`, login, login).Scan(&ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if restricted := RefuseRestricted(tx, id); restricted != nil {
				continue
			}
			// Per account, however it was named (username or email).
			if ok, _, err := limit.Allow(ctx, tenant.String()+"\x00"+id.String()); err != nil {
				return err
			} else if !ok {
				continue
			}
			if _, err := NewPasswordLink(tx, tenant, id, LinkForgot); err != nil {
				return err
			}
			if err := Record(tx, sc, "forgot-password", "person.password_link_sent", "person "+id.String(),
				map[string]string{"purpose": LinkForgot, "by": "the person, with Forgot password?"}); err != nil {
				return err
			}
			sent = true
		}
		return nil
	})
	return tenant, sent, err
}

// codeAlphabet has no letters or digits a child mistakes for one another
// (0/O, 1/I/L, 5/S, 2/Z, 8/B).
const codeAlphabet = "ACDEFGHJKMNPQRTUVWXY34679"

// codeLen characters of 25 give about 65 bits.
const codeLen = 14

// newCode is a fresh code, printed in groups of four or five.
func newCode() (string, error) {
	var b strings.Builder
	max := big.NewInt(int64(len(codeAlphabet)))
	for i := 0; i < codeLen; i++ {
		if i == 4 || i == 9 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b.WriteByte(codeAlphabet[n.Int64()])
	}
	return b.String(), nil
}

// normalCode is a typed code as it was made: capitals, no spaces or dashes.
func normalCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

// codeMAC is what a code's row keeps: a MAC under the server's key of the
// tenant, the person and the code, so a code works only for its person.
func (s *Service) codeMAC(tenant, person uuid.UUID, code string) []byte {
	m := hmac.New(sha256.New, append([]byte("lms-password-code:"), s.cfg.LinkKey...))
	m.Write(tenant[:])
	m.Write(person[:])
	m.Write([]byte(normalCode(code)))
	return m.Sum(nil)
}

// newPasswordCode makes a code for person inside the caller's transaction:
// every earlier unused link and code of theirs stops working. It is
// marked sent: there is nothing for the outbox to email.
func (s *Service) newPasswordCode(tx *gorm.DB, tenant, person uuid.UUID) (string, error) {
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('lms-password-link:' || ?, 0))`, person.String()).Error; err != nil {
		return "", err
	}
	if err := tx.Exec(`UPDATE password_links SET used_at = now() WHERE person_id = ? AND used_at IS NULL`, person).Error; err != nil {
		return "", err
	}
	code, err := newCode()
	if err != nil {
		return "", err
	}
	err = tx.Exec(`INSERT INTO password_links (tenant_id, id, person_id, purpose, expires_at, sent_at, code_hash) VALUES (?, ?, ?, ?, ?, now(), ?)`,
		tenant, uuid.Must(uuid.NewV7()), person, LinkCode, time.Now().Add(CodeTTL), s.codeMAC(tenant, person, code)).Error
	return code, err
}

// errBadCode is what every code that does not work answers, whichever the
// reason (no such school or username, a wrong, used, replaced or old code).
var errBadCode = errs.New(errs.ErrNotFound, "That code does not work: check the school's sign-in name, the username and the code. "+
	"A code works once, for 14 days, and a newer card or code replaces it. Ask your teacher or the school's administrator for a new one.")

// UsePasswordCode sets the password of the person of the school named slug
// with username, from their one-time code: as a link, it is spent, their
// other links and codes and every session of theirs end, and it is
// audited. It returns the tenant's slug, to sign in.
func (s *Service) UsePasswordCode(ctx context.Context, slug, username, code, password string) (string, error) {
	if n := len([]rune(password)); n < MinPasswordLength || n > 1024 {
		return "", errs.Field("password", "must be %d to 1024 characters", MinPasswordLength)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	tenant, err := s.rules.TenantID(ctx, slug)
	if errors.Is(err, errs.ErrNotFound) {
		return "", errBadCode
	}
	if err != nil {
		return "", err
	}
	sc := access.System(tenant, "password-code")
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var people []uuid.UUID
		if err := tx.Raw(`SELECT id FROM people WHERE username_key = lower(?) AND status = 'active' LIMIT 1`, strings.TrimSpace(username)).Scan(&people).Error; err != nil {
			return err
		}
		if len(people) == 0 {
			return errBadCode
		}
		person := people[0]
		var link []uuid.UUID
		if err := tx.Raw(`SELECT id FROM password_links WHERE person_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > now() AND code_hash = ? FOR UPDATE`,
			person, LinkCode, s.codeMAC(tenant, person, code)).Scan(&link).Error; err != nil {
			return err
		}
		if len(link) == 0 {
			return errBadCode
		}
		if err := RefuseRestricted(tx, person); err != nil {
			return err
		}
		return setFromLink(tx, sc, person, hash, "one-time code "+link[0].String())
	})
	if err != nil {
		return "", err
	}
	return strings.ToLower(strings.TrimSpace(slug)), nil
}

// Card is one pupil's sign-in card.
type Card struct {
	PersonID              uuid.UUID
	DisplayName, Username string
	Code                  string
}

// mayMakeCodes checks that sc may make codes for the learners of course:
// an admin of the course's school (or of the tenant), or a teacher of the
// course whose school lets teachers reset their learners' passwords.
func mayMakeCodes(tx *gorm.DB, sc access.Scope, course uuid.UUID) error {
	var c struct {
		SchoolID uuid.UUID
		Allows   bool
		Admin    bool
		Teaches  bool
	}
	res := tx.Raw(`SELECT c.school_id, s.teachers_reset_passwords AS allows,
			EXISTS (SELECT 1 FROM role_assignments r WHERE r.person_id = ? AND r.role = 'admin' AND (r.school_id IS NULL OR r.school_id = c.school_id)) AS admin,
			EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND e.person_id = ? AND e.role = 'teacher') AS teaches
		FROM courses c JOIN schools s ON s.id = c.school_id WHERE c.id = ?`, sc.Actor().ID, sc.Actor().ID, course).Scan(&c)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 || (!c.Admin && !c.Teaches) {
		return errs.New(errs.ErrNotFound, "There is no such course.")
	}
	if ids, limited := sc.Schools(); limited && c.Admin && !c.Teaches {
		for _, id := range ids {
			if id == c.SchoolID {
				return nil
			}
		}
		return errs.New(errs.ErrNotFound, "There is no such course.")
	}
	if c.Admin || c.Allows {
		return nil
	}
	return errs.New(errs.ErrForbidden, "Your school has not allowed teachers to reset their learners' passwords. Ask one of its administrators to make the cards, or to allow it.")
}

// MayMakeCards says whether the actor may make sign-in cards for course's
// learners (the page offers the button only then).
func (s *Service) MayMakeCards(ctx context.Context, sc access.Scope, course uuid.UUID) (bool, error) {
	var may bool
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		err := mayMakeCodes(tx, sc, course)
		if errors.Is(err, errs.ErrForbidden) {
			return nil
		}
		may = err == nil
		return err
	})
	return may, err
}

// CardLearners are the active learners of course (only those of group,
// when it is not Nil; only person, when it is not Nil), by name: who
// cards would be made for.
func (s *Service) CardLearners(ctx context.Context, sc access.Scope, course, group, person uuid.UUID) (out []Card, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := mayMakeCodes(tx, sc, course); err != nil && !errors.Is(err, errs.ErrForbidden) {
			return err
		}
		out, err = cardLearners(tx, course, group, person)
		return err
	})
	return out, err
}

func cardLearners(tx *gorm.DB, course, group, person uuid.UUID) ([]Card, error) {
	q := `SELECT p.id AS person_id, p.display_name, p.username FROM enrolments e JOIN people p ON p.id = e.person_id
		WHERE e.course_id = ? AND e.role = 'learner' AND p.status = 'active'`
	args := []any{course}
	if group != uuid.Nil {
		q += ` AND EXISTS (SELECT 1 FROM teaching_group_members g WHERE g.group_id = ? AND g.course_id = e.course_id AND g.person_id = p.id)`
		args = append(args, group)
	}
	if person != uuid.Nil {
		q += ` AND p.id = ?`
		args = append(args, person)
	}
	var out []Card
	err := tx.Raw(q+` ORDER BY lower(p.display_name), p.id LIMIT 1000`, args...).Scan(&out).Error
	return out, err
}

// SignInCards makes a new one-time code for each active learner of course
// (of group, or only person, when not Nil): their earlier codes and links
// stop working. Each is audited on the learner, the whole on the course.
// The codes are returned once, for printing, and never again.
func (s *Service) SignInCards(ctx context.Context, sc access.Scope, course, group, person uuid.UUID) (cards []Card, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := mayMakeCodes(tx, sc, course); err != nil {
			return err
		}
		if cards, err = cardLearners(tx, course, group, person); err != nil {
			return err
		}
		if len(cards) == 0 {
			return errs.New(errs.ErrConflict, "There are no learners to make cards for.")
		}
		for i := range cards {
			if err := RefuseRestricted(tx, cards[i].PersonID); err != nil {
				return err
			}
			if cards[i].Code, err = s.newPasswordCode(tx, sc.Tenant(), cards[i].PersonID); err != nil {
				return err
			}
			if err := Record(tx, sc, "", "person.password_code_made", "person "+cards[i].PersonID.String(), map[string]string{"course": course.String()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cards, nil
}

// PasswordCode makes a one-time set-password code for a person an admin
// reaches (a pupil without email, say), shown to the admin once; their
// earlier codes and links stop working.
func (s *Service) PasswordCode(ctx context.Context, sc access.Scope, person uuid.UUID) (code string, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, true); err != nil {
			return err
		}
		var p Person
		if err := getPerson(tx, person, &p); err != nil {
			return err
		}
		if p.Status != PersonActive {
			return errs.New(errs.ErrConflict, "this account is suspended: reactivate it first")
		}
		if err := RefuseRestricted(tx, person); err != nil {
			return err
		}
		if code, err = s.newPasswordCode(tx, sc.Tenant(), person); err != nil {
			return err
		}
		return Record(tx, sc, "", "person.password_code_made", "person "+person.String(), nil)
	})
	return code, err
}

// TeachersResetPasswords says whether the school's teachers may make
// one-time codes for the learners on their courses.
func (s *Service) TeachersResetPasswords(ctx context.Context, sc access.Scope, school uuid.UUID) (may bool, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Raw(`SELECT teachers_reset_passwords FROM schools WHERE id = ?`, school).Scan(&may)
		if res.Error == nil && res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "There is no such school.")
		}
		return res.Error
	})
	return may, err
}

// SetTeachersResetPasswords changes it; only an admin of the school (or of
// the tenant) does, and it is audited.
func (s *Service) SetTeachersResetPasswords(ctx context.Context, sc access.Scope, school uuid.UUID, may bool) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := schoolAllowed(sc, &school); err != nil {
			return errs.New(errs.ErrNotFound, "There is no such school.")
		}
		var admin bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM role_assignments WHERE person_id = ? AND role = 'admin' AND (school_id IS NULL OR school_id = ?))`,
			sc.Actor().ID, school).Scan(&admin).Error; err != nil {
			return err
		}
		if !admin {
			return errs.New(errs.ErrForbidden, "Only the school's administrators change this.")
		}
		var was bool
		res := tx.Raw(`SELECT teachers_reset_passwords FROM schools WHERE id = ? FOR UPDATE`, school).Scan(&was)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "There is no such school.")
		}
		if was == may {
			return nil
		}
		if err := tx.Exec(`UPDATE schools SET teachers_reset_passwords = ? WHERE id = ?`, may, school).Error; err != nil {
			return err
		}
		v := "no"
		if may {
			v = "yes"
		}
		return Record(tx, sc, "", "school.teachers_reset_passwords", "school "+school.String(), map[string]string{"allowed": v})
	})
}
