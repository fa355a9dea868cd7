package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

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
