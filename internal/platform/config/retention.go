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
	until, limit := r.after(t), SevenYears(t)
	if until.After(limit) {
		return limit
	}
	return until
}

// after adds the period to t as PostgreSQL adds an interval: years and
// months first, keeping to the month's last day (29 February + 1 year is
// 28 February, where Go's AddDate runs on to 1 March), then days.
func (r Retention) after(t time.Time) time.Time {
	y, m, d := t.Date()
	months := int(m) - 1 + r.Months + 12*r.Years
	ny, nm := y+months/12, time.Month(months%12+1)
	last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, t.Location()).Day()
	hh, mm, ss := t.Clock()
	return time.Date(ny, nm, min(d, last), hh, mm, ss, t.Nanosecond(), t.Location()).AddDate(0, 0, r.Days)
}

// SevenYears is seven years after t as PostgreSQL counts them, so the
// code's cap and the catalogue's CHECK agree.
func SevenYears(t time.Time) time.Time { return Retention{Years: MaxBackupYears}.after(t) }

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
	// Longer than seven years from any day? The calendar repeats every 400
	// years; the leap-year pattern that matters, every 28 within this
	// century, so every start day of 28 years is tried.
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 28*366; i++ {
		day := from.AddDate(0, 0, i)
		if r.after(day).After(SevenYears(day)) {
			return Retention{}, errors.New("is more than 7 years: backups are kept at most 7 years")
		}
	}
	if r.Years+r.Months+r.Days == 0 {
		return Retention{}, errors.New("must be at least one day")
	}
	return r, nil
}
