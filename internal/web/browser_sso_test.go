package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity/idptest"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// ssoEnv is a platform served at its public address (the provider sends
// browsers back there), with tenant A's admin signed in.
type ssoEnv struct {
	*apptest.Env
	public string
}

func newSSOEnv(t *testing.T) ssoEnv {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	public := fmt.Sprintf("http://127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
	e := apptest.New(t, func(c *config.Config) { c.PublicURL = public })
	srv := &http.Server{Handler: e.App.Handler}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ssoEnv{Env: e, public: public}
}

// addPerson adds a learner with an email address to a tenant by the API.
func (e ssoEnv) addPerson(t *testing.T, admin *apptest.Client, slug, username, email string) string {
	r := admin.Expect(201, "POST", "/api/v1/t/"+slug+"/people", map[string]any{"username": username, "display_name": "Pupil " + username,
		"email": email, "role": "learner"})
	return r.JSON()["id"].(string)
}

// directorySignIn follows the school's button to the provider and signs in
// on the directory's form (not one of our pages), landing back here.
func directorySignIn(b *webtest.Browser, username, password string) {
	b.T.Helper()
	b.Run(chromedp.Click(`ul.sso a`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=username]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=username]`, username, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.setAttribute("data-webtest-old", "1")`, nil),
		chromedp.Submit(`input[name=password]`, chromedp.ByQuery))
	waitBack(b)
}

// waitBack waits until the browser is back on this site from a provider's
// pages, and checks the page it lands on.
func waitBack(b *webtest.Browser) {
	b.T.Helper()
	back := `!document.documentElement.hasAttribute("data-webtest-old") && location.href.startsWith(` + fmt.Sprintf("%q", b.Base) + `) && document.readyState === "complete"`
	for deadline := time.Now().Add(30 * time.Second); ; {
		var done bool
		ctx, cancel := context.WithTimeout(b.Ctx(), 5*time.Second)
		err := chromedp.Run(ctx, chromedp.Evaluate(back, &done))
		cancel()
		if err == nil && done {
			break
		}
		if time.Now().After(deadline) {
			b.T.Fatalf("not back from the provider within 30 s (at %s)", b.URL())
		}
		time.Sleep(100 * time.Millisecond) // errors are expected while pages change
	}
	b.Page("")
}

