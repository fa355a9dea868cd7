package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/due"
	"github.com/schoolcloud/lms/internal/lms/gradebook"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// duePages are what is due: a learner's To do, a teacher's To mark, the
// calendar (agenda and month), course events, and the private calendar
// feed with its page.
func (s *Site) duePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/todo", Summary: "To do: my work due soon, overdue, missing and returned",
			Area: request.AreaTenant, Object: "todo", Action: "read", Handler: s.serve(s.todoPage)},
		{Method: "GET", Path: tp + "/to-mark", Summary: "To mark: work handed in and not marked yet, per assignment",
			Area: request.AreaTenant, Object: "to-mark", Action: "read", Handler: s.serve(s.toMarkPage)},
		{Method: "GET", Path: tp + "/calendar", Summary: "Calendar of due dates, quiz windows and course events (agenda or month)",
			Area: request.AreaTenant, Object: "calendar", Action: "read", Handler: s.serve(s.calendarPage)},
		{Method: "GET", Path: tp + "/calendar/events/new", Summary: "Put an event on a course's calendar (its teachers)",
			Area: request.AreaTenant, Object: "course-event", Action: "read", Handler: s.serve(s.eventForm)},
		{Method: "POST", Path: tp + "/calendar/events", Summary: "Save an event on a course's calendar",
			Area: request.AreaTenant, Object: "course-event", Action: "write", Handler: s.serve(s.addEvent)},
		{Method: "POST", Path: tp + "/calendar/events/delete", Summary: "Take an event off a course's calendar",
			Area: request.AreaTenant, Object: "course-event", Action: "write", Handler: s.serve(s.deleteEvent)},
		{Method: "GET", Path: tp + "/calendar/subscribe", Summary: "Subscribe to my calendar in a calendar app",
			Area: request.AreaTenant, Object: "calendar", Action: "read", Handler: s.serve(s.feedPage)},
		{Method: "POST", Path: tp + "/calendar/subscribe", Summary: "Make a new private calendar address (the old one stops)",
			Area: request.AreaTenant, Object: "calendar", Action: "write", Handler: s.serve(s.newFeed)},
		{Method: "POST", Path: tp + "/calendar/subscribe/stop", Summary: "Stop my private calendar address",
			Area: request.AreaTenant, Object: "calendar", Action: "write", Handler: s.serve(s.stopFeed)},
		// The feed: calendar apps fetch it without signing in; the token
		// in the address finds the person within the tenant.
		{Method: "GET", Path: tp + "/calendar/feed/:token", Summary: "A person's private calendar feed (iCalendar)",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.feed)},
	}
}

type todoData struct {
	Base                          string
	Empty                         bool
	Due, Overdue, Missing, Marked []todoRow
}

// todoRow is an item of To do with its link and its mark in words.
type todoRow struct {
	due.Item
	Href, Score, Max string
}

func todoRows(b string, items []due.Item) []todoRow {
	out := []todoRow{}
	for _, it := range items {
		r := todoRow{Item: it, Href: b + "/assignments/" + it.ID.String()}
		if it.Kind == due.KindQuiz {
			r.Href = b + "/courses/" + it.CourseID.String() + "/quizzes"
		}
		if it.Score != nil {
			r.Score, r.Max = gradebook.Number(*it.Score), gradebook.Number(it.MaxScore)
		}
		out = append(out, r)
	}
	return out
}

func (s *Site) todoPage(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	l, err := s.d.Due.ForLearner(c.Request.Context(), sc, sc.Actor().ID, s.now())
	b := base(c)
	d := todoData{Base: b, Empty: l.Empty(), Due: todoRows(b, l.Due), Overdue: todoRows(b, l.Overdue),
		Missing: todoRows(b, l.Missing), Marked: todoRows(b, l.Marked)}
	return show("todo", view{Title: "To do", Data: d}), err
}

func (s *Site) toMarkPage(c *gin.Context) (page, error) {
	rows, err := s.d.Due.ToMark(c.Request.Context(), request.Scope(c))
	return show("to_mark", view{Title: "To mark", Data: map[string]any{"Base": base(c), "Rows": rows}}), err
}

// calDay is one day of the calendar with its entries.
type calDay struct {
	Date    time.Time // midnight, local
	Key     string    // 2006-01-02, the agenda's anchor
	InMonth bool
	Today   bool
	Entries []due.Entry
}

