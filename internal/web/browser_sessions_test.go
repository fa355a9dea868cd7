package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Where you are signed in, in the browser (axe, 375 px, plain words): a
// learner signed in in two browsers sees both sessions, in words, with
// "This device" on the one they use; ending the other sends that browser
// to sign-in at its next page; ending all others does too. Their school's
// admin sees the learner's sessions and API token from the learner's page,
// revokes the token and ends a session; the access log says who signed
// in how, and a refused password.
func TestSessionsInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "se-")
	learner := func() *webtest.Browser {
		b := webtest.New(t, e.Server.URL)
		b.Plain = true
		b.SignIn("tenant-a", fx.Learner.Username, lmstest.Password)
		require.NotContains(t, b.Path(), "/signin")
		return b
	}
	one, two := learner(), learner()
	var ua string
	one.Run(chromedp.Evaluate(`navigator.userAgent`, &ua))
	device := identity.Session{}
	device.Browser, device.System = identity.DescribeAgent(ua)

	one.Go("/account/sessions", "sessions-two")
	main := one.Text("main")
	require.Contains(t, main, device.Device())
	require.Contains(t, main, "(This device)")
	require.Contains(t, main, "Signed in with: Password")
	require.Contains(t, main, "127.0.0.0/16", "the network, not the address")
	require.NotContains(t, main, "127.0.0.1")
	one.Submit(`//main//button[contains(., "End this session")]`, "sessions-ended")
	require.Contains(t, one.Text("main"), "That session has ended")
	two.Go("/home", "")
	require.Contains(t, two.Path(), "/signin", "the ended session's next page is the sign-in page")

	// Signed in again, then all the others ended at once.
	two = learner()
	one.Go("/account/sessions", "")
	one.Submit(`//main//button[contains(., "End all other sessions")]`, "sessions-others-ended")
	require.NotContains(t, one.Text("main"), "End this session")
	two.Go("/home", "")
	require.Contains(t, two.Path(), "/signin")
	one.Go("/home", "")
	require.NotContains(t, one.Path(), "/signin", "the learner's own session stays")

	// A wrong password is in the trail too.
	two.SignIn("tenant-a", fx.Learner.Username, "not-the-password")
	// An API token, made through the API.
	api := e.Login("tenant-a", fx.Learner.Username, lmstest.Password)
	tok := api.Expect(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "homework-sync", "expires_in_days": 7}).JSON()
	secret, _ := tok["secret"].(string)
	require.NotEmpty(t, secret)

	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	a.Go("/t/tenant-a/admin/people/"+fx.Learner.ID.String(), "")
	a.Submit(`//main//a[contains(., "is signed in")]`, "sessions-admin")
	main = a.Text("main")
	require.Contains(t, main, device.Device())
	require.Contains(t, main, "homework-sync")
	require.NotContains(t, main, "This device", "the admin's own session is not among them")
	a.Submit(`//main//button[contains(., "Revoke")]`, "")
	require.NotContains(t, a.Text("main"), "homework-sync")
	require.Equal(t, 401, api.DoWith("GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + secret}).Status)
	// The learner's browser session (their API sign-in is the other).
	a.Submit(`//main//li[contains(., "`+device.Device()+`")]//button[contains(., "End this session")]`, "sessions-admin-ended")
	require.Contains(t, a.Text("main"), "That session has ended")
	one.Go("/home", "")
	require.Contains(t, one.Path(), "/signin", "the session an admin ended")

	var n int
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM member_credentials WHERE kind = 'session' AND method = 'password' AND person_id = ?`, fx.Learner.ID).Scan(&n).Error
	}))
	require.Equal(t, 4, n, "each of the learner's sign-ins, with its method")
}
