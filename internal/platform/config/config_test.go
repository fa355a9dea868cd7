package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
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