type calendarData struct {
	Base        string
	Month       bool // the month view (else the agenda)
	Title       string
	Prev, Next  string // ?month= of the months around
	This        string
	Weeks       [][]calDay
	Days        []calDay // days with entries, for the agenda
	Empty       bool
	CanAddEvent bool
}

// monthOf reads ?month=2026-03 in loc (this month when absent or wrong).
func monthOf(c *gin.Context, now time.Time, loc *time.Location) time.Time {
	if m, err := time.ParseInLocation("2006-01", c.Query("month"), loc); err == nil {
		return m
	}
	n := now.In(loc)
	return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
}

func (s *Site) calendarPage(c *gin.Context) (page, error) {
	loc := s.zone(c)
	now := s.now()
	first := monthOf(c, now, loc)
	next := first.AddDate(0, 1, 0)
	entries, err := s.d.Due.Calendar(c.Request.Context(), request.Scope(c), first, next)
	if err != nil {
		return page{}, err
	}
	byDay := map[string][]due.Entry{}
	for _, e := range entries {
		k := e.Starts.In(loc).Format(time.DateOnly)
		byDay[k] = append(byDay[k], e)
	}
	today := now.In(loc).Format(time.DateOnly)
	d := calendarData{Base: base(c), Month: c.Query("view") == "month", Title: first.Format("January 2006"),
		Prev: first.AddDate(0, -1, 0).Format("2006-01"), Next: next.Format("2006-01"), This: first.Format("2006-01"),
		Empty: len(entries) == 0}
	d.CanAddEvent = s.allowed(c, request.Principal(c), "course-event", "write")
	for day := first; day.Before(next); day = day.AddDate(0, 0, 1) {
		k := day.Format(time.DateOnly)
		if len(byDay[k]) > 0 {
			d.Days = append(d.Days, calDay{Date: day, Key: k, InMonth: true, Today: k == today, Entries: byDay[k]})
		}
	}
	// Weeks run Monday to Sunday, from the Monday on or before the 1st.
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	for wk := start; wk.Before(next); wk = wk.AddDate(0, 0, 7) {
		var week []calDay
		for i := 0; i < 7; i++ {
			day := wk.AddDate(0, 0, i)
			k := day.Format(time.DateOnly)
			week = append(week, calDay{Date: day, Key: k, InMonth: day.Month() == first.Month(), Today: k == today, Entries: byDay[k]})
		}
		d.Weeks = append(d.Weeks, week)
	}
	return show("calendar", view{Title: "Calendar", Data: d}), nil
}

// eventFields are the event form's fields in page order.
var eventFields = []string{"course", "title", "starts_at", "ends_at"}

func (s *Site) eventForm(c *gin.Context) (page, error) {
	return s.showEventForm(c, http.StatusOK, view{Form: map[string]string{"course": c.Query("course")}})
}

