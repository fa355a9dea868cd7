package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Times are the school's local time. A deadline entered as 23:59 on the
// day the clocks go forward (28 March 2027) is 23:59 British Summer Time,
// 22:59 UTC, and shows as 23:59; one entered before the change stays at
// 23:59 on the wall clock too. A minute the clocks skip is refused with
// the reason. When the school moves to another zone, the same instant
// shows on that zone's clock.
func TestLocalTimeInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "lt-")
	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.Narrow = true
	set := func(sel, v string) { b.Run(chromedp.SetValue(sel, v, chromedp.ByQuery)) }
	dueAt := func(title string) time.Time {
		var at time.Time
		require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-check"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT a.due_at FROM assignments a JOIN course_items i ON i.id = a.item_id WHERE i.title = ?`, title).Row().Scan(&at)
		}))
		return at.UTC()
	}

	b.SignIn("tenant-a", c.Teacher.Username, lmstest.Password)
	newAssignment := "/t/tenant-a/sections/" + c.Section.String() + "/assignments/new"
	b.Go(newAssignment, "local-time-set-assignment")
	require.Contains(t, b.Text(`label[for=due_at]`), "UK time", "the form says which clock it reads")
	b.Fill("#title", "Spring poem")
	set("#opens_at", "2027-03-01T09:00")
	set("#due_at", "2027-03-28T01:30")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".error-summary"), "clocks go forward", "01:30 on 28 March 2027 does not exist in London")
	set("#due_at", "2027-03-28T23:59")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "assignment is set")
	require.Equal(t, "2027-03-28T22:59:00Z", dueAt("Spring poem").Format(time.RFC3339), "23:59 BST is 22:59 UTC")
	require.Contains(t, b.Text("main"), "Sun 28 Mar 2027, 23:59")
	require.NotContains(t, b.Text("main"), "UTC")

	// Set in March before the change, due after it: still 23:59 on the clock.
	b.Go(newAssignment, "")
	b.Fill("#title", "Easter diary")
	set("#opens_at", "2027-03-01T09:00")
	set("#due_at", "2027-04-20T23:59")
	b.Submit(`main form button[type=submit]`, "")
	require.Equal(t, "2027-04-20T22:59:00Z", dueAt("Easter diary").Format(time.RFC3339))
	require.Contains(t, b.Text("main"), "Tue 20 Apr 2027, 23:59")
	// The change form offers the same wall-clock time back.
	b.Submit(`//a[contains(., "Change the assignment")]`, "")
	var v string
	b.Run(chromedp.Value("#due_at", &v, chromedp.ByQuery))
	require.Equal(t, "2027-04-20T23:59", v)
	b.SignOut()

	// The school's admin moves it to Paris time; the same instants show
	// on Paris clocks.
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/tenant-a/admin/time-zone", "local-time-zone")
	b.Run(chromedp.SetValue("#time_zone", "Europe/Paris", chromedp.ByQuery))
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "Saved")
	b.SignOut()
	b.SignIn("tenant-a", c.Teacher.Username, lmstest.Password)
	b.Go("/t/tenant-a/courses/"+c.ID.String(), "")
	b.Submit(`//a[contains(., "Easter diary")]`, "")
	require.Contains(t, b.Text("main"), "Wed 21 Apr 2027, 00:59", "22:59 UTC is 00:59 the next day in Paris summer time")
	b.Submit(`//a[contains(., "Change the assignment")]`, "")
	require.Contains(t, b.Text(`label[for=due_at]`), "Paris time")
	b.Run(chromedp.Value("#due_at", &v, chromedp.ByQuery))
	require.Equal(t, "2027-04-21T00:59", v)
}

// In a trust whose school keeps its own zone, a page about one of its
// courses speaks the school's time whoever opens it: the tenant-wide
// admin's form says Paris time and reads 23:59 as the school's 23:59;
// their other pages stay in the trust's time.
func TestCoursePagesSpeakTheirSchoolsTime(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "sz-")
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE schools SET time_zone = 'Europe/Paris' WHERE id = ?`, c.School).Error
	}))
	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/tenant-a/sections/"+c.Section.String()+"/assignments/new", "")
	require.Contains(t, b.Text(`label[for=due_at]`), "Paris time")
	b.Fill("#title", "Poème de printemps")
	b.Run(chromedp.SetValue("#due_at", "2027-04-20T23:59", chromedp.ByQuery))
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "assignment is set")
	require.Contains(t, b.Text("main"), "Tue 20 Apr 2027, 23:59")
	var due time.Time
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-check"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT a.due_at FROM assignments a JOIN course_items i ON i.id = a.item_id WHERE i.title = ?`, "Poème de printemps").Row().Scan(&due)
	}))
	require.Equal(t, "2027-04-20T21:59:00Z", due.UTC().Format(time.RFC3339), "23:59 in Paris summer time")
	// Away from the course, the admin's pages are in the trust's time.
	b.Go("/t/tenant-a/admin/time-zone", "")
	require.Contains(t, b.Text("main"), "United Kingdom (London)")
}
