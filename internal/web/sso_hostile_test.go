package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/google/uuid"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/identity/idptest"
	"github.com/schoolcloud/lms/internal/platform/config"
)

// hostile is a platform whose schools A and B each connected the real
// OpenID provider (Hydra) and the real SAML IdP (samlidp), probed as an
// attacker would, over plain HTTP.
type hostile struct {
	ssoEnv
	op           *idptest.OIDCProvider
	idp          *idptest.SAMLProvider
	run          string
	oidcA, oidcB string // provider ids
	samlA, samlB string
}

func newHostile(t *testing.T) *hostile {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	public := fmt.Sprintf("http://127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
	// Many probes from one address: the sign-in throttle has its own test.
	e := apptest.New(t, func(c *config.Config) { c.PublicURL = public; c.LoginRatePerMinute = 100000 })
	srv := &http.Server{Handler: e.App.Handler}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	h := &hostile{ssoEnv: ssoEnv{Env: e, public: public}, op: idptest.OIDC(t), idp: idptest.SAML(t), run: uuid.NewString()[:8]}
	ctx := context.Background()
	connect := func(s apptest.Seeded) (oidcID, samlID string) {
		id, secret := h.op.Client(t, public+"/signin/sso/"+s.Slug+"/callback")
		sc := access.Member(s.ID, s.AdminID)
		p, err := e.App.Identity.ConnectProvider(ctx, sc, identity.NewProvider{Kind: identity.ProviderOIDC, Issuer: h.op.Issuer,
			DirectoryID: trustDirectory, ClientID: id, ClientSecret: secret, Domains: "oakfield.example"})
		require.NoError(t, err)
		h.idp.ServiceProvider(t, "lms-"+s.Slug+"-"+h.run, []byte(fetch(t, public+"/signin/saml/"+s.Slug+"/metadata")))
		sp, err := e.App.Identity.ConnectSAML(ctx, sc, identity.NewSAML{Metadata: fetch(t, h.idp.MetadataURL)})
		require.NoError(t, err)
		return p.ID.String(), sp.ID.String()
	}
	h.oidcA, h.samlA = connect(e.A)
	h.oidcB, h.samlB = connect(e.B)
	return h
}

// trustDirectory is the directory (Entra tenant) id both schools'
// providers check: two schools of one trust share their directory.
const trustDirectory = "5a1f0c3e-7b2d-4e8f-9a6b-0c1d2e3f4a5b"

// person adds someone to school s and to both providers, signing in with
// the password "pw-"+name; tid is their directory.
func (h *hostile) person(t *testing.T, s apptest.Seeded, name, tid string) (user, id string) {
	user = name + "-" + h.run
	email := user + "@oakfield.example"
	h.op.User(t, user, "pw-"+user, map[string]any{"sub": "sub-" + user, "email": email, "email_verified": true,
		"name": name, "tid": tid, "preferred_username": email})
	h.idp.User(t, user, "pw-"+user, email, name, "Tester")
	admin := h.Login(s.Slug, s.AdminUser, apptest.AdminPassword)
	return user, h.addPerson(t, admin, s.Slug, user, email)
}

// browser is a client with its own cookies that does not follow redirects.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// oidcBack signs user in at the provider from school s's start, in hc,
// and returns where the provider sends the browser back.
func (h *hostile) oidcBack(t *testing.T, hc *http.Client, s apptest.Seeded, provider, user string) *url.URL {
	return h.op.SignIn(t, hc, h.public+"/signin/sso/"+s.Slug+"/start?provider="+provider, user, "pw-"+user)
}

// samlAnswer signs user in at the IdP from school s's start and returns
// the form the IdP has the browser post to s's answer address.
func (h *hostile) samlAnswer(t *testing.T, s apptest.Seeded, provider, user string) url.Values {
	acs, form := h.idp.SignIn(t, nil, h.public+"/signin/sso/"+s.Slug+"/start?provider="+provider, user, "pw-"+user)
	require.Equal(t, h.public+"/signin/saml/"+s.Slug+"/acs", acs)
	return form
}

// relay starts a SAML sign-in at school s without going on to the IdP,
// and returns its RelayState.
func (h *hostile) relay(t *testing.T, s apptest.Seeded, provider string) string {
	r := do(t, browser(), "GET", h.public+"/signin/sso/"+s.Slug+"/start?provider="+provider, nil)
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	to, err := url.Parse(r.location)
	require.NoError(t, err)
	return to.Query().Get("RelayState")
}

type answer struct {
	status   int
	body     string
	location string
	session  bool
}

func do(t *testing.T, hc *http.Client, method, u string, form url.Values) answer {
	t.Helper()
	var resp *http.Response
	var err error
	if form != nil {
		resp, err = hc.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	} else {
		resp, err = hc.Get(u)
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	a := answer{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location")}
	for _, c := range resp.Cookies() {
		a.session = a.session || c.Name == "lms_session" && c.Value != ""
	}
	return a
}

// refused checks a probe's answer: the status wanted (a 4xx), a page
// saying want, and no session.
func refused(t *testing.T, a answer, status int, want string) {
	t.Helper()
	require.Equal(t, status, a.status, a.body)
	require.False(t, a.session, "no session")
	require.Contains(t, html.UnescapeString(a.body), want)
}

// events is school s's record of sign-ins: outcome and detail, oldest first.
func (h *hostile) events(t *testing.T, s apptest.Seeded) []string {
	var out []string
	require.NoError(t, access.Transact(context.Background(), h.DB.App, access.System(s.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT outcome || ': ' || detail FROM member_sign_in_events ORDER BY id`).Scan(&out).Error
	}))
	return out
}

func (h *hostile) lastEvent(t *testing.T, s apptest.Seeded) string {
	ev := h.events(t, s)
	require.NotEmpty(t, ev)
	return ev[len(ev)-1]
}

func (h *hostile) exec(t *testing.T, s apptest.Seeded, sql string, args ...any) {
	require.NoError(t, access.Transact(context.Background(), h.DB.App, access.System(s.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(sql, args...).Error
	}))
}

var hiddenSAMLResponse = regexp.MustCompile(`name="SAMLResponse" value="([^"]+)"`)

// idpInitiated has the IdP send user to school s unasked (a "shortcut":
// IdP-initiated sign-in), and returns the form it posts.
func (h *hostile) idpInitiated(t *testing.T, s apptest.Seeded, provider, user string) url.Values {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	h.idp.SignIn(t, hc, h.public+"/signin/sso/"+s.Slug+"/start?provider="+provider, user, "pw-"+user) // a session at the IdP
	name := "lms-" + s.Slug + "-" + h.run
	body := fmt.Sprintf(`{"name":%q,"service_provider":%q,"relay_state":"/t/%s"}`, name, h.public+"/signin/saml/"+s.Slug+"/metadata", s.Slug)
	req, err := http.NewRequest("PUT", h.idp.URL+"/shortcuts/"+name, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300)
	t.Cleanup(func() {
		if req, err := http.NewRequest("DELETE", h.idp.URL+"/shortcuts/"+name, nil); err == nil {
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	})
	page := do(t, hc, "GET", h.idp.URL+"/login/"+name, nil)
	m := hiddenSAMLResponse.FindStringSubmatch(page.body)
	require.NotNil(t, m, page.body)
	return url.Values{"SAMLResponse": {html.UnescapeString(m[1])}, "RelayState": {"/t/" + s.Slug}}
}

// resign signs the IdP's answer again with a key of the attacker's own.
func resign(t *testing.T, form url.Values) url.Values {
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	require.NoError(t, err)
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(raw))
	for _, sig := range doc.FindElements("//Signature") {
		sig.Parent().RemoveChild(sig)
	}
	as := doc.FindElement("//Assertion")
	require.NotNil(t, as)
	sc := dsig.NewDefaultSigningContext(dsig.RandomKeyStoreForTest())
	sc.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := sc.SignEnveloped(as)
	require.NoError(t, err)
	parent := as.Parent()
	parent.InsertChildAt(as.Index(), signed)
	parent.RemoveChild(as)
	out, err := doc.WriteToBytes()
	require.NoError(t, err)
	return url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(out)}, "RelayState": form["RelayState"]}
}

// The hostile callers of single sign-on: every probe of the OpenID
// callback, the SAML answer address and the metadata gets a plain page
// or a 4xx, never a 500 and never a session; the school's record of
// sign-ins has each failure, in plain words, and nothing of another
// school (its people's addresses, its sign-in name).
func TestSSOHostileRequests(t *testing.T) {
	t.Parallel()
	h := newHostile(t)
	A, B := h.A, h.B
	ada, _ := h.person(t, A, "ada", trustDirectory)
	sam, samID := h.person(t, A, "sam", trustDirectory)
	rae, raeID := h.person(t, A, "rae", trustDirectory)
	mal, _ := h.person(t, A, "mal", uuid.NewString()) // an account of another directory
	bea, _ := h.person(t, B, "bea", trustDirectory)
	h.exec(t, A, `UPDATE people SET status = 'suspended' WHERE id = ?`, samID)
	h.exec(t, A, `UPDATE people SET restricted_at = now(), restriction_reason = 'contests their record' WHERE id = ?`, raeID)
	cbA, acsA := h.public+"/signin/sso/"+A.Slug+"/callback", h.public+"/signin/saml/"+A.Slug+"/acs"
	notStarted := "not started in this browser"

	t.Run("unknown school", func(t *testing.T) {
		for _, u := range []string{"/signin/sso/no-such-school/start?provider=" + h.oidcA, "/signin/sso/no-such-school/callback?state=x&code=y",
			"/signin/saml/no-such-school/metadata"} {
			refused(t, do(t, browser(), "GET", h.public+u, nil), http.StatusNotFound, "")
		}
		refused(t, do(t, browser(), "POST", h.public+"/signin/saml/no-such-school/acs", url.Values{"SAMLResponse": {"x"}}), http.StatusNotFound, "no school")
		refused(t, do(t, browser(), "GET", h.public+"/signin/sso/"+A.Slug+"/start?provider="+h.oidcB, nil), http.StatusNotFound, "no longer available")
	})

	t.Run("missing, forged and replayed state", func(t *testing.T) {
		refused(t, do(t, browser(), "GET", cbA+"?code=abc", nil), http.StatusUnauthorized, notStarted)
		forged := browser()
		pub, _ := url.Parse(h.public + "/signin/sso/")
		forged.Jar.SetCookies(pub, []*http.Cookie{{Name: "lms_sso_state", Value: "forged-state", Path: "/signin/sso/"}})
		refused(t, do(t, forged, "GET", cbA+"?state=forged-state&code=abc", nil), http.StatusUnauthorized, "used already or took too long")
		hc := browser()
		back := h.oidcBack(t, hc, A, h.oidcA, ada)
		state := back.Query().Get("state")
		ok := do(t, hc, "GET", back.String(), nil)
		require.Equal(t, http.StatusSeeOther, ok.status, ok.body)
		require.True(t, ok.session)
		hc.Jar.SetCookies(pub, []*http.Cookie{{Name: "lms_sso_state", Value: state, Path: "/signin/sso/"}})
		refused(t, do(t, hc, "GET", back.String(), nil), http.StatusUnauthorized, "used already")
	})

	t.Run("state of another browser", func(t *testing.T) {
		victim := browser()
		back := h.oidcBack(t, victim, A, h.oidcA, ada)
		refused(t, do(t, browser(), "GET", back.String(), nil), http.StatusUnauthorized, notStarted)
		other := browser()
		require.Equal(t, http.StatusSeeOther, do(t, other, "GET", h.public+"/signin/sso/"+A.Slug+"/start?provider="+h.oidcA, nil).status)
		refused(t, do(t, other, "GET", back.String(), nil), http.StatusUnauthorized, notStarted)
		mine := do(t, victim, "GET", back.String(), nil)
		require.Equal(t, http.StatusSeeOther, mine.status, "the attempts did not use up the browser's own sign-in")
		require.True(t, mine.session)
	})

	t.Run("another school's state, and a code for another client", func(t *testing.T) {
		hc := browser()
		backB := h.oidcBack(t, hc, B, h.oidcB, bea)
		refused(t, do(t, hc, "GET", cbA+"?"+backB.RawQuery, nil), http.StatusUnauthorized, "used already or took too long")
		hcA := browser()
		backA := h.oidcBack(t, hcA, A, h.oidcA, ada)
		q := backA.Query()
		q.Set("code", backB.Query().Get("code"))
		refused(t, do(t, hcA, "GET", cbA+"?"+q.Encode(), nil), http.StatusUnauthorized, "would not confirm this sign-in")
	})

	t.Run("the provider refuses", func(t *testing.T) {
		hc := browser()
		start := do(t, hc, "GET", h.public+"/signin/sso/"+A.Slug+"/start?provider="+h.oidcA, nil)
		to, err := url.Parse(start.location)
		require.NoError(t, err)
		q := url.Values{"state": {to.Query().Get("state")}, "error": {"access_denied"},
			"error_description": {"Your account is locked: call 0800 000 000 to unlock it"}}
		a := do(t, hc, "GET", cbA+"?"+q.Encode(), nil)
		refused(t, a, http.StatusUnauthorized, "cancelled")
		require.NotContains(t, a.body, "0800", "the provider's words (anyone's, in a link) are not shown")
		require.Contains(t, h.lastEvent(t, A), "access_denied")
		q.Set("error", "made_up_error<script>")
		refused(t, do(t, hc, "GET", cbA+"?"+q.Encode(), nil), http.StatusUnauthorized, notStarted)
	})

	t.Run("very long parameters", func(t *testing.T) {
		long := strings.Repeat("A", 64<<10)
		refused(t, do(t, browser(), "GET", cbA+"?state="+long+"&code="+long+"&error="+long, nil), http.StatusUnauthorized, notStarted)
		refused(t, do(t, browser(), "GET", h.public+"/signin/sso/"+A.Slug+"/start?provider="+long, nil), http.StatusNotFound, "no longer available")
		started := do(t, browser(), "GET", h.public+"/signin/sso/"+A.Slug+"/start?provider="+h.oidcA+"&next=/"+long, nil)
		require.Equal(t, http.StatusSeeOther, started.status)
		var longest int
		require.NoError(t, access.Transact(context.Background(), h.DB.App, access.System(A.ID, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT coalesce(max(length(next)), 0) FROM sso_flows`).Scan(&longest).Error
		}))
		require.LessOrEqual(t, longest, 2048, "a long return address is not kept")
		huge := do(t, browser(), "GET", cbA+"?state="+strings.Repeat("A", 2<<20), nil)
		require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, huge.status)
	})

	t.Run("people who may not sign in", func(t *testing.T) {
		hc := browser()
		refused(t, do(t, hc, "GET", h.oidcBack(t, hc, A, h.oidcA, sam).String(), nil), http.StatusForbidden, "cannot sign in at the moment")
		hc = browser()
		refused(t, do(t, hc, "GET", h.oidcBack(t, hc, A, h.oidcA, bea).String(), nil), http.StatusUnauthorized, "There is no one at this school")
		hc = browser()
		refused(t, do(t, hc, "GET", h.oidcBack(t, hc, A, h.oidcA, mal).String(), nil), http.StatusUnauthorized, "belongs to another organisation")
		// Restricted (Art. 18): signed in as with a password, their record
		// unchanged (no link to the provider's account is kept).
		hc = browser()
		in := do(t, hc, "GET", h.oidcBack(t, hc, A, h.oidcA, rae).String(), nil)
		require.Equal(t, http.StatusSeeOther, in.status, in.body)
		var links int64
		require.NoError(t, access.Transact(context.Background(), h.DB.App, access.System(A.ID, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM sso_links WHERE person_id = ?`, raeID).Scan(&links).Error
		}))
		require.Zero(t, links)
	})

	t.Run("SAML answers", func(t *testing.T) {
		hc := browser()
		good := h.samlAnswer(t, A, h.samlA, ada)
		in := do(t, hc, "POST", acsA, good)
		require.Equal(t, http.StatusSeeOther, in.status, in.body)
		require.True(t, in.session)
		refused(t, do(t, hc, "POST", acsA, good), http.StatusUnauthorized, "used already")

		unsigned := h.samlAnswer(t, A, h.samlA, ada)
		raw, _ := base64.StdEncoding.DecodeString(unsigned.Get("SAMLResponse"))
		unsigned.Set("SAMLResponse", base64.StdEncoding.EncodeToString(regexp.MustCompile(`(?s)<ds:Signature.*?</ds:Signature>`).ReplaceAll(raw, nil)))
		refused(t, do(t, hc, "POST", acsA, unsigned), http.StatusUnauthorized, "not signed by it")

		refused(t, do(t, hc, "POST", acsA, resign(t, h.samlAnswer(t, A, h.samlA, ada))), http.StatusUnauthorized, "not signed by it")
		require.Contains(t, h.lastEvent(t, A), "not signed with the certificate in the identity provider's metadata")

		forB := h.samlAnswer(t, B, h.samlB, bea)
		forB.Set("RelayState", h.relay(t, A, h.samlA))
		refused(t, do(t, hc, "POST", acsA, forB), http.StatusUnauthorized, "not for this platform")

		late := h.samlAnswer(t, A, h.samlA, ada)
		h.exec(t, A, `UPDATE sso_flows SET expires_at = now() - interval '1 minute'`)
		refused(t, do(t, hc, "POST", acsA, late), http.StatusUnauthorized, "took too long")

		unasked := h.samlAnswer(t, A, h.samlA, ada)
		h.exec(t, A, `UPDATE sso_flows SET nonce = 'id-of-no-request-of-ours'`)
		refused(t, do(t, hc, "POST", acsA, unasked), http.StatusUnauthorized, "not for this platform")
		require.Contains(t, h.lastEvent(t, A), "did not answer this sign-in")

		refused(t, do(t, hc, "POST", acsA, h.idpInitiated(t, A, h.samlA, ada)), http.StatusUnauthorized, "used already or took too long")

		refused(t, do(t, hc, "POST", acsA, url.Values{"SAMLResponse": {"%%% not base64 %%%"}, "RelayState": {h.relay(t, A, h.samlA)}}),
			http.StatusUnauthorized, "not for this platform")
		require.Contains(t, h.lastEvent(t, A), "could not be read")

		bomb := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` +
			`<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]>` +
			`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r1" Version="2.0">&c;&x;</samlp:Response>`
		began := time.Now()
		a := do(t, hc, "POST", acsA, url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString([]byte(bomb))}, "RelayState": {h.relay(t, A, h.samlA)}})
		refused(t, a, http.StatusUnauthorized, "not for this platform")
		require.NotContains(t, a.body, "root:")
		require.Less(t, time.Since(began), 5*time.Second)

		big := url.Values{"SAMLResponse": {strings.Repeat("QUFB", 200<<10)}, "RelayState": {h.relay(t, A, h.samlA)}}
		refused(t, do(t, hc, "POST", acsA, big), http.StatusUnauthorized, "not for this platform")
		huge := url.Values{"SAMLResponse": {strings.Repeat("QUFB", 3<<20)}, "RelayState": {h.relay(t, A, h.samlA)}}
		refused(t, do(t, hc, "POST", acsA, huge), http.StatusRequestEntityTooLarge, "too large")
	})

	t.Run("a school whose contract ended", func(t *testing.T) {
		op := h.StaffLogin(h.Operator, apptest.OperatorPassword)
		h.exec(t, B, `UPDATE contracts SET starts_on = current_date - 100 WHERE tenant_id = ?`, B.ID)
		op.Expect(http.StatusOK, "PATCH", "/api/v1/platform/tenants/"+B.ID.String()+"/contract", map[string]any{"ends_on": time.Now().UTC().Format(time.DateOnly)})
		hc := browser()
		refused(t, do(t, hc, "GET", h.oidcBack(t, hc, B, h.oidcB, bea).String(), nil), http.StatusForbidden, "")
		refused(t, do(t, hc, "POST", h.public+"/signin/saml/"+B.Slug+"/acs", h.samlAnswer(t, B, h.samlB, bea)), http.StatusForbidden, "")
	})

	// The school's record of sign-ins has the failures in plain words
	// and nothing of school B: not its people's addresses, not its name.
	events := strings.Join(h.events(t, A), "\n")
	for _, want := range []string{"unknown-name: no one at this school has the account's email address", "refused: account suspended", "belongs to another organisation",
		"the answer came to a browser that did not start this sign-in", "answer to no waiting sign-in",
		"the answer was not signed with the certificate", "the answer was meant for another service"} {
		require.Contains(t, events, want)
	}
	for _, leak := range []string{bea, B.Slug, "destination", "http"} {
		require.NotContains(t, events, leak)
	}
	admin := h.Login(A.Slug, A.AdminUser, apptest.AdminPassword)
	page := admin.Expect(http.StatusOK, "GET", "/t/"+A.Slug+"/admin/sign-ins", nil).Text()
	require.Contains(t, page, "No such account")
	require.NotContains(t, page, bea)
	require.NotContains(t, page, B.Slug)
}
