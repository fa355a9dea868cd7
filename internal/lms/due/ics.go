package due

import (
	"time"

	ics "github.com/arran4/golang-ical"
)

// Summary is how an entry is named on a calendar: what it is and its title.
func (e Entry) Summary() string {
	switch e.Kind {
	case KindAssignment:
		return "Due: " + e.Title
	case KindQuiz:
		return "Quiz: " + e.Title
	}
	return e.Title
}

// ICS writes entries as an iCalendar document (RFC 5545) named name: per
// entry its summary, its times as instants (UTC), its course's name and
// the link to it (link makes the absolute address). Nothing else: no
// marks, no other people. host makes each event's stable UID.
func ICS(name, host string, entries []Entry, now time.Time, link func(Entry) string) string {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//School Cloud//What is due//EN")
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	for _, e := range entries {
		ev := cal.AddEvent(string(e.Kind) + "-" + e.ID.String() + "@" + host)
		ev.SetDtStampTime(now)
		ev.SetStartAt(e.Starts)
		if e.Ends != nil {
			ev.SetEndAt(*e.Ends)
		} else {
			ev.SetEndAt(e.Starts)
		}
		ev.SetSummary(e.Summary())
		ev.SetDescription(e.CourseTitle)
		if u := link(e); u != "" {
			ev.SetURL(u)
		}
	}
	// RFC 5545 lines end CRLF, whatever the server's system.
	return cal.Serialize(ics.WithNewLineWindows)
}
