package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Backups run at 02:00 UTC whatever the time the leader started.
func TestDailyAtIsAWallClockTime(t *testing.T) {
	d := dailyAt{hour: 2}
	at := func(s string) time.Time { v, err := time.Parse(time.RFC3339, s); require.NoError(t, err); return v }
	require.Equal(t, at("2026-12-02T02:00:00Z"), d.Next(at("2026-12-02T01:59:59Z")))
	require.Equal(t, at("2026-12-03T02:00:00Z"), d.Next(at("2026-12-02T02:00:00Z")))
	require.Equal(t, at("2026-12-03T02:00:00Z"), d.Next(at("2026-12-02T23:30:00+01:00")), "any zone, read in UTC")
	require.Equal(t, at("2027-01-01T02:00:00Z"), d.Next(at("2026-12-31T12:00:00Z")))
}
