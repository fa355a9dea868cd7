package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/comms/commstest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

var setPasswordLink = regexp.MustCompile(`/set-password/[A-Za-z0-9_-]{40,}`)

// Forgot password? in the browser: the school's sign-in name in capitals
// signs in; a person asks for a link by email address and gets the same
// page as someone asking for an account that does not exist, in no less
// time; the email (real MIME, through Mailpit) carries a one-time link
// that sets a new password and ends the old session; the link does not
// work twice. axe and 375 px on every page.
func TestForgotPasswordInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "fp-")
	mb := commstest.New(t)
	mail := "fp-learner-" + uuid.NewString()[:8] + "@example.org"
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET email = ? WHERE id = ?`, mail, fx.Learner.ID).Error
	}))
	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.Narrow = true

	// Case-insensitive sign-in name: this session must end with the reset.
	b.SignIn("Tenant-A", fx.Learner.Username, lmstest.Password)
	require.True(t, strings.HasPrefix(b.Path(), "/t/tenant-a"), b.Path())
	signedIn := b.Path()

	ask := func(tenant, login string) (string, time.Duration) {
		b.Go("/signin?tenant="+tenant, "")
		b.Submit(`//a[.="Forgot password?"]`, "forgot-form")
		require.Equal(t, tenant, b.Value("#tenant"), "the school's sign-in name is carried over")
		b.Fill("#login", login)
		start := time.Now()
		b.Submit(`//button[.="Email me a link"]`, "forgot-asked")
		return b.Text("main"), time.Since(start)
	}
	known, tKnown := ask("TENANT-A", strings.ToUpper(mail))
	require.Contains(t, known, "If the details match an account with an email address, a link is on its way.")
	unknown, tUnknown := ask("tenant-a", "nobody-"+uuid.NewString()[:8])
	require.Equal(t, known, unknown, "an unknown account gets the identical page")
	noSchool, _ := ask("no-such-school", "anyone")
	require.Equal(t, known, noSchool, "so does an unknown school")
	require.GreaterOrEqual(t, tKnown, 400*time.Millisecond)
	require.GreaterOrEqual(t, tUnknown, 400*time.Millisecond, "no quicker answer for an account that does not exist")

	_, err := e.App.Comms.Deliver(ctx, e.A.ID)
	require.NoError(t, err)
	msgs := mb.Wait(mail, 1)
	require.Len(t, msgs, 1, "one email")
	m := commstest.Check(t, msgs[0])
	require.Contains(t, m.Subject, "Set a new password")
	require.Contains(t, m.Text, "for an hour")
	link := setPasswordLink.FindString(m.Text)
	require.NotEmpty(t, link, m.Text)

	const newPw = "a-fresh-password-for-fp"
	b.Go(link, "forgot-set-password")
	require.Contains(t, b.Text("main"), fx.Learner.Username)
	b.Fill("#password", newPw)
	b.Fill("#confirm", newPw)
	b.Submit(`//button[.="Set password"]`, "")
	require.Contains(t, b.Text("main"), "Your password is set")

	b.Run(chromedp.Navigate(b.Base + signedIn))
	b.Page("")
	require.True(t, strings.HasPrefix(b.Path(), "/signin"), "the old session is gone: %s", b.Path())

	b.Go(link, "")
	require.Contains(t, b.Text("main"), "This link does not work any more", "a link works once")

	b.SignIn("tenant-a", strings.ToUpper(fx.Learner.Username), newPw)
	require.True(t, strings.HasPrefix(b.Path(), "/t/tenant-a"), "signed in with the new password: %s", b.Path())
}

