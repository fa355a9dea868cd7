package rostersync

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// ParseTimeOfDay reads "06:00" (24-hour clock) as minutes after midnight;
// "" is no time (nil).
func ParseTimeOfDay(v string) (*int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse("15:04", v)
	if err != nil {
		return nil, fmt.Errorf("rostersync: time of day %q: %w", v, err)
	}
	m := t.Hour()*60 + t.Minute()
	return &m, nil
}

// TimeOfDay writes minutes after midnight as "06:00" ("" for nil).
func TimeOfDay(m *int) string {
	if m == nil {
		return ""
	}
	return fmt.Sprintf("%02d:%02d", *m/60, *m%60)
}

// due says whether a schedule lets a run start at now, given when the
// last run finished (nil: never) and the tenant's zone.
func due(sch Schedule, loc *time.Location, now time.Time, last *time.Time) bool {
	switch {
	case sch.AtMinute != nil:
		// Once a day, at or after the time of day: today's time has come
		// and no run finished since.
		from := dayAt(now, loc, *sch.AtMinute)
		return !now.Before(from) && (last == nil || last.Before(from))
	case sch.EveryHours > 0:
		return last == nil || now.Sub(*last) >= time.Duration(sch.EveryHours)*time.Hour
	}
	return true
}

// dayAt is the instant the wall clock in loc first reads minute (after
// midnight) on now's local day. On the day the clocks go forward a time
// in the skipped hour is the end of the gap (the first minute after it);
// on the day they go back a time in the repeated hour is its first
// occurrence, still in summer time.
func dayAt(now time.Time, loc *time.Location, minute int) time.Time {
	y, m, d := now.In(loc).Date()
	t := time.Date(y, m, d, minute/60, minute%60, 0, 0, loc)
	if l := t.In(loc); l.Hour()*60+l.Minute() != minute || l.Day() != d {
		// In the gap: walk from before it to the first minute at or past
		// the time (at most the gap's length, an hour or two).
		for t = t.Add(-3 * time.Hour).Truncate(time.Minute); ; t = t.Add(time.Minute) {
			if l := t.In(loc); l.Day() == d && l.Hour()*60+l.Minute() >= minute {
				return t
			}
		}
	}
	if earlier := t.Add(-time.Hour); earlier.In(loc).Format("15:04") == t.In(loc).Format("15:04") {
		return earlier
	}
	return t
}

// tenantZone is the tenant's time zone (Europe/London unless it chose
// another).
func tenantZone(tx *gorm.DB) (*time.Location, error) {
	var name string
	if err := tx.Raw(`SELECT time_zone FROM tenants WHERE id = app_tenant_id()`).Scan(&name).Error; err != nil {
		return nil, fmt.Errorf("rostersync: time zone: %w", err)
	}
	loc, err := localtime.Load(name)
	if err != nil {
		return localtime.London, nil // a zone this build no longer knows: the default
	}
	return loc, nil
}
