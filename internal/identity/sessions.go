package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	useragent "github.com/medama-io/go-useragent"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
)

// How a session was signed in to (credentials' method column).
const (
	MethodPassword     = "password"
	MethodPasswordCode = "password+code"
	MethodLink         = "link"
	MethodPasskey      = "passkey"
)

// MethodWords says a sign-in method in words a person reads.
func MethodWords(m string) string {
	switch m {
	case MethodPasswordCode:
		return "Password and a code"
	case MethodLink:
		return "A set-password link"
	case MethodPasskey:
		return "A passkey"
	case MethodOIDC:
		return "School account (OpenID Connect)"
	case MethodSAML:
		return "School account (SAML)"
	default:
		return "Password"
	}
}

// Session is one of a person's live sessions or API tokens, described in
// words: the browser and system from its user agent, the network (never
// the whole address) and how it was signed in to.
type Session struct {
	ID         uuid.UUID
	Kind       string // session or token
	Name       string // a token's label
	CreatedAt  time.Time
	LastSeenAt time.Time
	Method     string
	UserAgent  string `gorm:"column:user_agent"`
	IP         string `gorm:"column:ip"`
	// Filled in from the above.
	Browser, System, Network string
	Current                  bool `gorm:"-"`
}

// Device is the browser and system in words ("Firefox on Windows").
func (s Session) Device() string {
	switch {
	case s.Browser != "" && s.System != "":
		return s.Browser + " on " + s.System
	case s.Browser != "":
		return s.Browser
	case s.System != "":
		return "A browser on " + s.System
	}
	return "An unknown browser"
}

// describeAgent is a user agent's browser and system in words; either is
// ” when it cannot be told.
func describeAgent(p *useragent.Parser, ua string) (browser, system string) {
	if strings.TrimSpace(ua) == "" {
		return "", ""
	}
	a := p.Parse(ua)
	browser = string(a.Browser())
	switch a.OS() {
	case "MacOS":
		system = "macOS"
	default:
		system = string(a.OS())
	}
	if a.IsMobile() && system == "" {
		system = "a phone"
	}
	return browser, system
}

// DescribeAgent is describeAgent with a parser of its own (tests, one-offs).
func DescribeAgent(ua string) (browser, system string) {
	return describeAgent(useragent.NewParser(), ua)
}

func listSessions(tx *gorm.DB, t credTable, owner uuid.UUID) ([]Session, error) {
	out := []Session{}
	err := tx.Table(t.name).Select("id, kind, name, created_at, last_seen_at, method, user_agent, ip").
		Where(t.owner+" = ? AND revoked_at IS NULL AND expires_at > now()", owner).
		Order("kind, last_seen_at DESC").Limit(500).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	p := useragent.NewParser()
	for i := range out {
		out[i].Browser, out[i].System = describeAgent(p, out[i].UserAgent)
		out[i].Network = networkOf(out[i].IP)
		out[i].IP = ""
	}
	return out, nil
}

// MySessions lists the caller's live sessions and API tokens, the one
// they are using marked Current.
func (s *Service) MySessions(ctx context.Context, p Principal) ([]Session, error) {
	var out []Session
	err := s.inOwnScope(ctx, p, func(tx *gorm.DB, t credTable) (err error) {
		out, err = listSessions(tx, t, p.ID)
		return err
	})
	for i := range out {
		out[i].Current = out[i].ID == p.CredentialID
	}
	return out, err
}

// EndOtherSessions ends every session of the caller's but the one they
// are using (their API tokens stay).
func (s *Service) EndOtherSessions(ctx context.Context, p Principal) error {
	return s.inOwnScope(ctx, p, func(tx *gorm.DB, t credTable) error {
		return tx.Table(t.name).Where(t.owner+" = ? AND kind = 'session' AND id <> ? AND revoked_at IS NULL", p.ID, p.CredentialID).
			Update("revoked_at", gorm.Expr("now()")).Error
	})
}

// PersonSessions lists a person's live sessions and API tokens (admins
// who reach them).
func (s *Service) PersonSessions(ctx context.Context, sc access.Scope, person uuid.UUID) ([]Session, error) {
	var out []Session
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, false); err != nil {
			return err
		}
		var err error
		out, err = listSessions(tx, memberCreds, person)
		return err
	})
	return out, err
}

// EndPersonSessions ends all of a person's sessions and API tokens
// (admins who may change them).
func (s *Service) EndPersonSessions(ctx context.Context, sc access.Scope, person uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, person, true); err != nil {
			return err
		}
		return revokeAll(tx, memberCreds, person)
	})
}

// signedIn records how a session was signed in to, and that it was, in
// the tenant's sign-in events (members) or the staff security events.
func (s *Service) signedIn(tx *gorm.DB, p Principal, credential uuid.UUID, method string) error {
	t := memberCreds
	if p.Kind == KindStaff {
		t = staffCreds
	}
	if err := tx.Exec(fmt.Sprintf(`UPDATE %s SET method = ? WHERE id = ?`, t.name), method, credential).Error; err != nil {
		return fmt.Errorf("session method: %w", err)
	}
	if p.Kind == KindStaff {
		return tx.Exec(`INSERT INTO staff_security_events (id, staff_id, action, ip) VALUES (?, ?, ?, '')`,
			uuid.Must(uuid.NewV7()), p.ID, "signed-in."+method).Error
	}
	// A member's sign-in is recorded on the session (its method) and in
	// the tenant's sign-in events, not in its hash-chained audit trail:
	// that trail is kept for the life of the contract, and an erased
	// person must leave no row naming them (TestErasureLeavesNothing).
	c, err := credentialClient(tx, credential)
	if err != nil {
		return err
	}
	return recordSignIn(tx, p.TenantID, &p.ID, method, SignInOK, "", c)
}

// HowSignedIn is the session's sign-in method in words.
func (s Session) HowSignedIn() string { return MethodWords(s.Method) }
