package idptest

import (
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// SignIn signs a user in at the SAML IdP without a browser, as a browser
// would: client (nil for a new one with a cookie jar) GETs startURL, which is
// the IdP's /sso URL with a SAMLRequest (HTTP-Redirect binding) or an LMS
// page that redirects there, follows redirects within the IdP to its sign-in
// form, and posts name and password with the form's hidden SAMLRequest and
// RelayState. The IdP answers with the page that posts the signed response
// to the service provider; SignIn returns that post's target (the SP's
// assertion consumer service URL) and its values (SAMLResponse, RelayState)
// without sending it. The test fails if the IdP refuses the password or
// answers anything else.
func (p *SAMLProvider) SignIn(t testing.TB, client *http.Client, startURL, name, password string) (acsURL string, form url.Values) {
	t.Helper()
	if client == nil {
		jar, _ := cookiejar.New(nil)
		client = &http.Client{Jar: jar}
	}
	idp, err := url.Parse(p.URL)
	if err != nil {
		t.Fatalf("idptest: SAML IdP URL %q: %v", p.URL, err)
	}
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 20 {
			return errors.New("more than 20 redirects")
		}
		if req.URL.Host != idp.Host {
			return http.ErrUseLastResponse
		}
		return nil
	}

	resp, err := c.Get(startURL)
	if err != nil {
		t.Fatalf("idptest: SAML sign-in: GET %s: %v", startURL, err)
	}
	page := readAll(t, resp)
	login, ok := firstForm(page, resp.Request.URL)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Host != idp.Host || !ok || !login.Values.Has("user") {
		t.Fatalf("idptest: SAML sign-in: %s led to %s %s, not the IdP's sign-in form: %.500s", startURL, resp.Status, resp.Request.URL, page)
	}
	login.Values.Set("user", name)
	login.Values.Set("password", password)
	req, err := http.NewRequest(http.MethodPost, login.Action, strings.NewReader(login.Values.Encode()))
	if err != nil {
		t.Fatalf("idptest: SAML sign-in: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", idp.Scheme+"://"+idp.Host) // as a browser sends it
	resp, err = c.Do(req)
	if err != nil {
		t.Fatalf("idptest: SAML sign-in: post the form: %v", err)
	}
	page = readAll(t, resp)
	post, ok := firstForm(page, resp.Request.URL)
	if resp.StatusCode != http.StatusOK || !ok || !post.Values.Has("SAMLResponse") {
		if ok && post.Values.Has("user") {
			t.Fatalf("idptest: SAML sign-in: the IdP refused %q: %.300s", name, page)
		}
		t.Fatalf("idptest: SAML sign-in: expected the post of a SAMLResponse, got %s at %s: %.500s", resp.Status, resp.Request.URL, page)
	}
	return post.Action, post.Values
}
