package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Passkeys in headless Chromium with the DevTools virtual authenticator
// (CTAP2, built in, resident keys, user verification): a school's admin
// signs in with a password, adds a passkey, signs out and signs in with
// the passkey alone, landing on their dashboard. A passkey whose sign
// count does not go up (here: the stored count is raised, as a copy of
// the key used elsewhere would leave it) is refused; a removed passkey no
// longer signs in. Every step is in the school's audit trail. axe and
// 375 px on every page.
//
// Passkeys need a secure origin with a domain name: the platform is
// served at http://localhost:<port>, which is also its public address
// (the relying party).
func TestPasskeysInBrowser(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	public := fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port)
	e := apptest.New(t, func(c *config.Config) { c.PublicURL = public })
	srv := &http.Server{Handler: e.App.Handler}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	b := webtest.New(t, public)
	b.Plain = true
	b.Run(cdpwebauthn.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := cdpwebauthn.AddVirtualAuthenticator(&cdpwebauthn.VirtualAuthenticatorOptions{
			Protocol: cdpwebauthn.AuthenticatorProtocolCtap2, Ctap2version: cdpwebauthn.Ctap2versionCtap21,
			Transport: cdpwebauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		}).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Target))
		return err
	}))

	home := "/t/" + e.A.Slug + "/admin"
	b.SignIn(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	require.Equal(t, home, b.Path())

	// Add a passkey: a name is needed.
	b.Go("/account/passkeys", "passkeys-none")
	require.Contains(t, b.Text("main"), "no passkeys yet")
	b.Submit(`form[action="/account/passkeys"] button`, "")
	require.Contains(t, b.Text("main"), "Give the passkey a name")
	b.Fill("#name", "My laptop")
	b.Submit(`form[action="/account/passkeys"] button`, "passkey-create")
	require.Equal(t, "/account/passkeys", b.Path())
	b.Submit(`#passkey-go`, "passkeys-one")
	require.Equal(t, "/account/passkeys?done=passkey-added", b.Path())
	require.Contains(t, b.Text("main"), "My laptop")
	require.Contains(t, b.Text("main"), "not used yet")
	b.SignOut()

	// The passkey alone signs in: no password, no code, even where the
	// school requires two steps of its admins (a passkey is both).
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE tenants SET admins_two_step = true WHERE id = ?`, e.A.ID).Error
	}))
	passkeySignIn := func(shot string) {
		t.Helper()
		b.Go("/signin", "")
		b.Fill("#tenant", e.A.Slug)
		b.Submit(`button[formaction="/signin/passkey"]`, shot)
		require.Equal(t, "/signin/passkey", b.Path())
		b.Submit(`#passkey-go`, "")
	}
	passkeySignIn("passkey-signin")
	require.Equal(t, home, b.Path(), "the passkey signs the admin in to their dashboard")
	b.Go("/account/passkeys", "")
	require.Equal(t, "/account/passkeys", b.Path(), "nothing more is owed")
	require.Contains(t, b.Text("main"), "last used")
	b.SignOut()

	// The sign count must go up: a stored count above the authenticator's
	// (a copy of the key was used) refuses the passkey.
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE member_passkeys SET credential = jsonb_set(credential, '{authenticator,signCount}', '1000000') WHERE person_id = ?`, e.A.AdminID).Error
	}))
	passkeySignIn("")
	require.Equal(t, "/signin/passkey/finish", b.Path())
	require.Contains(t, b.Text("main"), "may have been copied")

	// Removed, it no longer signs in.
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE tenants SET admins_two_step = false WHERE id = ?`, e.A.ID).Error
	}))
	b.SignIn(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	b.Go("/account/passkeys", "")
	b.Submit(`form[action$="/remove"] button`, "passkey-removed")
	require.Equal(t, "/account/passkeys?done=passkey-removed", b.Path())
	require.Contains(t, b.Text("main"), "no passkeys yet")
	b.SignOut()
	passkeySignIn("")
	require.Equal(t, "/signin/passkey/finish", b.Path())
	require.Contains(t, b.Text("main"), "did not sign you in")
	b.Go("/account/passkeys", "")
	require.Equal(t, "/signin", b.Path()[:len("/signin")], "not signed in")

	// The school's trail has each step.
	var actions []string
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT action FROM audit_events WHERE action LIKE 'passkey.%' ORDER BY seq`).Scan(&actions).Error
	}))
	require.Equal(t, []string{"passkey.added", "passkey.refused", "passkey.removed"}, actions)
	var methods []string
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT method FROM member_credentials WHERE kind = 'session' ORDER BY created_at`).Scan(&methods).Error
	}))
	require.Equal(t, []string{"password", "passkey", "password"}, methods, "the sign-ins and how each was made")
}
