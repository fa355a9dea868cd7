package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A school admin new to sign-in options, in headless Chromium: the page
// speaks plain words (no discovery address or token claim names), each
// box of the connect form says where its value comes from, and a form
// sent with a mistake keeps what was typed (all but the secret, which is
// never shown), for the provider form and for the password switches.
func TestSignInOptionsForANewcomer(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	b := webtest.New(t, e.public)
	b.Plain = true
	b.SignIn(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/"+e.A.Slug+"/admin/sign-in", "")
	text := b.Text("main")
	for _, jargon := range []string{".well-known", "openid-configuration", "a tid", "tid "} {
		require.NotContains(t, text, jargon)
	}
	for _, hint := range []string{"#directory_id-hint", "#issuer-hint", "#client_id-hint", "#client_secret-hint", "#domains-hint"} {
		require.NotEmpty(t, b.Text(hint), hint)
	}

	b.Run(chromedp.Click(`#kind-oidc`, chromedp.ByQuery), chromedp.Click(`#create_people`, chromedp.ByQuery))
	b.Fill("#issuer", "id.example.org")
	b.Fill("#client_id", "lms-client-7")
	b.Fill("#client_secret", "s3cret-value")
	b.Fill("#domains", "oakfield.example")
	b.Submit(`form[action$="/admin/sign-in/providers"] button`, "")
	require.Contains(t, b.Text("main"), "starting https://")
	require.Equal(t, "id.example.org", b.Value("#issuer"))
	require.Equal(t, "lms-client-7", b.Value("#client_id"))
	require.Equal(t, "oakfield.example", b.Value("#domains"))
	require.Empty(t, b.Value("#client_secret"), "the secret is never sent back")
	var kept bool
	b.Run(chromedp.Evaluate(`document.querySelector("#kind-oidc").checked && document.querySelector("#create_people").checked`, &kept))
	require.True(t, kept, "the kind and the box stay chosen")

	// Passwords cannot be switched off before a provider is connected;
	// the boxes ticked stay ticked.
	b.Run(chromedp.Click(`#off-learner`, chromedp.ByQuery))
	b.Submit(`form[action$="/admin/sign-in/passwords"] button`, "")
	require.Contains(t, b.Text("main"), "connect Microsoft, Google or another provider first")
	b.Run(chromedp.Evaluate(`document.querySelector("#off-learner").checked && !document.querySelector("#off-teacher").checked`, &kept))
	require.True(t, kept, "the tick stays")
}
