package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// integrationCall gets an access token with the client id and secret
// (client_secret_basic) and lists tenant A's courses with it; it returns
// the token endpoint's status and, when a token came, the list's.
func integrationCall(t *testing.T, server, clientID, secret string) (tokenStatus, listStatus int) {
	req, err := http.NewRequest("POST", server+"/api/v1/oauth2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tok))
	_ = res.Body.Close()
	if res.StatusCode != 200 {
		return res.StatusCode, 0
	}
	req, err = http.NewRequest("GET", server+"/api/v1/t/tenant-a/courses", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	return 200, res.StatusCode
}

// Integrations, in the browser (axe, 375 px, plain words), as the admin
// does it: the form says what is missing; registering shows the client id
// and secret once; the program reads courses with them; the record of
// processing lists it as a recipient with what it reads and the access
// log names it; revoking asks first and then stops it at once.
func TestIntegrationsInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.Narrow = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	a.Go("/t/tenant-a/admin/integrations", "integrations")
	require.Contains(t, a.Text("main"), "None yet.")
	a.Submit(`//main//button[.="Register"]`, "integrations-empty")
	require.Contains(t, a.Text("main"), "choose at least one thing the integration may do")

	a.Fill("#name", "Timetable sync")
	a.Run(chromedp.Click(`//input[@value="courses:read"]`, chromedp.BySearch))
	a.Run(chromedp.Click(`//input[@value="grades:read"]`, chromedp.BySearch))
	a.Submit(`//main//button[.="Register"]`, "integrations-registered")
	require.Contains(t, a.Text("main"), "it is not shown again")
	clientID := strings.TrimSpace(a.Text("#client-id"))
	secret := strings.TrimSpace(a.Text("#client-secret"))
	require.True(t, strings.HasPrefix(clientID, "lms_ci_"), clientID)
	require.Contains(t, a.Text("main"), "Read courses, Read marks")
	tok, list := integrationCall(t, e.Server.URL, clientID, secret)
	require.Equal(t, [2]int{200, 200}, [2]int{tok, list})

	// Shown once: the list has the name, never the secret.
	a.Go("/t/tenant-a/admin/integrations", "")
	require.NotContains(t, a.Text("main"), secret)
	require.Contains(t, a.Text("main"), "In use")

	// A recipient on the record of processing, in plain words.
	a.Go("/t/tenant-a/admin/records", "")
	rec := a.Text("main")
	require.Contains(t, rec, "“Timetable sync”")
	require.Contains(t, rec, "courses, their sections and content, and who is enrolled on each")
	require.Contains(t, rec, "learners' marks and feedback")
	// And in the access log, by name.
	a.Go("/t/tenant-a/admin/access-log", "")
	require.Contains(t, a.Text("main"), "The integration “Timetable sync” read")

	// Revoking asks first; then the program is refused at once.
	a.Go("/t/tenant-a/admin/integrations", "")
	a.Submit(`//main//a[starts-with(., "Revoke")]`, "integrations-revoke-confirm")
	require.Contains(t, a.Text("main"), "stops working at once")
	a.Submit(`//main//button[.="Revoke Timetable sync"]`, "integrations-revoked")
	require.Contains(t, a.Text("main"), "Revoked.")
	require.Contains(t, a.Text("main"), "Revoked ")
	tok, _ = integrationCall(t, e.Server.URL, clientID, secret)
	require.Equal(t, 401, tok)
}