func (s *Site) showEventForm(c *gin.Context, status int, v view) (page, error) {
	courses, err := s.d.Due.Teaching(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Add an event", eventFields
	v.Data = map[string]any{"Base": base(c), "Courses": courses}
	return page{status: status, name: "calendar_event", view: v}, nil
}

func (s *Site) addEvent(c *gin.Context) (page, error) {
	form := posted(c, eventFields...)
	loc := s.zone(c)
	fe := map[string]string{}
	in := due.NewEvent{Title: form["title"]}
	if id, err := uuid.Parse(form["course"]); err == nil {
		in.CourseID = id
	} else {
		fe["course"] = "Choose a course"
	}
	in.StartsAt = localTime(fe, "starts_at", form["starts_at"], loc)
	if form["ends_at"] != "" {
		t := localTime(fe, "ends_at", form["ends_at"], loc)
		in.EndsAt = &t
	}
	if form["title"] == "" {
		fe["title"] = "Enter a title"
	}
	if len(fe) > 0 {
		return s.showEventForm(c, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	e, err := s.d.Due.AddEvent(c.Request.Context(), request.Scope(c), in)
	if m, ferr := formOutcome(err, map[string]string{"course_id": "course", "title": "title", "starts_at": "starts_at", "ends_at": "ends_at"}); m != nil {
		m = labelled(m, map[string]string{"title": "The title", "starts_at": "The start", "ends_at": "The end", "course": "The course"})
		return s.showEventForm(c, http.StatusBadRequest, view{Form: form, Errors: m})
	} else if errors.Is(ferr, errs.ErrNotFound) || errors.Is(ferr, errs.ErrForbidden) {
		// A course that is not one, or not one of theirs: the form says so.
		return s.showEventForm(c, http.StatusBadRequest, view{Form: form, Errors: map[string]string{"course": "Choose one of the courses you teach"}})
	} else if ferr != nil {
		return page{}, ferr
	}
	return goTo(fmt.Sprintf("%s/calendar?month=%s&done=created", base(c), e.StartsAt.In(loc).Format("2006-01"))), nil
}

// deleteEvent takes the event the form names (event=) off its calendar.
func (s *Site) deleteEvent(c *gin.Context) (page, error) {
	f := posted(c, "event", "month")
	id, err := uuid.Parse(f["event"])
	if err != nil {
		return page{}, errs.New(errs.ErrNotFound, "There is no such event.")
	}
	back := base(c) + "/calendar?done=saved"
	if _, err := time.Parse("2006-01", f["month"]); err == nil {
		back += "&month=" + f["month"]
	}
	return goTo(back), s.d.Due.DeleteEvent(c.Request.Context(), request.Scope(c), id)
}

type feedData struct {
	Base    string
	Feed    due.Feed
	Address string // shown once, when made
	Stopped bool
}

func (s *Site) feedPage(c *gin.Context) (page, error) {
	f, err := s.d.Due.GetFeed(c.Request.Context(), request.Scope(c))
	v := view{Title: "Subscribe in your calendar app", Data: feedData{Base: base(c), Feed: f, Stopped: c.Query("stopped") != ""}}
	if c.Query("stopped") != "" {
		v.Flash = "Stopped: that address no longer shows your calendar."
	}
	return show("calendar_feed", v), err
}

// newFeed makes a new address and shows it on this one page: only its
// hash is kept, so it cannot be shown again.
func (s *Site) newFeed(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	token, err := s.d.Due.NewFeed(c.Request.Context(), sc)
	if err != nil {
		return page{}, err
	}
	f, err := s.d.Due.GetFeed(c.Request.Context(), sc)
	addr := origin(c) + base(c) + "/calendar/feed/" + token + ".ics"
	v := view{Title: "Subscribe in your calendar app", Flash: "Your new address is below. Any address you made before has stopped.",
		Data: feedData{Base: base(c), Feed: f, Address: addr}}
	return show("calendar_feed", v), err
}

func (s *Site) stopFeed(c *gin.Context) (page, error) {
	err := s.d.Due.StopFeed(c.Request.Context(), request.Scope(c))
	return goTo(base(c) + "/calendar/subscribe?stopped=1"), err
}

// origin is the scheme and host the browser used, for an address to copy
// into a calendar app.
func origin(c *gin.Context) string {
	scheme := "https"
	if c.Request.TLS == nil && c.GetHeader("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	return scheme + "://" + c.Request.Host
}

// Feed window: what a calendar app holds, from two months back to a year
// ahead.
const (
	feedBack  = 62 * 24 * time.Hour
	feedAhead = 366 * 24 * time.Hour
)

// feed serves a person's calendar as iCalendar. Unknown, stopped and
// foreign tokens, and the feeds of people suspended, gone or restricted,
// are all the same 404.
func (s *Site) feed(c *gin.Context) (page, error) {
	notFound := errs.New(errs.ErrNotFound, "There is no calendar at this address. Make a new one from the calendar page.")
	token, ok := strings.CutSuffix(c.Param("token"), ".ics")
	if !ok {
		return page{}, notFound
	}
	t, err := s.d.Tenants.BySlug(c.Request.Context(), c.Param("tenant"))
	if err != nil {
		return page{}, notFound
	}
	now := s.now()
	_, entries, err := s.d.Due.FromFeed(c.Request.Context(), t.ID, token, now.Add(-feedBack), now.Add(feedAhead))
	if err != nil {
		if errors.Is(err, errs.ErrNotFound) {
			return page{}, notFound
		}
		return page{}, err
	}
	loc, err := s.d.Tenants.Zone(c.Request.Context(), t.ID)
	if err != nil {
		return page{}, err
	}
	host := c.Request.Host
	link := func(e due.Entry) string {
		b := origin(c) + "/t/" + c.Param("tenant")
		switch e.Kind {
		case due.KindAssignment:
			return b + "/assignments/" + e.ID.String()
		case due.KindQuiz:
			return b + "/courses/" + e.CourseID.String() + "/quizzes"
		}
		return b + "/calendar?month=" + e.Starts.In(loc).Format("2006-01")
	}
	body := due.ICS("School calendar", host, entries, now, link)
	return send(file{contentType: "text/calendar; charset=utf-8", body: []byte(body), cache: "private, max-age=300"}), nil
}
