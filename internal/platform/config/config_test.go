package config

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/schoolcloud/lms/internal/platform/keys"
	"github.com/stretchr/testify/require"
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

// The worker's health address defaults to :8081 and a malformed one stops
// start-up, by name.
func TestWorkerHealthAddr(t *testing.T) {
	cleanEnv(t)
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, ":8081", c.WorkerHealthAddr)
	for _, bad := range []string{"8081", ":http-alt", ":70000", "localhost"} {
		t.Run(bad, func(t *testing.T) {
			t.Setenv("LMS_WORKER_HEALTH_ADDR", bad)
			_, err := Load()
			require.ErrorContains(t, err, "LMS_WORKER_HEALTH_ADDR")
		})
	}
	t.Setenv("LMS_WORKER_HEALTH_ADDR", "127.0.0.1:0")
	c, err = Load()
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:0", c.WorkerHealthAddr)
}

// No adequacy country is accepted unless the deployment names it; a value
// that is not a two-letter code stops start-up, by name. (Whether a code
// has UK adequacy regulations is checked where the register is built.)
func TestSubProcessorAdequacyIsExplicit(t *testing.T) {
	cleanEnv(t)
	c, err := Load()
	require.NoError(t, err)
	require.Empty(t, c.SubProcessorAdequacy, "UK and EEA only by default")
	t.Setenv("LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES", "ch,jp")
	c, err = Load()
	require.NoError(t, err)
	require.Equal(t, []string{"ch", "jp"}, c.SubProcessorAdequacy)
	for _, bad := range []string{"Japan", "j p", "JP"} {
		t.Setenv("LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES", bad)
		_, err = Load()
		require.ErrorContains(t, err, "LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES", bad)
	}
}

// Backups are kept at most seven years: a longer period is refused, from
// any starting day.
func TestParseRetention(t *testing.T) {
	for _, ok := range []string{"7y", "1y", "6m", "90d", "1y6m", "6y11m"} {
		_, err := ParseRetention(ok)
		require.NoError(t, err, ok)
	}
	for _, bad := range []string{"7y1d", "8y", "84m1d", "2558d", "2557d", "", "0d", "7 years", "-1y", "1w"} {
		_, err := ParseRetention(bad)
		require.Error(t, err, bad)
	}
}

// The cap agrees with PostgreSQL's "+ interval '7 years'" on leap days, so
// the catalogue's CHECK never refuses a capped backup.
func TestSevenYearsOnLeapDay(t *testing.T) {
	leap := time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC)
	require.Equal(t, time.Date(2035, 2, 28, 12, 0, 0, 0, time.UTC), SevenYears(leap))
	require.Equal(t, SevenYears(leap), Retention{Years: 7}.Until(leap))
	require.Equal(t, SevenYears(leap), Retention{Days: 2556}.Until(leap))
}
