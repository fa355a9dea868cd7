package config

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/keys"
)

func TestLoadDefaults(t *testing.T) {
	cleanEnv(t)
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, ":8080", c.HTTPAddr)
	require.Equal(t, "xxxxx", c.Masked()["LMS_S3_SECRET_KEY"])
	require.NotContains(t, c.Masked()["LMS_DATABASE_URL"], "lms-dev")
}

func TestLoadNamesBadVariable(t *testing.T) {
	for name, val := range map[string]string{
		"LMS_SESSION_TTL":        "forever",
		"LMS_LOGIN_MAX_FAILURES": "0",
		"LMS_ENV":                "staging",
		"LMS_S3_ENDPOINT":        "ftp://x",
		"LMS_DATABASE_URL":       "mysql://x",
		"LMS_TOKEN_MAX_TTL":      "12h",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, val)
			_, err := Load()
			require.Error(t, err)
			require.Contains(t, err.Error(), name)
		})
	}
}

func TestTrustedProxiesValidated(t *testing.T) {
	t.Setenv("LMS_TRUSTED_PROXIES", "10.0.0.0/8,not-an-ip")
	_, err := Load()
	require.ErrorContains(t, err, "LMS_TRUSTED_PROXIES")
	t.Setenv("LMS_TRUSTED_PROXIES", "10.0.0.0/8,192.168.1.1")
	c, err := Load()
	require.NoError(t, err)
	require.Len(t, c.TrustedProxies, 2)
}

// In prod the serving processes need every key; `lms migrate` needs none
// of them, so the migration Job is not given them.
func TestMigrateNeedsNoServingKeys(t *testing.T) {
	cleanEnv(t)
	t.Setenv("LMS_ENV", "prod")
	_, err := Load()
	require.ErrorContains(t, err, "LMS_SIGNING_KEY_SECRET")
	require.ErrorContains(t, err, "LMS_BACKUP_KEY_SECRET")
	_, err = LoadForMigrate()
	require.NoError(t, err)
}

// A value read from a file ends with a newline: it is trimmed, so a URL or
// a key from `kubectl create secret --from-file` works as typed.
func TestValuesAreTrimmed(t *testing.T) {
	t.Setenv("LMS_DATABASE_URL", "postgres://lms_server:pw@db.example:5432/lms?sslmode=verify-full\n")
	t.Setenv("LMS_REGIONS", "uk, ie\n")
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, "postgres://lms_server:pw@db.example:5432/lms?sslmode=verify-full", c.DatabaseURL)
	require.Equal(t, []string{"uk", "ie"}, c.Regions)
}

// cleanEnv unsets every LMS_ variable for the test (restored after it), so
// a developer's or CI's own settings, such as LMS_HTTP_ADDR to move a port,
// never change what a test of the defaults sees.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "LMS_") {
			t.Setenv(name, "") // restores the value after the test
			require.NoError(t, os.Unsetenv(name))
		}
	}
}

// prodEnv is a complete production environment with keys of its own.
func prodEnv(t *testing.T) {
	t.Helper()
	cleanEnv(t)
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	seed := make([]byte, 32)
	_, err = rand.Read(seed)
	require.NoError(t, err)
	t.Setenv("LMS_ENV", "prod")
	t.Setenv("LMS_PSEUDONYM_SECRET", strings.Repeat("p", 40))
	t.Setenv("LMS_LEDGER_SECRET", strings.Repeat("l", 40))
	t.Setenv("LMS_SIGNING_KEY_SECRET", base64.StdEncoding.EncodeToString(seed))
	t.Setenv("LMS_BACKUP_KEY_SECRET", id.String())
	t.Setenv("LMS_DATABASE_URL", "postgres://lms_server:"+strings.Repeat("d", 32)+"@db.example:5432/lms")
	t.Setenv("LMS_MIGRATE_DATABASE_URL", "postgres://lms_owner:"+strings.Repeat("o", 32)+"@db.example:5432/lms")
	t.Setenv("LMS_S3_ACCESS_KEY", "AKIAEXAMPLE")
	t.Setenv("LMS_S3_SECRET_KEY", strings.Repeat("s", 40))
}

// Production refuses every key printed in the source, by name: with one
// of them anyone could decrypt backups or forge deletion certificates.
func TestProdRefusesDevelopmentKeys(t *testing.T) {
	prodEnv(t)
	_, err := Load()
	require.NoError(t, err, "a production environment with its own keys starts")

	devSeed := sha256.Sum256([]byte("lms-development-signing-key-not-for-production"))
	own, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	for name, val := range map[string]string{
		"LMS_PSEUDONYM_SECRET":            devPseudonymSecret,
		"LMS_LEDGER_SECRET":               devLedgerSecret,
		"LMS_BACKUP_KEY_SECRET":           own.String() + "," + devBackupKey,
		"LMS_SIGNING_KEY_SECRET":          base64.StdEncoding.EncodeToString(devSeed[:]),
		"LMS_SIGNING_RETIRED_PUBLIC_KEYS": keys.DevSigner().Public(),
		"LMS_DATABASE_URL":                "postgres://lms_server:lms-dev@db.example:5432/lms",
		"LMS_MIGRATE_DATABASE_URL":        "postgres://lms_owner:lms-dev@db.example:5432/lms",
		"LMS_S3_ACCESS_KEY":               "lmsdev",
		"LMS_S3_SECRET_KEY":               "lmsdev-secret-key",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, val)
			_, err := Load()
			require.ErrorContains(t, err, name+": is the development key")
			t.Setenv("LMS_ENV", "test")
			_, err = Load()
			require.NoError(t, err, "outside prod the development keys are fine")
		})
	}
}
