package idptest

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// SignIn signs a user in without a browser, as a browser would: client (nil
// for a new one with a cookie jar; it needs a jar) GETs startURL, which is
// Hydra's authorization URL or an LMS page that redirects to it, follows the
// redirects to the directory's form, posts username and password, and
// follows Hydra's redirects until one leaves Hydra and the directory. That
// redirect (normally the client's redirect URI with code and state) is
// returned, not followed. The test fails if the form refuses the password or
// the flow ends anywhere else.
func (p *OIDCProvider) SignIn(t testing.TB, client *http.Client, startURL, username, password string) *url.URL {
	t.Helper()
	if client == nil {
		jar, _ := cookiejar.New(nil)
		client = &http.Client{Jar: jar}
	}
	hydra, err := url.Parse(p.Issuer)
	if err != nil {
		t.Fatalf("idptest: issuer %q: %v", p.Issuer, err)
	}
	dir, err := url.Parse(p.DirectoryURL)
	if err != nil {
		t.Fatalf("idptest: directory URL %q: %v", p.DirectoryURL, err)
	}
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 20 {
			return errors.New("more than 20 redirects")
		}
		if req.URL.Host != hydra.Host && req.URL.Host != dir.Host {
			return http.ErrUseLastResponse
		}
		return nil
	}

	resp, err := c.Get(startURL)
	if err != nil {
		t.Fatalf("idptest: sign-in: GET %s: %v", startURL, err)
	}
	page := readAll(t, resp)
	form := resp.Request.URL
	if resp.StatusCode != http.StatusOK || form.Host != dir.Host || form.Path != "/login" {
		t.Fatalf("idptest: sign-in: %s led to %s %s, not the directory's sign-in form: %.500s", startURL, resp.Status, form, page)
	}
	challenge := form.Query().Get("login_challenge")

	resp, err = c.PostForm(p.DirectoryURL+"/login", url.Values{
		"login_challenge": {challenge}, "username": {username}, "password": {password},
	})
	if err != nil {
		t.Fatalf("idptest: sign-in: post the form: %v", err)
	}
	page = readAll(t, resp)
	if resp.StatusCode == http.StatusOK && strings.Contains(page, `role="alert"`) {
		t.Fatalf("idptest: sign-in: the directory refused %q: %.300s", username, page)
	}
	loc, err := resp.Location()
	if resp.StatusCode/100 != 3 || err != nil {
		t.Fatalf("idptest: sign-in: expected a redirect out of the provider, got %s at %s: %.500s", resp.Status, resp.Request.URL, page)
	}
	return loc
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("idptest: read %s: %v", resp.Request.URL, err)
	}
	return string(b)
}
