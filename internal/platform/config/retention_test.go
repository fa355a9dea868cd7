package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Backups are kept at most seven years: a longer period is refused, from
// any starting day.
func TestParseRetention(t *testing.T) {
	for _, ok := range []string{"7y", "1y", "6m", "90d", "1y6m", "6y11m"} {
		_, err := ParseRetention(ok)
		require.NoError(t, err, ok)
	}
	for _, bad := range []string{"7y1d", "8y", "84m1d", "2558d", "", "0d", "7 years", "-1y", "1w"} {
		_, err := ParseRetention(bad)
		require.Error(t, err, bad)
	}
}
