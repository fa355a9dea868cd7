// Package config reads the platform's settings from environment variables.
// Every variable has a documented default (see README "Configuration"); a bad
// value stops start-up with a message naming the variable.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/schoolcloud/lms/internal/platform/keys"

	"github.com/caarlos0/env/v11"
)

// Config is the whole platform configuration.
type Config struct {
	// Env is dev, test or prod. Outside dev the session cookie is Secure.
	Env string `env:"LMS_ENV" envDefault:"dev"`
	// HTTPAddr is where `lms serve` listens.
	HTTPAddr string `env:"LMS_HTTP_ADDR" envDefault:":8080"`
	// WorkerHealthAddr is where `lms worker` answers /healthz, /readyz and
	// /metrics, so an orchestrator can probe and scrape a process that
	// otherwise serves nothing.
	WorkerHealthAddr string `env:"LMS_WORKER_HEALTH_ADDR" envDefault:":8081"`
	// PublicURL is how people reach the service (used in links and messages).
	PublicURL string `env:"LMS_PUBLIC_URL" envDefault:"http://localhost:8080"`
	// TrustedProxies are the addresses (CIDRs) of load balancers whose
	// X-Forwarded-For is believed. Empty: the peer address is the client.
	TrustedProxies []string `env:"LMS_TRUSTED_PROXIES" envSeparator:","`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LMS_LOG_LEVEL" envDefault:"info"`

	// DatabaseURL connects as the application role: owns nothing, no BYPASSRLS.
	DatabaseURL string `env:"LMS_DATABASE_URL" envDefault:"postgres://lms_server:lms-dev@127.0.0.1:5432/lms?sslmode=disable"`
	// MigrateDatabaseURL connects as the schema owner; only `lms migrate` uses it.
	MigrateDatabaseURL string `env:"LMS_MIGRATE_DATABASE_URL" envDefault:"postgres://lms_owner:lms-dev@127.0.0.1:5432/lms?sslmode=disable"`
	// AdminDatabaseURL is a superuser, used only by `lms dev` to create the
	// roles and database on a laptop. Empty in production.
	AdminDatabaseURL string `env:"LMS_ADMIN_DATABASE_URL"`
	// DatabaseMaxConns caps the connection pool.
	DatabaseMaxConns int32 `env:"LMS_DATABASE_MAX_CONNS" envDefault:"20"`

	// S3Endpoint is the region's S3-compatible endpoint (an empty value
	// means the default, a laptop's: give AWS's regional endpoint there).
	S3Endpoint string `env:"LMS_S3_ENDPOINT" envDefault:"http://127.0.0.1:7070"`
	// S3Region is the signing region the endpoint expects.
	S3Region string `env:"LMS_S3_REGION" envDefault:"eu-west-2"`
	// S3AccessKey and S3SecretKey authenticate to the object store.
	S3AccessKey string `env:"LMS_S3_ACCESS_KEY" envDefault:"lmsdev"`
	S3SecretKey string `env:"LMS_S3_SECRET_KEY" envDefault:"lmsdev-secret-key"`
	// S3BucketPrefix names the per-data-region buckets: {prefix}-{region}.
	S3BucketPrefix string `env:"LMS_S3_BUCKET_PREFIX" envDefault:"lms"`
	// Regions are the data regions (uk or EEA country codes) this
	// deployment holds; a tenant of another is refused. Empty: any (a
	// laptop, or one deployment for all).
	Regions []string `env:"LMS_REGIONS" envSeparator:","`
	// S3PathStyle addresses buckets in the path (needed by most local servers).
	S3PathStyle bool `env:"LMS_S3_PATH_STYLE" envDefault:"true"`

	// DownloadLinkTTL is how long a presigned file download or playback
	// URL stays valid after the API has authorized the reader.
	DownloadLinkTTL time.Duration `env:"LMS_DOWNLOAD_LINK_TTL" envDefault:"5m"`

	// PseudonymSecret keys the pseudonyms of data-use copies (HMAC-SHA256).
	// Required outside dev and test: at least 32 characters.
	PseudonymSecret string `env:"LMS_PSEUDONYM_SECRET"`
	// LedgerSecret keys the erasure ledger's hashes of erased people
	// (HMAC-SHA256). It must stay the same for as long as any backup may be
	// restored, or restores cannot re-apply erasures. Required outside dev
	// and test: at least 32 characters.
	LedgerSecret string `env:"LMS_LEDGER_SECRET"`
	// ExportLinkTTL is how long a finished personal data export can be
	// downloaded (at most 7 days, the longest a signed link can live).
	ExportLinkTTL time.Duration `env:"LMS_EXPORT_LINK_TTL" envDefault:"168h"`
	// SigningKey is the platform's Ed25519 key (a base64 32-byte seed) that
	// signs deletion certificates. Required outside dev and test; keep it
	// (and publish its public key, `lms certificate public-key`) for as long
	// as certificates must be checked.
	SigningKey string `env:"LMS_SIGNING_KEY_SECRET"`
	// SigningRetired are the public keys (base64) of earlier signing keys:
	// certificates they signed are served, and verified, with their own
	// key after a rotation. Never remove one.
	SigningRetired []string `env:"LMS_SIGNING_RETIRED_PUBLIC_KEYS" envSeparator:","`
	// BackupRetention is how long a per-tenant backup is kept: years,
	// months and days ("7y", "1y6m", "90d"). More than seven years is
	// refused at start-up.
	BackupRetention string `env:"LMS_BACKUP_RETENTION" envDefault:"1y"`
	// BackupKey is the platform's backup key (an age X25519 identity,
	// "AGE-SECRET-KEY-1…") that wraps each tenant's backup key. Required
	// outside dev and test.
	BackupKey string `env:"LMS_BACKUP_KEY_SECRET"`
	// BackupLockMode is the S3 Object Lock mode of backups: COMPLIANCE (no
	// one can delete one before it expires) or GOVERNANCE (only a user
	// allowed to bypass governance can; for tests and staging).
	BackupLockMode string `env:"LMS_BACKUP_LOCK_MODE" envDefault:"COMPLIANCE"`
	// SubProcessorAdequacy are the countries with UK adequacy regulations
	// (two-letter codes, e.g. "ch,jp") the sub-processor register accepts
	// besides the UK and the EEA. Empty by default: the processor notice
	// promises no transfer outside the UK and the EEA, and a deployment
	// whose schools agreed to more says so here.
	SubProcessorAdequacy []string `env:"LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES" envSeparator:","`
	// StatsMinGroup is the smallest group of learners a school's aggregate
	// statistics are shown for; smaller groups are suppressed.
	StatsMinGroup int `env:"LMS_STATS_MIN_GROUP" envDefault:"5"`

	// SMTPAddr is where school communications are sent by email (host:port;
	// `make run` starts Mailpit, a local mail catcher, there). SMTPFrom is
	// their sender.
	SMTPAddr string `env:"LMS_SMTP_ADDR" envDefault:"127.0.0.1:1025"`
	// SMTPUsername and SMTPPassword log in to the relay (PLAIN), which Go's
	// SMTP client does only over TLS (STARTTLS) or to localhost.
	SMTPUsername string `env:"LMS_SMTP_USERNAME"`
	SMTPPassword string `env:"LMS_SMTP_PASSWORD_SECRET"`
	SMTPFrom     string `env:"LMS_SMTP_FROM" envDefault:"School learning platform <no-reply@lms.localhost>"`

	// SessionTTL is how long a sign-in lasts without activity.
	SessionTTL time.Duration `env:"LMS_SESSION_TTL" envDefault:"12h"`
	// TokenMaxTTL caps the lifetime of personal API tokens.
	TokenMaxTTL time.Duration `env:"LMS_TOKEN_MAX_TTL" envDefault:"8760h"`
	// LoginMaxFailures consecutive failures lock an account for LoginLockout.
	LoginMaxFailures int           `env:"LMS_LOGIN_MAX_FAILURES" envDefault:"5"`
	LoginLockout     time.Duration `env:"LMS_LOGIN_LOCKOUT" envDefault:"15m"`
	// LoginRatePerMinute caps failed sign-ins from one client address per
	// minute, across all accounts and replicas (successes do not count: a
	// whole school signs in from its one public address).
	LoginRatePerMinute int `env:"LMS_LOGIN_RATE_PER_MINUTE" envDefault:"60"`
	// TokenRatePerMinute caps the requests of one API token or integration
	// per minute, counted in each API process (not across replicas).
	TokenRatePerMinute int `env:"LMS_TOKEN_RATE_PER_MINUTE" envDefault:"600"`
}

