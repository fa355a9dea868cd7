package localtime

import (
	"errors"
	"testing"
	"time"
)

// A deadline entered as 23:59 on the days the clocks change is 23:59 local
// on that day: the instant moves with the offset, the wall clock does not.
func TestWallClockAcrossTheClocksChanging(t *testing.T) {
	for _, c := range []struct{ in, utc string }{
		{"2026-03-28T23:59", "2026-03-28T23:59:00Z"}, // GMT
		{"2026-03-29T23:59", "2026-03-29T22:59:00Z"}, // the day BST starts
		{"2026-10-25T23:59", "2026-10-25T23:59:00Z"}, // the day BST ends
		{"2026-07-01T09:00", "2026-07-01T08:00:00Z"},
	} {
		got, err := Parse(c.in, London)
		if err != nil {
			t.Fatal(err)
		}
		if got.UTC().Format(time.RFC3339) != c.utc {
			t.Errorf("Parse(%s) = %s, want %s", c.in, got.UTC().Format(time.RFC3339), c.utc)
		}
		if back := Input(got, London); back != c.in {
			t.Errorf("Input(Parse(%s)) = %s", c.in, back)
		}
	}
	// A deadline set in March before the change shows the same wall clock
	// after it.
	due, _ := Parse("2026-04-20T23:59", London)
	if got := DateTime(due, London); got != "Mon 20 Apr 2026, 23:59" {
		t.Errorf("DateTime = %q", got)
	}
}

func TestSkippedMinuteIsRefused(t *testing.T) {
	if _, err := Parse("2026-03-29T01:30", London); !errors.Is(err, ErrNoSuchTime) {
		t.Fatalf("01:30 on 29 March 2026 in London: err = %v, want ErrNoSuchTime", err)
	}
	got, err := Parse("2026-10-25T01:30", London)
	if err != nil {
		t.Fatalf("01:30 on 25 October happens (twice): %v", err)
	}
	if got.UTC().Format(time.RFC3339) != "2026-10-25T00:30:00Z" {
		t.Errorf("the hour that happens twice: got %s, want the first (BST, 00:30Z)", got.UTC().Format(time.RFC3339))
	}
}

func TestLoadRefusesNonPlaces(t *testing.T) {
	for _, bad := range []string{"UTC", "Local", "Mars/Olympus", "../etc/passwd"} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) accepted", bad)
		}
	}
	if l, err := Load(""); err != nil || l.String() != Default {
		t.Errorf("Load(\"\") = %v, %v", l, err)
	}
	if _, err := Load("Europe/Dublin"); err != nil {
		t.Error(err)
	}
}

// Every zone offered loads, in Go and (migration 00037) in PostgreSQL's
// list, so a school's choice never fails.
func TestChoicesLoad(t *testing.T) {
	for _, c := range Choices {
		if _, err := Load(c.Zone); err != nil {
			t.Errorf("%s: %v", c.Zone, err)
		}
	}
}