// Sign-in with the school's OpenID provider (a real ORY Hydra with the
// directory app, started by make test), in headless Chromium: the admin
// connects it from the pages; a learner signs in there and lands on
// their courses; a person of another school, an account of another
// directory (tid) and one of an unlisted email domain are each refused
// with a page saying why; a replayed answer (state) and a code issued to
// another school's client (another audience) are refused.
func TestSignInWithOpenIDProvider(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	op := idptest.OIDC(t)
	dirA, dirOther := uuid.NewString(), uuid.NewString()
	idA, secretA := op.Client(t, e.public+"/signin/sso/"+e.A.Slug+"/callback")
	idB, _ := op.Client(t, e.public+"/signin/sso/"+e.B.Slug+"/callback")

	run := uuid.NewString()[:8]
	account := func(name, domain, tid string) string {
		user := name + "-" + run
		op.User(t, user, name+"-password-1", map[string]any{"sub": "sub-" + user, "email": user + "@" + domain, "email_verified": true,
			"name": name, "tid": tid, "oid": "oid-" + user, "preferred_username": user + "@" + domain})
		return user
	}
	ada := account("ada", "oakfield.example", dirA)     // a learner of A
	bea := account("bea", "oakfield.example", dirA)     // a person of B only
	eve := account("eve", "elsewhere.example", dirA)    // an unlisted domain
	mal := account("mal", "oakfield.example", dirOther) // another directory
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	e.addPerson(t, adminA, e.A.Slug, "ada", ada+"@oakfield.example")
	e.addPerson(t, adminA, e.A.Slug, "mal", mal+"@oakfield.example")
	e.addPerson(t, adminB, e.B.Slug, "bea", bea+"@oakfield.example")

	// The admin connects the provider from the pages.
	b := webtest.New(t, e.public)
	b.Plain = true
	b.SignIn(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/"+e.A.Slug+"/admin/sign-in", "sso-admin")
	require.Contains(t, b.Text("main"), e.public+"/signin/sso/"+e.A.Slug+"/callback", "the redirect address to register")
	b.Run(chromedp.Click(`#kind-oidc`, chromedp.ByQuery))
	b.Fill("#issuer", "not an address")
	b.Submit(`form[action$="/admin/sign-in/providers"] button`, "")
	require.Contains(t, b.Text(".error-summary"), "issuer")
	b.Run(chromedp.Click(`#kind-oidc`, chromedp.ByQuery))
	b.Fill("#issuer", op.Issuer)
	b.Fill("#directory_id", dirA)
	b.Fill("#client_id", idA)
	b.Fill("#client_secret", secretA)
	b.Fill("#domains", "oakfield.example")
	b.Submit(`form[action$="/admin/sign-in/providers"] button`, "sso-connected")
	require.Equal(t, "/t/"+e.A.Slug+"/admin/sign-in?done=connected", b.Path())
	require.Contains(t, b.Text("main"), "oakfield.example")
	require.NotContains(t, b.Text("body"), secretA, "the secret is never shown again")
	b.SignOut()

	// The learner signs in at the school's sign-in page and lands on
	// their courses, signed in "with their school account".
	b.Go("/signin?tenant="+e.A.Slug, "sso-signin-page")
	require.Contains(t, b.Text("main"), "Sign in with your school account")
	directorySignIn(b, ada, "ada-password-1")
	require.Equal(t, "/t/"+e.A.Slug+"/courses", b.Path())
	b.Go("/account/sessions", "")
	require.Contains(t, b.Text("main"), "School account (OpenID Connect)")
	b.SignOut()

	// Refused, each with a page that says why and the way back.
	refusedWith := func(user, password, want string) {
		t.Helper()
		b.Go("/signin?tenant="+e.A.Slug, "")
		directorySignIn(b, user, password)
		require.Contains(t, b.Path(), "/signin/sso/"+e.A.Slug+"/callback")
		require.Contains(t, b.Text("main"), want)
		require.Contains(t, b.Text("main"), "Back to your school's sign-in page")
		b.Go("/account/sessions", "")
		require.Contains(t, b.Path(), "/signin", "not signed in")
	}
	refusedWith(bea, "bea-password-1", "There is no one at this school")
	refusedWith(eve, "eve-password-1", "email domain is not one your school allows")
	refusedWith(mal, "mal-password-1", "belongs to another organisation")

	// A replayed answer: the same callback again, even with the state
	// cookie put back, finds its sign-in used.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	providerA := ssoProviderID(t, e, e.A.ID)
	back := op.SignIn(t, hc, e.public+"/signin/sso/"+e.A.Slug+"/start?provider="+providerA, ada, "ada-password-1")
	state := back.Query().Get("state")
	first, err := hc.Get(back.String())
	require.NoError(t, err)
	first.Body.Close()
	require.Equal(t, http.StatusSeeOther, first.StatusCode)
	require.Equal(t, "/t/"+e.A.Slug, first.Header.Get("Location"))
	pub, _ := url.Parse(e.public + "/signin/sso/")
	jar.SetCookies(pub, []*http.Cookie{{Name: "lms_sso_state", Value: state, Path: "/signin/sso/"}})
	again, err := hc.Get(back.String())
	require.NoError(t, err)
	again.Body.Close()
	require.Equal(t, http.StatusUnauthorized, again.StatusCode, "a replayed state")

	// A wrong nonce: the identity the provider sends must carry the nonce
	// of the sign-in it answers (here the waiting sign-in's is changed).
	back = op.SignIn(t, hc, e.public+"/signin/sso/"+e.A.Slug+"/start?provider="+providerA, ada, "ada-password-1")
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE sso_flows SET nonce = 'a-nonce-of-another-sign-in'`).Error
	}))
	wrongNonce, err := hc.Get(back.String())
	require.NoError(t, err)
	page, _ := io.ReadAll(wrongNonce.Body)
	wrongNonce.Body.Close()
	require.Equal(t, http.StatusUnauthorized, wrongNonce.StatusCode, "a wrong nonce")
	require.Contains(t, string(page), "does not belong to this sign-in")

	// Another audience: a code the provider issued to school B's client,
	// brought to school A's callback with a state of A's, is refused.
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.B.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO sign_in_providers (tenant_id, id, kind, issuer, client_id) VALUES (?, ?, 'oidc', ?, ?)`, e.B.ID, uuid.New(), op.Issuer, idB).Error
	}))
	codeB := op.SignIn(t, nil, op.Issuer+"oauth2/auth?"+url.Values{"client_id": {idB}, "response_type": {"code"}, "scope": {"openid email"},
		"redirect_uri": {e.public + "/signin/sso/" + e.B.Slug + "/callback"}, "state": {"state-of-b-123456"}}.Encode(), bea, "bea-password-1")
	startA := op.SignIn(t, hc, e.public+"/signin/sso/"+e.A.Slug+"/start?provider="+providerA, ada, "ada-password-1")
	swapped := *startA
	q := swapped.Query()
	q.Set("code", codeB.Query().Get("code"))
	swapped.RawQuery = q.Encode()
	got, err := hc.Get(swapped.String())
	require.NoError(t, err)
	got.Body.Close()
	require.Equal(t, http.StatusUnauthorized, got.StatusCode, "a code for another client")

	// The sign-ins are on the school's record of sign-ins.
	var outcomes []string
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT outcome FROM member_sign_in_events WHERE method = 'oidc' ORDER BY at`).Scan(&outcomes).Error
	}))
	require.Contains(t, outcomes, "signed-in")
	require.Contains(t, outcomes, "refused")
}

// ssoProviderID is the id of a tenant's one sign-in provider.
func ssoProviderID(t *testing.T, e ssoEnv, tenant uuid.UUID) string {
	var id string
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM sign_in_providers LIMIT 1`).Scan(&id).Error
	}))
	require.NotEmpty(t, id)
	return id
}