var regionCode = regexp.MustCompile(`^[a-z]{2}$`)

// Load reads the environment. Errors name the offending variable.
func Load() (Config, error) { return load(true) }

// LoadForMigrate reads the environment for `lms migrate`, which uses only
// the owner's database URL: in prod it does not ask for the keys the
// serving processes need, so the migration Job is not given them.
func LoadForMigrate() (Config, error) { return load(false) }

func load(serving bool) (Config, error) {
	var c Config
	if err := env.Parse(&c); err != nil {
		return c, renameFields(err)
	}
	trimStrings(&c)
	return c, c.validate(serving)
}

// trimStrings drops the spaces and line ends around every value: a secret
// written to a file by an editor (kubectl create secret --from-file) ends
// with a newline that would otherwise break a URL, a key or a password.
func trimStrings(c *Config) {
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(strings.TrimSpace(f.String()))
		case reflect.Slice:
			if s, ok := f.Interface().([]string); ok {
				for j := range s {
					s[j] = strings.TrimSpace(s[j])
				}
			}
		}
	}
}

func (c Config) validate(serving bool) error {
	prod := c.Env == "prod" && serving // the keys required in prod
	var problems []string
	bad := func(name, msg string) { problems = append(problems, name+": "+msg) }
	switch c.Env {
	case "dev", "test", "prod":
	default:
		bad("LMS_ENV", fmt.Sprintf("%q is not one of dev, test, prod", c.Env))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LMS_LOG_LEVEL", fmt.Sprintf("%q is not one of debug, info, warn, error", c.LogLevel))
	}
	for name, v := range map[string]string{"LMS_DATABASE_URL": c.DatabaseURL, "LMS_MIGRATE_DATABASE_URL": c.MigrateDatabaseURL} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad(name, "must be a postgres:// URL")
		}
	}
	if c.S3Endpoint != "" {
		if u, err := url.Parse(c.S3Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("LMS_S3_ENDPOINT", "must be an http(s) URL")
		}
	}
	if c.S3BucketPrefix == "" || strings.ToLower(c.S3BucketPrefix) != c.S3BucketPrefix || len(c.S3BucketPrefix) > 40 {
		bad("LMS_S3_BUCKET_PREFIX", "must be 1-40 lower-case characters")
	}
	if c.DatabaseMaxConns < 2 {
		bad("LMS_DATABASE_MAX_CONNS", "must be at least 2")
	}
	if c.SessionTTL < time.Minute {
		bad("LMS_SESSION_TTL", "must be at least 1m")
	}
	if c.DownloadLinkTTL < 10*time.Second || c.DownloadLinkTTL > time.Hour {
		bad("LMS_DOWNLOAD_LINK_TTL", "must be from 10s to 1h")
	}
	if c.TokenMaxTTL < 24*time.Hour {
		// Tokens are asked for in whole days: under a day no lifetime could be given.
		bad("LMS_TOKEN_MAX_TTL", "must be at least 24h (tokens last whole days)")
	}
	if prod && len(c.PseudonymSecret) < 32 {
		bad("LMS_PSEUDONYM_SECRET", "must be set to at least 32 random characters in prod")
	}
	if prod && len(c.LedgerSecret) < 32 {
		bad("LMS_LEDGER_SECRET", "must be set to at least 32 random characters in prod")
	}
	if c.ExportLinkTTL < time.Hour || c.ExportLinkTTL > 7*24*time.Hour {
		bad("LMS_EXPORT_LINK_TTL", "must be from 1h to 168h (a signed link lives at most 7 days)")
	}
	if prod && c.SigningKey == "" {
		bad("LMS_SIGNING_KEY_SECRET", "must be set in prod: a base64 Ed25519 seed of 32 bytes (openssl rand -base64 32)")
	}
	if c.SigningKey != "" {
		if _, err := keys.NewSigner(c.SigningKey); err != nil {
			bad("LMS_SIGNING_KEY_SECRET", "must be a base64 Ed25519 seed of 32 bytes (openssl rand -base64 32)")
		}
	}
	if _, err := ParseRetention(c.BackupRetention); err != nil {
		bad("LMS_BACKUP_RETENTION", err.Error())
	}
	if c.BackupLockMode != "COMPLIANCE" && c.BackupLockMode != "GOVERNANCE" {
		bad("LMS_BACKUP_LOCK_MODE", "must be COMPLIANCE or GOVERNANCE")
	}
	if prod {
		for _, name := range c.devSecretsInProd() {
			bad(name, "is the development key or password printed in the source; generate this deployment's own (deploy/README.md, Secrets)")
		}
	}
	if prod && c.BackupKey == "" {
		bad("LMS_BACKUP_KEY_SECRET", "must be set in prod: an age X25519 identity (age-keygen)")
	}
	if c.BackupKey != "" {
		for _, k := range strings.Split(c.BackupKey, ",") {
			if _, err := age.ParseX25519Identity(strings.TrimSpace(k)); err != nil {
				bad("LMS_BACKUP_KEY_SECRET", "must be age X25519 identities (AGE-SECRET-KEY-1..., from age-keygen), comma-separated during a rotation, the new one first")
				break
			}
		}
	}
	for _, k := range c.SigningRetired {
		if _, err := keys.KeyIDOf(k); err != nil {
			bad("LMS_SIGNING_RETIRED_PUBLIC_KEYS", fmt.Sprintf("%q is not a base64 Ed25519 public key (lms certificate public-key prints one)", k))
		}
	}
	for _, r := range c.Regions {
		if !regionCode.MatchString(r) {
			bad("LMS_REGIONS", fmt.Sprintf("%q is not a region code (uk, ie, de, ...)", r))
		}
	}
	for _, r := range c.SubProcessorAdequacy {
		if !regionCode.MatchString(r) {
			bad("LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES", fmt.Sprintf("%q is not a two-letter country code (ch, jp, ...)", r))
		}
	}
	if (c.SMTPUsername == "") != (c.SMTPPassword == "") {
		bad("LMS_SMTP_USERNAME", "and LMS_SMTP_PASSWORD_SECRET are set together, or neither")
	}
	if c.StatsMinGroup < 3 || c.StatsMinGroup > 100 {
		bad("LMS_STATS_MIN_GROUP", "must be from 3 to 100")
	}
	if c.LoginMaxFailures < 1 {
		bad("LMS_LOGIN_MAX_FAILURES", "must be at least 1")
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("LMS_TRUSTED_PROXIES", fmt.Sprintf("%q is not an IP address or CIDR", p))
		}
	}
	if c.LoginRatePerMinute < 1 {
		bad("LMS_LOGIN_RATE_PER_MINUTE", "must be at least 1")
	}
	if c.TokenRatePerMinute < 1 {
		bad("LMS_TOKEN_RATE_PER_MINUTE", "must be at least 1")
	}
	if _, port, err := net.SplitHostPort(c.WorkerHealthAddr); err != nil || !validPort(port) {
		bad("LMS_WORKER_HEALTH_ADDR", fmt.Sprintf("%q is not a listen address such as :8081", c.WorkerHealthAddr))
	}
	if c.LoginLockout < time.Second {
		bad("LMS_LOGIN_LOCKOUT", "must be at least 1s")
	}
	if len(problems) > 0 {
		return errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return nil
}