// Sign-in cards: an admin makes a course's cards (printed eight to an A4
// page), a pupil uses the code of their card to set a password and signs
// in, once; a teacher of the course makes cards only when the school
// allows; an admin makes a code for one pupil from the pupil's page.
func TestSignInCardsInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "sc-")
	cardsURL := "/t/tenant-a/courses/" + fx.ID.String() + "/sign-in-cards"
	group := uuid.Must(uuid.NewV7())
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO teaching_groups (tenant_id, id, course_id, name) VALUES (?, ?, ?, 'Kestrels')`, e.A.ID, group, fx.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO teaching_group_members (tenant_id, group_id, course_id, person_id) VALUES (?, ?, ?, ?)`, e.A.ID, group, fx.ID, fx.Learner.ID).Error
	}))
	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.Narrow = true

	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Go(cardsURL, "cards-form")
	b.Submit(`//button[.="Make sign-in cards"]`, "cards-print")
	var n int
	var groupNames string
	b.Run(chromedp.Evaluate(`document.querySelectorAll("li.card").length`, &n))
	require.Equal(t, 2, n, "one card per learner on the course, none for its teacher")
	card := b.Text(`//li[contains(@class, "card")][.//h2[.="sc- learner"]]`)
	require.Contains(t, card, fx.Learner.Username)
	require.Contains(t, card, "tenant-a")
	code := regexp.MustCompile(`[A-Z0-9]{4}-[A-Z0-9]{5}-[A-Z0-9]{5}`).FindString(card)
	require.NotEmpty(t, code, card)
	var qr string
	b.Run(chromedp.Evaluate(`document.querySelector("li.card img").src`, &qr))
	require.True(t, strings.HasPrefix(qr, "data:image/png;base64,"), "the QR code is inline")

	// On paper: two cards across, four down fit in A4's 277 mm less margins.
	b.Run(emulation.SetEmulatedMedia().WithMedia("print"))
	var box struct{ Height, Across float64 }
	b.Run(chromedp.Evaluate(`(() => { const c = [...document.querySelectorAll("li.card")].map(e => e.getBoundingClientRect());
		return {height: c[0].height, across: c[1].top === c[0].top ? 2 : 1}; })()`, &box))
	b.Run(emulation.SetEmulatedMedia().WithMedia(""))
	mm := 96 / 25.4
	require.Equal(t, 2.0, box.Across, "two cards across")
	require.LessOrEqual(t, 4*box.Height+3*4*mm, 277*mm, "four rows of cards on an A4 page")
	require.EqualValues(t, 2, pwAuditCount(t, e, "person.password_code_made"), "each card's code is audited")
	b.SignOut()

	// The pupil uses the code from the card, in small letters, once.
	const newPw = "pupil-chooses-this-1"
	b.Go("/signin?tenant=tenant-a", "")
	b.Submit(`//a[.="I have a code from a sign-in card"]`, "cards-code-form")
	useCode := func(c string) {
		b.Fill("#username", fx.Learner.Username)
		b.Fill("#code", c)
		b.Fill("#password", newPw)
		b.Fill("#confirm", newPw)
		b.Submit(`//button[.="Set password"]`, "")
	}
	useCode(strings.ToLower(code))
	require.Contains(t, b.Text("main"), "Your password is set")
	b.SignIn("tenant-a", fx.Learner.Username, newPw)
	require.True(t, strings.HasPrefix(b.Path(), "/t/tenant-a"), b.Path())
	b.SignOut()
	b.Go("/set-password?tenant=tenant-a", "")
	useCode(code)
	require.Contains(t, b.Text(".error-summary"), "That code does not work", "a code works once")

	// A teacher of the course: not until the school allows.
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go(cardsURL, "cards-teacher-refused")
	require.Contains(t, b.Text("main"), "Your school has not allowed teachers to reset their learners' passwords")
	require.NotContains(t, b.Text("main"), "Make sign-in cards")
	teacher := access.Member(e.A.ID, fx.Teacher.ID)
	_, err := e.App.Identity.SignInCards(ctx, teacher, fx.ID, uuid.Nil, uuid.Nil)
	require.ErrorIs(t, err, errs.ErrForbidden, "the service refuses too, not only the page")
	b.SignOut()

	// The admin allows it from a pupil's page; and makes a code there.
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/tenant-a/admin/people/"+fx.Learner2.ID.String(), "")
	b.Submit(`//button[.="Reset password with a one-time code"]`, "cards-person-code")
	personCode := b.Text("#code")
	require.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{5}-[A-Z0-9]{5}$`, personCode)
	b.Submit(`//a[.="Back to sc- learner2"]`, "")
	b.Submit(`//a[contains(., "Whether teachers may do this")]`, "cards-setting")
	b.Run(chromedp.Click(`//li[contains(., "School tenant-a")]/input[@type="checkbox"]`, chromedp.BySearch))
	b.Submit(`//button[.="Save"]`, "")
	require.EqualValues(t, 1, pwAuditCount(t, e, "school.teachers_reset_passwords"))
	b.SignOut()

	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go(cardsURL, "cards-teacher-allowed")
	b.Submit(`//button[@aria-label="Make a new card for sc- learner2"]`, "")
	b.Run(chromedp.Evaluate(`document.querySelectorAll("li.card").length`, &n))
	require.Equal(t, 1, n, "one learner's card")
	b.Go(cardsURL, "")
	b.Run(chromedp.SetValue("#group", group.String(), chromedp.ByQuery))
	b.Submit(`//button[.="Make sign-in cards"]`, "")
	require.Contains(t, b.Text("main"), "sc- learner")
	b.Run(chromedp.Evaluate(`[...document.querySelectorAll("li.card h2")].map(h => h.textContent).join()`, &groupNames))
	require.Equal(t, "sc- learner", groupNames, "the teaching group's cards only")
	b.SignOut()
	b.Go("/set-password?tenant=tenant-a", "")
	b.Fill("#username", fx.Learner2.Username)
	b.Fill("#code", personCode)
	b.Fill("#password", newPw)
	b.Fill("#confirm", newPw)
	b.Submit(`//button[.="Set password"]`, "")
	require.Contains(t, b.Text(".error-summary"), "That code does not work", "the teacher's new card replaced the admin's code")
}

// pwAuditCount counts tenant A's audit events of action.
func pwAuditCount(t *testing.T, e *apptest.Env, action string) (n int64) {
	t.Helper()
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM audit_events WHERE action = ?`, action).Scan(&n).Error
	}))
	return n
}
