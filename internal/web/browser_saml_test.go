package web_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity/idptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Sign-in with the school's SAML 2.0 identity provider (a real
// crewjam/saml samlidp with its own signing key, started by make test), in
// headless Chromium: the admin gives the IdP the platform's metadata and
// pastes the IdP's; a learner signs in there and lands on their courses.
// Over plain HTTP: an answer posted twice, and an answer whose signatures
// are taken out, are each refused.
func TestSignInWithSAMLProvider(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	idp := idptest.SAML(t)
	spMeta := fetch(t, e.public+"/signin/saml/"+e.A.Slug+"/metadata")
	require.Contains(t, spMeta, "AssertionConsumerService")
	run := uuid.NewString()[:8]
	idp.ServiceProvider(t, "lms-"+run, []byte(spMeta))
	user, email := "cai-"+run, "cai-"+run+"@oakfield.example"
	idp.User(t, user, "cai-password-1", email, "Cai", "Jones")
	adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	e.addPerson(t, adminA, e.A.Slug, "cai", email)

	b := webtest.New(t, e.public)
	b.Plain = true
	b.SignIn(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/"+e.A.Slug+"/admin/sign-in", "")
	b.Run(chromedp.SetValue(`#metadata`, "<not metadata/>", chromedp.ByQuery))
	b.Submit(`form[action$="/admin/sign-in/saml"] button`, "")
	require.Contains(t, b.Text(".error-summary"), "not a SAML identity provider's metadata")
	b.Run(chromedp.SetValue(`#metadata`, fetch(t, idp.MetadataURL), chromedp.ByQuery))
	b.Fill("#saml_domains", "oakfield.example")
	b.Submit(`form[action$="/admin/sign-in/saml"] button`, "saml-connected")
	require.Equal(t, "/t/"+e.A.Slug+"/admin/sign-in?done=connected", b.Path())
	require.Contains(t, b.Text("main"), "SAML 2.0 identity provider")
	b.SignOut()

	// The learner signs in at the IdP's form and lands on their courses.
	b.Go("/signin?tenant="+e.A.Slug, "")
	b.Run(chromedp.Click(`ul.sso a`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=user]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=user]`, user, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, "cai-password-1", chromedp.ByQuery),
		chromedp.Submit(`input[name=password]`, chromedp.ByQuery))
	waitBack(b)
	require.Equal(t, "/t/"+e.A.Slug+"/courses", b.Path())
	b.Go("/account/sessions", "")
	require.Contains(t, b.Text("main"), "School account (SAML)")

	// Over plain HTTP, as a browser would: the answer is good once.
	provider := ssoProviderID(t, e, e.A.ID)
	start := e.public + "/signin/sso/" + e.A.Slug + "/start?provider=" + provider
	// Each sign-in at the IdP in a browser of its own (the IdP remembers
	// a signed-in browser and would answer at once).
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	acs, form := idp.SignIn(t, nil, start, user, "cai-password-1")
	require.Equal(t, e.public+"/signin/saml/"+e.A.Slug+"/acs", acs)
	require.Equal(t, http.StatusSeeOther, postStatus(t, hc, acs, form), "the first time")
	require.Equal(t, http.StatusUnauthorized, postStatus(t, hc, acs, form), "a replayed answer")

	// Its assertion, brought to another sign-in of ours, is refused too.
	_, fresh := idp.SignIn(t, nil, start, user, "cai-password-1")
	replayed := url.Values{"SAMLResponse": form["SAMLResponse"], "RelayState": fresh["RelayState"]}
	require.Equal(t, http.StatusUnauthorized, postStatus(t, hc, acs, replayed), "an assertion from another sign-in")

	// Unsigned: the same answer with its signatures taken out.
	_, signed := idp.SignIn(t, nil, start, user, "cai-password-1")
	raw, err := base64.StdEncoding.DecodeString(signed.Get("SAMLResponse"))
	require.NoError(t, err)
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(raw))
	removed := 0
	for _, sig := range doc.FindElements("//Signature") {
		sig.Parent().RemoveChild(sig)
		removed++
	}
	require.Positive(t, removed, "the IdP signs its answers")
	unsigned, err := doc.WriteToBytes()
	require.NoError(t, err)
	signed.Set("SAMLResponse", base64.StdEncoding.EncodeToString(unsigned))
	require.Equal(t, http.StatusUnauthorized, postStatus(t, hc, acs, signed), "an unsigned answer")

	var outcomes []string
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT outcome FROM member_sign_in_events WHERE method = 'saml' ORDER BY at`).Scan(&outcomes).Error
	}))
	require.Equal(t, []string{"signed-in", "signed-in", "refused", "refused", "refused"}, outcomes)
}

func fetch(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, u)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func postStatus(t *testing.T, hc *http.Client, u string, form url.Values) int {
	t.Helper()
	resp, err := hc.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}
