package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
)

var setPasswordLink = regexp.MustCompile(`https?://[^\s]+/set-password/([A-Za-z0-9_-]+)`)

// A tenant's first admin made without a password (as in production) gets
// a link by email, sets their own password with it once, and signs in; an
// admin can email anyone with an address a new link, which ends their
// sessions when used; a used, tampered or replaced link does nothing.
func TestFirstAdminSetsTheirPasswordFromAnEmailedLink(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	mail := newMailbox(t)
	op := e.StaffLogin(e.Operator, apptest.OperatorPassword)
	m := apptest.Manifest("tenant-inv", "uk")
	m.Admins[0].InitialPassword = ""
	m.Admins[0].Email = "head-" + uuid.NewString() + "@inv.example" // the mail catcher is shared by every run
	m.Admins[0].Username = m.Admins[0].Email
	r := op.Expect(http.StatusCreated, "POST", "/api/v1/platform/tenants", m)
	require.Contains(t, r.Text(), "invited admin")
	require.NoError(t, e.App.Comms.SweepOnce(t.Context()))
	got := mail.to(m.Admins[0].Email)
	require.Len(t, got, 1)
	require.Contains(t, got[0].Subject, "Set your password")
	link := setPasswordLink.FindStringSubmatch(got[0].Text)
	require.NotNil(t, link, got[0].Text)
	token := link[1]
	require.NoError(t, e.App.Comms.SweepOnce(t.Context()))
	require.Len(t, mail.to(m.Admins[0].Email), 1, "sent once")

	// Lost or expired: the operator's way in is a new invitation (the old
	// link stops working); an admin who has a password is never touched.
	// (A link less than a minute old is reused, not doubled: age it.)
	super, err := pgx.Connect(t.Context(), e.DB.SuperURL)
	require.NoError(t, err)
	defer super.Close(t.Context())
	_, err = super.Exec(t.Context(), `UPDATE password_links SET created_at = now() - interval '2 minutes'`)
	require.NoError(t, err)
	n, err := e.App.Identity.InviteFirstAdmins(t.Context(), tenantOf(t, e, "tenant-inv"))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, e.App.Comms.SweepOnce(t.Context()))
	got = mail.to(m.Admins[0].Email)
	require.Len(t, got, 2)
	anon := e.Anonymous()
	require.Equal(t, http.StatusNotFound, anon.Do("GET", "/set-password/"+token, nil).Status, "replaced by the new one")
	working := []string{}
	for _, g := range got {
		if tok := setPasswordLink.FindStringSubmatch(g.Text)[1]; anon.Do("GET", "/set-password/"+tok, nil).Status == http.StatusOK {
			working = append(working, tok)
		}
	}
	require.Len(t, working, 1, "only the newest link works")
	token = working[0]
	n, err = e.App.Identity.InviteFirstAdmins(t.Context(), e.A.ID)
	require.NoError(t, err)
	require.Zero(t, n, "tenant A's admin has a password")

	page := anon.Expect(http.StatusOK, "GET", "/set-password/"+token, nil)
	require.Contains(t, page.Text(), m.Admins[0].Username)
	require.Equal(t, http.StatusNotFound, anon.Do("GET", "/set-password/"+token[:len(token)-2]+"AA", nil).Status, "tampered")
	r = anon.Expect(http.StatusBadRequest, "POST", "/set-password/"+token, url.Values{"password": {"a-good-long-password"}, "confirm": {"a-different-password"}})
	require.Contains(t, r.Text(), `id="confirm-error"`)
	r = anon.Expect(http.StatusBadRequest, "POST", "/set-password/"+token, url.Values{"password": {"short"}, "confirm": {"short"}})
	require.Contains(t, r.Text(), `id="password-error"`)
	r = anon.Expect(http.StatusOK, "POST", "/set-password/"+token, url.Values{"password": {"a-good-long-password"}, "confirm": {"a-good-long-password"}})
	require.Contains(t, r.Text(), "/signin?tenant=tenant-inv")
	head := e.Login("tenant-inv", m.Admins[0].Username, "a-good-long-password")
	require.Equal(t, http.StatusOK, head.Do("GET", "/api/v1/me", nil).Status)
	require.Equal(t, http.StatusNotFound, anon.Do("POST", "/set-password/"+token, url.Values{"password": {"another-long-password"}, "confirm": {"another-long-password"}}).Status, "used once")

	// An admin sends a learner a link; using it ends the learner's sessions.
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	forgetful := "forgetful-" + uuid.NewString() + "@a.example"
	r = admin.Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "forgetful", "display_name": "Forgetful Pupil", "password": "first-password-1", "email": forgetful})
	pupilID := r.JSON()["id"].(string)
	pupil := e.Login(e.A.Slug, "forgetful", "first-password-1")
	r = admin.Expect(http.StatusAccepted, "POST", "/api/v1/t/tenant-a/people/"+pupilID+"/password-link", nil)
	require.NoError(t, e.App.Comms.SweepOnce(t.Context()))
	got = mail.to(forgetful)
	require.Len(t, got, 1)
	require.Contains(t, got[0].Subject, "new password")
	token = setPasswordLink.FindStringSubmatch(got[0].Text)[1]
	r = anon.Expect(http.StatusOK, "POST", "/set-password/"+token, url.Values{"password": {"second-password-2"}, "confirm": {"second-password-2"}})
	require.Equal(t, http.StatusUnauthorized, pupil.Do("GET", "/api/v1/me", nil).Status, "their sessions ended")
	require.Equal(t, http.StatusOK, e.Login(e.A.Slug, "forgetful", "second-password-2").Do("GET", "/api/v1/me", nil).Status)

	// Fifty clicks at once make one working link and send one email.
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			admin.Do("POST", "/api/v1/t/tenant-a/people/"+pupilID+"/password-link", nil)
		}()
	}
	wg.Wait()
	var open int
	require.NoError(t, super.QueryRow(t.Context(), `SELECT count(*) FROM password_links WHERE person_id = $1 AND used_at IS NULL`, pupilID).Scan(&open))
	require.Equal(t, 1, open)
	var sends sync.WaitGroup
	for range 4 {
		sends.Add(1)
		go func() { defer sends.Done(); _ = e.App.Comms.SweepOnce(t.Context()) }()
	}
	sends.Wait()
	require.Len(t, mail.to(forgetful), 2, "one more email, whatever the clicks and the concurrent deliveries")
	// Suspending voids it: reactivation does not bring it back.
	require.Equal(t, http.StatusOK, admin.Do("PATCH", "/api/v1/t/tenant-a/people/"+pupilID, map[string]any{"status": "suspended"}).Status)
	require.Equal(t, http.StatusOK, admin.Do("PATCH", "/api/v1/t/tenant-a/people/"+pupilID, map[string]any{"status": "active"}).Status)
	require.NoError(t, super.QueryRow(t.Context(), `SELECT count(*) FROM password_links WHERE person_id = $1 AND used_at IS NULL`, pupilID).Scan(&open))
	require.Zero(t, open)

	// No email address: a field error. Another tenant's person: not found.
	r = admin.Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "no-mail", "display_name": "No Mail"})
	r = admin.Expect(http.StatusBadRequest, "POST", "/api/v1/t/tenant-a/people/"+r.JSON()["id"].(string)+"/password-link", nil)
	require.Contains(t, r.Text(), "email")
	require.Equal(t, http.StatusNotFound, e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword).Do("POST", "/api/v1/t/tenant-b/people/"+pupilID+"/password-link", nil).Status)
}

func tenantOf(t *testing.T, e *apptest.Env, slug string) uuid.UUID {
	tn, err := e.App.Tenants.BySlug(t.Context(), slug)
	require.NoError(t, err)
	return tn.ID
}

// Deliveries running at once (each message queues one, and the sweep runs
// every minute) send each email once.
func TestConcurrentDeliveriesSendOnce(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	mail := newMailbox(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	addr := "once-" + uuid.NewString() + "@a.example"
	admin.Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/people", map[string]any{"username": "once", "display_name": "Once", "email": addr, "role": "learner"})
	for i := range 5 {
		admin.Expect(http.StatusCreated, "POST", "/api/v1/t/tenant-a/communications", map[string]any{"subject": fmt.Sprintf("Once %d", i), "body": "x", "by_email": true})
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = e.App.Comms.SweepOnce(t.Context()) }()
	}
	wg.Wait()
	require.NoError(t, e.App.Comms.SweepOnce(t.Context()))
	require.Len(t, mail.to(addr), 5, "five messages, each once")
}
