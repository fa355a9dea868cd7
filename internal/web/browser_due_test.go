package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	ical "github.com/emersion/go-ical"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// fetchFeed gets a calendar feed over HTTP: its status and, when 200, the
// calendar as a different iCalendar library than the one that wrote it
// reads it.
func fetchFeed(t *testing.T, address string) (int, *ical.Calendar, string) {
	t.Helper()
	res, err := http.Get(address)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, nil, string(body)
	}
	require.Contains(t, res.Header.Get("Content-Type"), "text/calendar")
	cal, err := ical.NewDecoder(strings.NewReader(string(body))).Decode()
	require.NoError(t, err, "the feed parses as iCalendar:\n%s", body)
	return res.StatusCode, cal, string(body)
}

// eventStart finds the event whose summary is summary and returns its start.
func eventStart(t *testing.T, cal *ical.Calendar, summary string) time.Time {
	t.Helper()
	for _, ev := range cal.Events() {
		if s, _ := ev.Props.Text(ical.PropSummary); s == summary {
			at, err := ev.DateTimeStart(time.UTC)
			require.NoError(t, err)
			return at
		}
	}
	t.Fatalf("no event %q in the feed", summary)
	return time.Time{}
}

// What is due, in the browser: a teacher sets an assignment due 23:59 on
// the day the clocks go forward and puts an event on the course calendar;
// the learner's To do sorts their work into overdue, due soon, missing and
// returned; the calendar shows it as an agenda and as a month; the learner
// subscribes, and the feed, read by another iCalendar library, carries the
// deadline as the instant 23:59 British Summer Time is; a new address stops
// the old one and stopping it stops it; the feeds of a suspended or a
// restricted person answer 404. The teacher's To mark counts what is
// waiting. Every page is checked with axe and at 375 px.
func TestWhatIsDueInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "due-")
	ctx := context.Background()
	teacher, learner := fx.Teacher.Scope(e.A.ID), fx.Learner.Scope(e.A.ID)
	day := 24 * time.Hour
	now := time.Now()
	set := func(title string, opens, dueIn time.Duration, closes *time.Time) assignment.Assignment {
		yes := true
		a, err := e.App.Assignments.Create(ctx, teacher, fx.ID, assignment.NewAssignment{SectionID: fx.Section, Title: title,
			OpensAt: ptrTo(now.Add(opens)), DueAt: now.Add(dueIn), ClosesAt: closes, MaxScore: 20, Published: &yes})
		require.NoError(t, err)
		return a
	}
	set("Volcano poster", -day, 2*day, nil)
	set("River poem", -3*day, -time.Hour, ptrTo(now.Add(3*day)))
	set("Lost diary", -5*day, -2*day, nil)
	marked := set("Rock diary", -day, day, nil)
	sub, err := e.App.Assignments.Submit(ctx, learner, marked.ID, assignment.SubmissionInput{Body: "Granite and chalk"})
	require.NoError(t, err)
	_, err = e.App.Assignments.SetMark(ctx, teacher, sub.ID, assignment.MarkInput{Score: ptrTo(17.0), Feedback: "Lovely", Released: ptrTo(true)})
	require.NoError(t, err)
	waiting := set("Map homework", -day, day, nil)
	_, err = e.App.Assignments.Submit(ctx, fx.Learner2.Scope(e.A.ID), waiting.ID, assignment.SubmissionInput{Body: "My map"})
	require.NoError(t, err)

	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.Narrow = true
	setDate := func(sel string, at time.Time) {
		b.Run(chromedp.SetValue(sel, at.In(localtime.London).Format("2006-01-02T15:04"), chromedp.ByQuery))
	}

	// The teacher sets work due 23:59 on 28 March 2027, the day the clocks
	// go forward, and adds a class trip to the calendar.
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go("/t/tenant-a/sections/"+fx.Section.String()+"/assignments/new", "")
	b.Fill("#title", "Clocks essay")
	b.Run(chromedp.SetValue("#due_at", "2027-03-28T23:59", chromedp.ByQuery))
	b.Fill("#max_score", "10")
	var shown bool
	b.Run(chromedp.Evaluate(`document.querySelector("#published").checked`, &shown))
	require.True(t, shown, "shown to learners by default")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "assignment is set")
	b.Go("/t/tenant-a/to-mark", "due-to-mark")
	require.Contains(t, b.Text("main table"), "Map homework")
	require.Contains(t, b.Text("main table"), "1 of 1 handed in")
	require.NotContains(t, b.Text("main table"), "Rock diary", "marked work is not waiting")
	b.Go("/t/tenant-a/calendar", "")
	b.Submit(`//a[.="Add an event"]`, "due-event-new")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".error-summary"), "There is a problem")
	b.Fill("#title", "Trip to the museum")
	setDate("#starts_at", now.Add(3*day))
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text("main"), "Trip to the museum")
	b.SignOut()

	// The learner's To do.
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	b.Go("/t/tenant-a/todo", "due-todo")
	section := func(id string) string { return b.Text(`section[aria-labelledby="` + id + `"]`) }
	require.Contains(t, section("todo-overdue"), "River poem")
	require.Contains(t, section("todo-overdue"), "You can still hand it in until")
	require.Contains(t, section("todo-due"), "Volcano poster")
	require.NotContains(t, section("todo-due"), "Clocks essay", "not due within the week")
	require.Contains(t, section("todo-missing"), "Lost diary")
	require.Contains(t, section("todo-marked"), "Rock diary")
	require.Contains(t, section("todo-marked"), "17 out of 20")

	// The calendar: the agenda by default, then the month.
	b.Submit(`//a[.="the calendar"]`, "due-calendar-agenda")
	require.Contains(t, b.Text("main"), "Volcano poster")
	b.Go("/t/tenant-a/calendar?month=2027-03", "")
	require.Contains(t, b.Text("#d-2027-03-28"), "28 Mar 2027, 23:59", "the wall-clock time the teacher entered")
	b.Submit(`//a[.="Month"]`, "due-calendar-month")
	require.Contains(t, b.Text("table.cal-month"), "1 on Sun 28 Mar 2027")
	require.Contains(t, b.Text("main"), "Clocks essay")

	// Subscribe: the address is shown once.
	b.Go("/t/tenant-a/calendar/subscribe", "")
	b.Submit(`//button[.="Make my address"]`, "due-feed")
	var address string
	b.Run(chromedp.Value("#feed-address", &address, chromedp.ByQuery))
	require.True(t, strings.HasPrefix(address, e.Server.URL+"/t/tenant-a/calendar/feed/"), address)
	status, cal, text := fetchFeed(t, address)
	require.Equal(t, 200, status)
	due := eventStart(t, cal, "Due: Clocks essay")
	require.Equal(t, time.Date(2027, 3, 28, 22, 59, 0, 0, time.UTC), due, "23:59 BST is 22:59Z")
	require.Equal(t, now.Add(2*day).Truncate(time.Second).Unix(), eventStart(t, cal, "Due: Volcano poster").Unix())
	eventStart(t, cal, "Trip to the museum")
	require.Contains(t, text, "due- course")
	require.Contains(t, text, "\r\n", "lines end CRLF")
	require.NotContains(t, text, "Lovely", "no feedback in the feed")
	require.NotContains(t, text, "SCORE", "no marks in the feed")
	require.NotContains(t, text, "due- learner2", "nobody else in the feed")
	// The same token under tenant B's address finds nothing.
	status, _, _ = fetchFeed(t, strings.Replace(address, "/t/tenant-a/", "/t/tenant-b/", 1))
	require.Equal(t, 404, status)

	// A new address stops the old one; stopping stops the new one.
	b.Submit(`//button[.="Make a new address"]`, "")
	var second string
	b.Run(chromedp.Value("#feed-address", &second, chromedp.ByQuery))
	require.NotEqual(t, address, second)
	status, _, _ = fetchFeed(t, address)
	require.Equal(t, 404, status, "the old address stopped")
	status, _, _ = fetchFeed(t, second)
	require.Equal(t, 200, status)
	b.Submit(`//button[.="Stop my calendar address"]`, "")
	require.Contains(t, b.Text(".flash"), "no longer shows your calendar")
	status, _, _ = fetchFeed(t, second)
	require.Equal(t, 404, status, "stopped")

	// Feeds of people suspended or restricted answer 404.
	for _, how := range []string{`status = 'suspended'`, `restricted_at = now()`} {
		token, err := e.App.Due.NewFeed(ctx, fx.Learner2.Scope(e.A.ID))
		require.NoError(t, err)
		feed := e.Server.URL + "/t/tenant-a/calendar/feed/" + token + ".ics"
		status, _, _ = fetchFeed(t, feed)
		require.Equal(t, 200, status)
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE people SET `+how+` WHERE id = ?`, fx.Learner2.ID).Error
		}))
		status, _, _ = fetchFeed(t, feed)
		require.Equal(t, 404, status, how)
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE people SET status = 'active', restricted_at = NULL WHERE id = ?`, fx.Learner2.ID).Error
		}))
	}
}

func ptrTo[T any](v T) *T { return &v }
