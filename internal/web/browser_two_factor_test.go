package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Two-step sign-in in the browser, in production mode, every page
// axe-checked and laid out 375 px wide: an operator's password alone
// reaches nothing but setting up an authenticator (the platform's pages
// send them back to it); they scan the QR code (here: read the key shown
// on the page and compute codes with the same library an app uses), keep
// the ten recovery codes, and are in. Signed out and in again, a wrong code
// and a replayed code are refused, a current one works; a recovery code
// works once. A school's admin sets it up, turns on the school's rule for
// admins, and signs in with password and code.
func TestTwoStepSignInInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, func(c *config.Config) { c.Env = "prod" })

	s := webtest.New(t, e.Server.URL)
	s.StaffSignIn(e.Operator, apptest.OperatorPassword)
	require.Equal(t, "/account/two-step", s.Path(), "production: staff without an authenticator set one up first")
	s.Go("/platform", "two-step-required")
	require.Equal(t, "/account/two-step", s.Path(), "no staff page opens before it is set up")
	require.Contains(t, s.Text("main"), "must sign in in two steps")

	secret, used, codes := setUpTwoStep(t, s, "staff")
	s.Submit(`//main//a[contains(., "continue")]`, "")
	require.Equal(t, "/platform", s.Path())
	s.Go("/account/two-step", "two-step-on")
	require.Contains(t, s.Text("main"), "10 unused recovery codes")
	require.Contains(t, s.Text("main"), "cannot be turned off", "required of staff in production")
	s.SignOut()

	// Password, then a code: a wrong one and the one already used are refused.
	s.StaffSignIn(e.Operator, apptest.OperatorPassword)
	require.Equal(t, "/signin/code", s.Path())
	s.Go("/platform", "")
	require.Equal(t, "/signin/code", s.Path(), "a password alone opens nothing")
	enterCode(s, "000000")
	require.Equal(t, "/signin/code", s.Path())
	require.Contains(t, s.Text("main"), "not right")
	enterCode(s, used)
	require.Equal(t, "/signin/code", s.Path(), "a code used once is refused")
	next, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	require.NoError(t, err)
	enterCode(s, next)
	require.Equal(t, "/platform", s.Path())
	s.SignOut()

	// A recovery code works once.
	s.StaffSignIn(e.Operator, apptest.OperatorPassword)
	enterCode(s, codes[0])
	require.Equal(t, "/platform", s.Path())
	s.SignOut()
	s.StaffSignIn(e.Operator, apptest.OperatorPassword)
	enterCode(s, codes[0])
	require.Equal(t, "/signin/code", s.Path(), "a used recovery code is refused")
	s.SignOut()
	require.Equal(t, "/staff/signin?done=signed-out", s.Path(), "a half-signed-in session can sign out")
	var n int
	require.NoError(t, e.DB.App.Gorm.Raw(`SELECT count(*) FROM staff_security_events WHERE action = 'two-step.failed'`).Scan(&n).Error)
	require.Equal(t, 3, n, "the platform's trail has each wrong code")

	// A school's admin turns it on for themself, then for the school's admins.
	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, "/t/tenant-a/admin", a.Path())
	a.Go("/account/two-step", "member-two-step-off")
	secret, _, _ = setUpTwoStep(t, a, "member")
	a.Go("/t/tenant-a/admin/two-step", "admins-two-step")
	a.Submit(`//main//button[contains(., "Require")]`, "admins-two-step-on")
	require.Contains(t, a.Text("main"), "It is on")
	a.SignOut()
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, "/signin/code", a.Path())
	code, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	require.NoError(t, err)
	enterCode(a, code)
	require.Equal(t, "/t/tenant-a/admin", a.Path())

	// A lost phone: the admin's page lists who uses it, with a reset (here
	// the admin's own, which ends their sessions); required of admins, the
	// next sign-in asks for a new set-up and opens nothing else.
	a.Go("/t/tenant-a/admin/two-step", "admins-two-step-people")
	require.Contains(t, a.Text("main table"), e.A.AdminUser)
	a.Submit(`//main//table//button[contains(., "Reset")]`, "")
	var audited int
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM audit_events WHERE action IN ('two-step.on', 'two-step.required-on', 'two-step.reset')`).Scan(&audited).Error
	}))
	require.Equal(t, 3, audited, "the tenant's audit trail has the set-up, the rule and the reset")
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, "/account/two-step", a.Path(), "required of admins: set it up again")
	a.Go("/t/tenant-a/admin", "")
	require.Equal(t, "/account/two-step", a.Path(), "nothing else opens before it is set up")
	require.Contains(t, a.Text("main"), "must sign in in two steps")
}

// setUpTwoStep sets up an authenticator on the Two-step sign-in page: the
// QR code shows, the key shown as text gives the first code; it returns
// the key, the code that turned it on and the recovery codes.
func setUpTwoStep(t *testing.T, b *webtest.Browser, shot string) (secret, first string, codes []string) {
	t.Helper()
	b.Submit(`//main//button[contains(., "Set up two-step sign-in")]`, shot+"-two-step-scan")
	var width int
	b.Run(chromedp.Evaluate(`document.querySelector("img.qr").naturalWidth`, &width))
	require.Greater(t, width, 100, "the QR code is an image the browser shows")
	secret = strings.TrimSpace(b.Text("#totp-secret"))
	require.Regexp(t, `^[A-Z2-7]{16,}$`, secret)
	b.Fill("#code", "123456x")
	b.Submit(`//main//button[contains(., "Turn on")]`, "")
	require.Contains(t, b.Text("main"), "not right")
	first, err := totp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	b.Fill("#code", first)
	b.Submit(`//main//button[contains(., "Turn on")]`, shot+"-recovery-codes")
	codes = strings.Fields(b.Text(".recovery-codes"))
	require.Len(t, codes, 10)
	return secret, first, codes
}

func enterCode(b *webtest.Browser, code string) {
	b.T.Helper()
	b.Fill("#code", code)
	b.Submit(`main button[type=submit]`, "")
}
