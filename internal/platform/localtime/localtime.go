// Package localtime is how people see and enter times: in their school's
// time zone, in one UK format. The database and the API keep instants
// (RFC 3339); only pages, emails and calendars speak local time.
package localtime

import (
	"errors"
	"fmt"
	"strings"
	"time"

	// The zone database is built in, so a container without /usr/share/zoneinfo
	// still knows when the clocks change.
	_ "time/tzdata"
)

// Default is the zone of a tenant that has not chosen one.
const Default = "Europe/London"

// London is Default, loaded once at start (tzdata is built in, so it
// cannot fail).
var London = mustLoad(Default)

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Load checks an IANA zone name ("Europe/London") and loads it; empty is
// Default. "UTC" and "Local" are refused: a school is somewhere.
func Load(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return London, nil
	}
	if name == "Local" || !strings.Contains(name, "/") {
		return nil, fmt.Errorf("localtime: %q is not a place's time zone", name)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("localtime: %q: %w", name, err)
	}
	return l, nil
}

// Layouts. One date format everywhere: weekday, day, short month, year;
// times on the 24-hour clock.
const (
	dateLayout     = "Mon 2 Jan 2006"
	dateTimeLayout = "Mon 2 Jan 2006, 15:04"
	// InputLayout is the value of an <input type="datetime-local">.
	InputLayout = "2006-01-02T15:04"
	// DayInputLayout is the value of an <input type="date">.
	DayInputLayout = time.DateOnly
)

// DateTime is an instant as a person reads it: "Mon 14 Dec 2026, 18:27".
func DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(dateTimeLayout)
}

// Date is the day of an instant in loc: "Mon 14 Dec 2026".
func Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(dateLayout)
}

// CalendarDate is a date that has no time of day (a birth date, a contract
// date): it is shown as stored, never moved between zones.
func CalendarDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// Input is an instant as the value of a datetime-local field in loc.
func Input(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(InputLayout)
}

// ErrNoSuchTime is a wall-clock time the clocks skip (01:30 on the March
// change in London): there was no such minute, so it is refused rather
// than quietly moved.
var ErrNoSuchTime = errors.New("localtime: that time does not exist on that day: the clocks go forward")

// Parse reads a datetime-local value as wall-clock time in loc. A time in
// the hour the clocks go back happens twice; the first (summer time) is
// taken, as calendar apps do.
func Parse(v string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(InputLayout, strings.TrimSpace(v), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("localtime: %q: %w", v, err)
	}
	if t.Format(InputLayout) != strings.TrimSpace(v) {
		return time.Time{}, ErrNoSuchTime
	}
	// In the hour that happens twice Go may give either; take the first,
	// still in summer time, as calendar apps do.
	if earlier := t.Add(-time.Hour); earlier.Format(InputLayout) == t.Format(InputLayout) {
		return earlier, nil
	}
	return t, nil
}

// Choice is a zone a school may pick, with how people name it.
type Choice struct{ Zone, Label string }

// Choices are the zones of the regions the platform serves (the UK and
// the EEA), by the name a school office knows.
var Choices = []Choice{
	{"Europe/London", "United Kingdom (London)"}, {"Europe/Dublin", "Ireland (Dublin)"},
	{"Europe/Lisbon", "Portugal (Lisbon)"}, {"Atlantic/Madeira", "Portugal (Madeira)"}, {"Atlantic/Azores", "Portugal (Azores)"},
	{"Atlantic/Canary", "Spain (Canary Islands)"}, {"Atlantic/Reykjavik", "Iceland (Reykjavik)"},
	{"Europe/Madrid", "Spain (Madrid)"}, {"Europe/Paris", "France (Paris)"}, {"Europe/Brussels", "Belgium (Brussels)"},
	{"Europe/Amsterdam", "Netherlands (Amsterdam)"}, {"Europe/Luxembourg", "Luxembourg"}, {"Europe/Berlin", "Germany (Berlin)"},
	{"Europe/Zurich", "Liechtenstein and Switzerland (Zurich)"}, {"Europe/Vaduz", "Liechtenstein (Vaduz)"}, {"Europe/Rome", "Italy (Rome)"},
	{"Europe/Malta", "Malta"}, {"Europe/Vienna", "Austria (Vienna)"}, {"Europe/Prague", "Czechia (Prague)"},
	{"Europe/Bratislava", "Slovakia (Bratislava)"}, {"Europe/Budapest", "Hungary (Budapest)"}, {"Europe/Ljubljana", "Slovenia (Ljubljana)"},
	{"Europe/Zagreb", "Croatia (Zagreb)"}, {"Europe/Warsaw", "Poland (Warsaw)"}, {"Europe/Copenhagen", "Denmark (Copenhagen)"},
	{"Europe/Oslo", "Norway (Oslo)"}, {"Europe/Stockholm", "Sweden (Stockholm)"}, {"Europe/Helsinki", "Finland (Helsinki)"},
	{"Europe/Tallinn", "Estonia (Tallinn)"}, {"Europe/Riga", "Latvia (Riga)"}, {"Europe/Vilnius", "Lithuania (Vilnius)"},
	{"Europe/Bucharest", "Romania (Bucharest)"}, {"Europe/Sofia", "Bulgaria (Sofia)"}, {"Europe/Athens", "Greece (Athens)"},
	{"Asia/Nicosia", "Cyprus (Nicosia)"},
}

// Chosen reports whether zone is one of Choices.
func Chosen(zone string) bool {
	for _, c := range Choices {
		if c.Zone == zone {
			return true
		}
	}
	return false
}
