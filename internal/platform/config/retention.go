package config

import (
	"errors"
	"regexp"
	"strconv"
	"time"
)

// MaxBackupYears is the longest any backup is kept (invariant 5).
const MaxBackupYears = 7

// Retention is a calendar period: years, months and days.
type Retention struct{ Years, Months, Days int }

// Until is when something made at t expires, never more than seven years
// after t: the cap holds whatever the configuration said.
func (r Retention) Until(t time.Time) time.Time {
	until, limit := t.AddDate(r.Years, r.Months, r.Days), t.AddDate(MaxBackupYears, 0, 0)
	if until.After(limit) {
		return limit
	}
	return until
}

var retentionRE = regexp.MustCompile(`^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)d)?$`)

// ParseRetention reads "7y", "1y6m", "90d"; more than seven years (from
// any day: 7y1d, 2558d) is refused.
func ParseRetention(s string) (Retention, error) {
	m := retentionRE.FindStringSubmatch(s)
	if s == "" || m == nil {
		return Retention{}, errors.New(`must be a period like "1y", "6m", "90d" or "1y6m"`)
	}
	n := func(v string) int { i, _ := strconv.Atoi(v); return i }
	r := Retention{Years: n(m[1]), Months: n(m[2]), Days: n(m[3])}
	if r.Years > 100 || r.Months > 1200 || r.Days > 40000 {
		return Retention{}, errors.New("is too long: backups are kept at most 7 years")
	}
	// The longest the period can be: from the day before a leap day.
	for _, from := range []time.Time{time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(2028, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)} {
		if from.AddDate(r.Years, r.Months, r.Days).After(from.AddDate(MaxBackupYears, 0, 0)) {
			return Retention{}, errors.New("is more than 7 years: backups are kept at most 7 years")
		}
	}
	if r.Years+r.Months+r.Days == 0 {
		return Retention{}, errors.New("must be at least one day")
	}
	return r, nil
}