// Masked returns the settings as loggable pairs with secrets hidden.
func (c Config) Masked() map[string]string {
	out := map[string]string{}
	v := reflect.ValueOf(c)
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name := f.Tag.Get("env")
		val := fmt.Sprint(v.Field(i).Interface())
		switch {
		case strings.Contains(name, "SECRET"):
			val = mask(val)
		case strings.HasSuffix(name, "DATABASE_URL"):
			if u, err := url.Parse(val); err == nil && u.User != nil {
				if _, ok := u.User.Password(); ok {
					u.User = url.UserPassword(u.User.Username(), "xxxxx")
				}
				val = u.String()
			}
		}
		out[name] = val
	}
	return out
}

// validPort reports a TCP port number (0 lets the system choose).
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "xxxxx"
}

// PseudonymKey is the key for data-use pseudonyms: the configured secret,
// or a fixed development key outside prod (validate refuses prod without).
func (c Config) PseudonymKey() []byte {
	if c.PseudonymSecret != "" {
		return []byte(c.PseudonymSecret)
	}
	return []byte(devPseudonymSecret)
}

// LedgerKey keys the erasure ledger: the configured secret, or a fixed
// development key outside prod (validate refuses prod without).
func (c Config) LedgerKey() []byte {
	if c.LedgerSecret != "" {
		return []byte(c.LedgerSecret)
	}
	return []byte(devLedgerSecret)
}

