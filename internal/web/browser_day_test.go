package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/comms/commstest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A school day in the browser, as each person lives it, with axe, the
// 375 px no-sideways-scroll check and the developer-string scan on every
// page visited:
//   - the teacher, in term time before the clocks go forward, sets work due
//     23:59 after they have changed and work due tomorrow; opens To mark
//     and the calendar;
//   - the learner (nine years old) finds tomorrow's work in To do, in the
//     calendar and in a notification; finds the later deadline at 23:59 on
//     the clock; hands in; subscribes a calendar app, whose feed another
//     iCalendar library reads with the right instant, then stops it (404);
//     reads that their parent gives their consents, with no buttons;
//   - the teacher marks and releases; the learner's email, read from the
//     mail catcher, is valid MIME with no line over 998 bytes;
//   - the parent lands on My children and sees the missing work, not the mark;
//   - the admin finds the child in the people search and reads the access
//     log and the time zone page in plain words.
func TestASchoolDayInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "day-")
	mb := commstest.New(t)
	learnerMail := "day-learner-" + uuid.NewString()[:8] + "@example.org"
	const parentPassword = "parent-password-1"
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: "day-parent", DisplayName: "Robin Day", Password: parentPassword})
		if err != nil {
			return err
		}
		if _, err := identity.AssignRoleTx(tx, e.A.ID, p.ID, identity.RoleGuardian, &fx.School); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id) VALUES (?, ?, ?)`, e.A.ID, p.ID, fx.Learner.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE people SET display_name = 'Ada Day', email = ?, birth_date = current_date - interval '9 years' WHERE id = ?`,
			learnerMail, fx.Learner.ID).Error
	}))

	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.Narrow = true
	set := func(sel, v string) { b.Run(chromedp.SetValue(sel, v, chromedp.ByQuery)) }
	newWork := "/t/tenant-a/sections/" + fx.Section.String() + "/assignments/new"
	tomorrow := time.Now().In(localtime.London).Add(20 * time.Hour)

	// The teacher's morning.
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go(newWork, "day-teacher-set-work")
	b.Fill("#title", "Easter diary")
	set("#opens_at", "2027-03-01T09:00")
	set("#due_at", "2027-04-20T23:59")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "assignment is set")
	b.Go(newWork, "")
	b.Fill("#title", "Pond survey")
	set("#due_at", tomorrow.Format(localtime.InputLayout))
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "assignment is set")
	pondSurvey := strings.SplitN(b.Path(), "?", 2)[0]
	b.Go(newWork, "")
	b.Fill("#title", "Leaf rubbing")
	set("#due_at", tomorrow.Format(localtime.InputLayout))
	b.Submit(`main form button[type=submit]`, "")
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		// Set last week, due yesterday, and nobody handed it in.
		return tx.Exec(`UPDATE assignments SET opens_at = now() - interval '7 days', due_at = now() - interval '1 day'
			WHERE item_id IN (SELECT id FROM course_items WHERE title = 'Leaf rubbing')`).Error
	}))
	b.Go("/t/tenant-a/to-mark", "day-teacher-to-mark")
	b.Go("/t/tenant-a/calendar", "day-teacher-calendar")
	require.Contains(t, b.Text("main"), "Pond survey")
	b.SignOut()

	// Overnight the due job tells the learner what is due within 24 hours.
	_, err := e.App.Notify.Due(ctx, e.A.ID, time.Now())
	require.NoError(t, err)

	// The learner's day.
	b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
	require.Contains(t, b.Text("nav"), "Notifications (")
	b.Go("/t/tenant-a/todo", "day-learner-todo")
	require.Contains(t, b.Text(`section[aria-labelledby="todo-due"]`), "Pond survey")
	require.Contains(t, b.Text(`section[aria-labelledby="todo-missing"]`), "Leaf rubbing")
	b.Go("/t/tenant-a/calendar", "day-learner-agenda")
	require.Contains(t, b.Text("main"), "Pond survey")
	b.Go("/t/tenant-a/calendar?month=2027-04", "")
	require.Contains(t, b.Text("#d-2027-04-20"), "20 Apr 2027, 23:59", "set before the clocks changed, due 23:59 on the clock after")
	b.Submit(`//a[.="Month"]`, "day-learner-month")
	require.Contains(t, b.Text("main"), "Easter diary")
	b.Go("/t/tenant-a/notifications", "day-learner-notifications")
	require.Contains(t, b.Text("main"), "Pond survey")
	b.Go(pondSurvey, "")
	b.Fill("#body", "Frogspawn by the reeds, a heron on the bank.")
	b.Submit(`form[data-upload] button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "handed in")

	// The calendar app.
	b.Go("/t/tenant-a/calendar/subscribe", "day-learner-subscribe")
	b.Submit(`//button[.="Make my address"]`, "")
	var address string
	b.Run(chromedp.Value("#feed-address", &address, chromedp.ByQuery))
	status, cal, _ := fetchFeed(t, address)
	require.Equal(t, 200, status)
	require.Equal(t, time.Date(2027, 4, 20, 22, 59, 0, 0, time.UTC), eventStart(t, cal, "Due: Easter diary"), "23:59 BST is 22:59Z")
	b.Submit(`//button[.="Stop my calendar address"]`, "")
	status, _, _ = fetchFeed(t, address)
	require.Equal(t, 404, status, "refused once stopped")

	// Consents are the parent's to give.
	b.Go("/t/tenant-a/my/privacy", "day-learner-privacy")
	require.Contains(t, b.Text("main"), "your parent or carer gives or withdraws these consents")
	var buttons int
	b.Run(chromedp.Evaluate(`document.querySelectorAll('form[action$="/my/privacy/consents"] button').length`, &buttons))
	require.Zero(t, buttons)
	b.SignOut()

	// The teacher marks and releases; the learner is emailed.
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go(pondSurvey, "")
	b.Submit(`//a[normalize-space(.)="Ada Day"]`, "day-teacher-mark")
	b.Fill("#score", "9")
	b.Fill("#feedback", "Lovely detail: the heron is a predator of the pond.")
	b.Submit(`//button[contains(., "Save")]`, "")
	b.Go(pondSurvey, "")
	b.Run(chromedp.Click(`input[aria-label="Release the mark of Ada Day"]`, chromedp.ByQuery))
	b.Submit(`//button[contains(., "Release marks to the ticked learners")]`, "")
	require.Contains(t, b.Text("main"), "Released (1)")
	b.SignOut()
	_, err = e.App.Comms.Deliver(ctx, e.A.ID)
	require.NoError(t, err)
	var feedbackMail commstest.Parsed
	for _, raw := range mb.Wait(learnerMail, 1) {
		if p := commstest.Check(t, raw); strings.Contains(p.Subject, "Pond survey") {
			feedbackMail = p
		}
	}
	require.Contains(t, feedbackMail.Text, "the heron is a predator", "the feedback email, valid MIME, lines of at most 998 bytes")

	// The parent's evening.
	b.SignIn("tenant-a", "day-parent", parentPassword)
	require.Equal(t, "/t/tenant-a/my/children", b.Path(), "a parent lands on My children")
	b.Page("day-parent-children")
	main := b.Text("main")
	require.Contains(t, main, "Ada Day")
	require.Contains(t, main, "Leaf rubbing", "missing work")
	require.NotContains(t, main, "9 out of 10", "marks only if the school shows them")
	require.NotContains(t, main, fx.Learner2.Username)
	b.SignOut()

	// The school office.
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/tenant-a/admin/people?q=Ada", "day-admin-people")
	require.Contains(t, b.Text("main"), "Ada Day")
	b.Go("/t/tenant-a/admin/access-log", "day-admin-access-log")
	b.Go("/t/tenant-a/admin/time-zone", "day-admin-time-zone")
	require.Contains(t, b.Text("main"), "United Kingdom (London)")
}
