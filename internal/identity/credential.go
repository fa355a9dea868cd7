package identity

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/schoolcloud/lms/internal/platform/database"
	"gorm.io/gorm"
)

// credTable describes one of the two credential tables; the SQL is the same
// for members (inside a tenant scope) and staff (platform table).
type credTable struct {
	name     string // table
	owner    string // column naming the principal
	accounts string // table of principals, to check the account is usable
	usable   string // SQL condition on the accounts row `a`
	join     string // join prefix: members join on tenant_id too, so the primary key is used
	network  string // the last-network column, or '' where there is none (staff)
}

var (
	memberCreds = credTable{"member_credentials", "person_id", "people", "a.status = 'active'", "a.tenant_id = c.tenant_id AND ", "c.last_network"}
	staffCreds  = credTable{"staff_credentials", "staff_id", "staff", "a.disabled_at IS NULL", "", "''"}
)

// touchEvery limits last-seen writes to one per minute per credential.
const touchEvery = time.Minute

type credRow struct {
	ID         uuid.UUID
	Owner      uuid.UUID
	Kind       string
	LastSeenAt time.Time
	Role       string
	Network    string // where the credential was last used (members' tokens)
	// SecondFactor is what a session still owes ('' once signed in).
	SecondFactor string
}

func insertCredential(tx *gorm.DB, t credTable, tenant uuid.UUID, owner uuid.UUID, kind, name, secret string, ttl time.Duration, ua, ip string) (Issued, error) {
	now := time.Now().UTC()
	c := Credential{ID: uuid.Must(uuid.NewV7()), Kind: kind, Name: name, CreatedAt: now, ExpiresAt: now.Add(ttl), LastSeenAt: now, UserAgent: truncate(ua, 300), IP: ip}
	row := map[string]any{
		"id": c.ID, t.owner: owner, "kind": kind, "name": name, "token_hash": hashSecret(secret),
		"created_at": c.CreatedAt, "expires_at": c.ExpiresAt, "last_seen_at": c.LastSeenAt, "user_agent": c.UserAgent, "ip": ip,
	}
	if tenant != uuid.Nil {
		row["tenant_id"] = tenant
	}
	if err := tx.Table(t.name).Create(row).Error; err != nil {
		return Issued{}, fmt.Errorf("insert %s: %w", t.name, err)
	}
	return Issued{Credential: c, Secret: secret}, nil
}

// lookupSQL finds a live credential by the hash of its secret, with the
// account's usability checked in the same query.
func lookupSQL(t credTable) string {
	role := "''"
	if t.accounts == "staff" {
		role = "a.role"
	}
	return fmt.Sprintf(`SELECT c.id, c.%[2]s, c.kind, c.last_seen_at, %[4]s, %[7]s, coalesce(c.second_factor, '')
		FROM %[1]s c JOIN %[3]s a ON %[6]sa.id = c.%[2]s
		WHERE c.token_hash = $1 AND c.revoked_at IS NULL AND c.expires_at > now() AND %[5]s`,
		t.name, t.owner, t.accounts, role, t.usable, t.join, t.network)
}

// scanCredential reads at most one row of lookupSQL; found stays false
// when there is none.
func scanCredential(r *credRow, found *bool) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		for rows.Next() {
			*found = true
			if err := rows.Scan(&r.ID, &r.Owner, &r.Kind, &r.LastSeenAt, &r.Role, &r.Network, &r.SecondFactor); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

// touch records use of a credential at most once a minute, and slides a
// session's expiry forward, so a busy script does not turn every read into
// a write.
func touch(tx *gorm.DB, t credTable, r credRow, sessionTTL time.Duration) error {
	if r.Kind == "session" {
		// A session that still owes its second step keeps its short life.
		return tx.Exec(fmt.Sprintf(`UPDATE %s SET last_seen_at = now(),
			expires_at = CASE WHEN second_factor IS NULL THEN now() + make_interval(secs => ?) ELSE expires_at END WHERE id = ?`, t.name), sessionTTL.Seconds(), r.ID).Error
	}
	return tx.Exec(fmt.Sprintf(`UPDATE %s SET last_seen_at = now() WHERE id = ?`, t.name), r.ID).Error
}

func listCredentials(tx *gorm.DB, t credTable, owner uuid.UUID, p database.Page) ([]Credential, error) {
	out := []Credential{}
	q := tx.Table(t.name).Select("id, kind, name, created_at, expires_at, last_seen_at, user_agent, ip").
		Where(t.owner+" = ? AND revoked_at IS NULL AND expires_at > now()", owner)
	err := CredentialOrder.Apply(q, p).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.name, err)
	}
	return out, nil
}

// CredentialOrder is the order credentials list in: newest first.
var CredentialOrder = database.Keyset{Key: "created_at", Cast: "timestamptz", ID: "id", Desc: true}

// At is where a credential sits in CredentialOrder, for paging.
func (c Credential) At() (string, uuid.UUID) { return database.TimeKey(c.CreatedAt), c.ID }

func revokeCredential(tx *gorm.DB, t credTable, owner, id uuid.UUID) error {
	return database.Found(tx.Table(t.name).Where("id = ? AND "+t.owner+" = ? AND revoked_at IS NULL", id, owner).Update("revoked_at", gorm.Expr("now()")), "credential %s", id)
}

func revokeAll(tx *gorm.DB, t credTable, owner uuid.UUID) error {
	return tx.Table(t.name).Where(t.owner+" = ? AND revoked_at IS NULL", owner).Update("revoked_at", gorm.Expr("now()")).Error
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