// Signer is the certificate signer: the configured key, or a fixed
// development key outside prod (validate refuses prod without one).
func (c Config) Signer() *keys.Signer {
	s := keys.DevSigner()
	if c.SigningKey != "" {
		if k, err := keys.NewSigner(c.SigningKey); err == nil {
			s = k
		}
	}
	s.Retire(c.SigningRetired...) // validated at load
	return s
}

// The keys of laptops and tests. They are printed here, so anyone can read
// them: validate refuses every one of them in prod.
const (
	devBackupKey       = "AGE-SECRET-KEY-1F9QX5V4NZ3PTC799GNES7GUGLTP3Q5WZ3Z6K639ADPJJR0QADAKQ4SM5G2"
	devPseudonymSecret = "lms-development-pseudonym-key-not-for-production"
	devLedgerSecret    = "lms-development-ledger-key-not-for-production"
	// The local services' credentials (the defaults below, deploy/local).
	devDatabasePassword = "lms-dev"
	devS3AccessKey      = "lmsdev"
	devS3SecretKey      = "lmsdev-secret-key"
)

// devSecretsInProd names the variables of c that hold a development key:
// with one of those, anyone could decrypt backups, forge deletion
// certificates or recompute pseudonyms and the erasure ledger.
func (c Config) devSecretsInProd() []string {
	var found []string
	if c.PseudonymSecret == devPseudonymSecret {
		found = append(found, "LMS_PSEUDONYM_SECRET")
	}
	if c.LedgerSecret == devLedgerSecret {
		found = append(found, "LMS_LEDGER_SECRET")
	}
	for _, k := range strings.Split(c.BackupKey, ",") {
		if strings.TrimSpace(k) == devBackupKey {
			found = append(found, "LMS_BACKUP_KEY_SECRET")
			break
		}
	}
	for name, u := range map[string]string{"LMS_DATABASE_URL": c.DatabaseURL, "LMS_MIGRATE_DATABASE_URL": c.MigrateDatabaseURL} {
		if pu, err := url.Parse(u); err == nil {
			if pw, _ := pu.User.Password(); pw == devDatabasePassword {
				found = append(found, name)
			}
		}
	}
	if c.S3AccessKey == devS3AccessKey {
		found = append(found, "LMS_S3_ACCESS_KEY")
	}
	if c.S3SecretKey == devS3SecretKey {
		found = append(found, "LMS_S3_SECRET_KEY")
	}
	dev := keys.DevSigner().Public()
	if s, err := keys.NewSigner(c.SigningKey); err == nil && s.Public() == dev {
		found = append(found, "LMS_SIGNING_KEY_SECRET")
	}
	for _, k := range c.SigningRetired {
		if k == dev {
			found = append(found, "LMS_SIGNING_RETIRED_PUBLIC_KEYS")
			break
		}
	}
	return found
}

// BackupIdentity is the platform's backup key: the configured one, or the
// development key outside prod (validate refuses prod without one).
func (c Config) BackupIdentity() string {
	if c.BackupKey != "" {
		return c.BackupKey
	}
	return devBackupKey
}

// IsDev reports whether this is a developer's laptop.
func (c Config) IsDev() bool { return c.Env == "dev" }

// IsProd reports whether this is production (processor staff must sign in
// in two steps).
func (c Config) IsProd() bool { return c.Env == "prod" }

// renameFields rewrites the library's Go field names into variable names, so
// the operator reads "LMS_SESSION_TTL", not "SessionTTL".
func renameFields(err error) error {
	names := map[string]string{}
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		names[t.Field(i).Name] = t.Field(i).Tag.Get("env")
	}
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("configuration: %w", err)
	}
	var msgs []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			msgs = append(msgs, fmt.Sprintf("%s: cannot parse as %s: %v", names[pe.Name], pe.Type, pe.Err))
			continue
		}
		msgs = append(msgs, e.Error())
	}
	return errors.New("configuration: " + strings.Join(msgs, "; "))
}
