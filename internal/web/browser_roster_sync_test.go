package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/comms/commstest"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// deliverRoster sends the roster package's test files, changed by edit,
// as one zip to the delivery route with secret, as an MIS sync tool does.
func deliverRoster(t *testing.T, server, secret string, edit func(map[string][]byte)) int {
	files := map[string][]byte{}
	for _, n := range []string{"users.csv", "roles.csv", "classes.csv", "enrollments.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "lms", "roster", "testdata", n))
		require.NoError(t, err)
		files[n] = b
	}
	if edit != nil {
		edit(files)
	}
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	for n, b := range files {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, err := mw.CreateFormFile("file", "oneroster.zip")
	require.NoError(t, err)
	_, err = w.Write(zipped.Bytes())
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", server+"/api/v1/t/tenant-a/roster/deliveries", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	return res.StatusCode
}

// Roster sync, in the browser (axe, 375 px, plain words): the admin makes
// a credential on Roster sync and sees it once; an MIS delivers a zip
// with it over HTTP; the scheduled run applies it and the admin finds the
// import, delivered by the tool, on the page and on Bulk import. A
// delivery with a broken file is not applied and the admins get an email
// that links to it. Revoking the credential stops further deliveries.
func TestRosterSyncInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	mb := commstest.New(t)
	mail := "rs-admin-" + uuid.NewString()[:8] + "@example.org"
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE people SET email = ? WHERE id = ?`, mail, e.A.AdminID).Error
	}))

	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.Narrow = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	a.Go("/t/tenant-a/admin/roster-sync", "roster-sync")
	require.Contains(t, a.Text("main"), "No deliveries yet.")
	a.Submit(`//main//button[.="Make credential"]`, "roster-sync-empty-name")
	require.Contains(t, a.Text("main"), "must be 1-100 characters")
	a.Fill("#name", "Wonde nightly")
	a.Submit(`//main//button[.="Make credential"]`, "roster-sync-made")
	secret := strings.TrimSpace(a.Text("#new-credential"))
	require.True(t, strings.HasPrefix(secret, "lms_r_"), secret)
	require.Contains(t, a.Text("main"), "it is not shown again")

	// The schedule: as soon as delivered unless the school picks hours.
	require.Equal(t, "0", a.Value("#every_hours"))
	a.Run(chromedp.SetValue("#every_hours", "24", chromedp.ByQuery))
	a.Submit(`//main//button[.="Save"]`, "roster-sync-saved")
	require.Contains(t, a.Text("main"), "Saved.")
	require.Equal(t, "24", a.Value("#every_hours"))
	// Once a day at a time of day: a time that is not one is refused
	// beside its box and stays as typed; 06:00 is kept.
	a.Fill("#at", "6am")
	a.Submit(`//main//button[.="Save"]`, "roster-sync-bad-time")
	require.Contains(t, a.Text("#at-error"), "24-hour clock")
	require.Equal(t, "6am", a.Value("#at"), "what was typed stays")
	a.Fill("#at", "06:00")
	a.Submit(`//main//button[.="Save"]`, "roster-sync-daily")
	require.Equal(t, "06:00", a.Value("#at"))
	sch, err := e.App.RosterSync.Schedule(ctx, access.Member(e.A.ID, e.A.AdminID))
	require.NoError(t, err)
	require.Equal(t, 6*60, *sch.AtMinute)
	a.Run(chromedp.SetValue("#every_hours", "0", chromedp.ByQuery))
	a.Fill("#at", "")
	a.Submit(`//main//button[.="Save"]`, "")

	require.Equal(t, http.StatusAccepted, deliverRoster(t, e.Server.URL, secret, nil))
	d, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, rostersync.Applied, d.Status, d.Detail)

	a.Go("/t/tenant-a/admin/roster-sync", "roster-sync-applied")
	rows := a.Text("main")
	require.NotContains(t, rows, secret, "the credential is shown once")
	require.Contains(t, rows, "Wonde nightly")
	require.NotContains(t, a.Text("main table tbody"), "Never", "its last delivery is shown")
	a.Submit(`//main//table//a[.="Applied"]`, "roster-sync-import")
	require.Contains(t, a.Path(), "/t/tenant-a/admin/roster/"+d.ImportID.String())
	a.Go("/t/tenant-a/admin/roster", "")
	history := a.Text("main table tbody")
	require.Contains(t, history, "Imported", "the run is on the import history")
	require.Contains(t, history, "Roster sync: Wonde nightly", "with the tool that delivered it")

	// A broken file: nothing applied, the admins are told by email.
	require.Equal(t, http.StatusAccepted, deliverRoster(t, e.Server.URL, secret, func(f map[string][]byte) {
		f["enrollments.csv"] = append(f["enrollments.csv"], []byte("e-bad,,,c-none,,u-none,student,false,,\n")...)
	}))
	d, err = e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, rostersync.Rejected, d.Status)
	_, err = e.App.Comms.Deliver(ctx, e.A.ID)
	require.NoError(t, err)
	msgs := mb.Wait(mail, 1)
	require.Len(t, msgs, 1, "one email to the admin")
	m := commstest.Check(t, msgs[0])
	require.Contains(t, m.Subject, "Roster sync")
	require.Contains(t, m.Text, "Wonde nightly")
	require.Contains(t, m.Text, "/t/tenant-a/admin/roster/"+d.ImportID.String())
	a.Go("/t/tenant-a/admin/roster-sync", "roster-sync-rejected")
	require.Contains(t, a.Text("main"), "Not applied: the files have problems")

	a.Submit(`//main//button[starts-with(., "Revoke")]`, "roster-sync-revoked")
	require.Contains(t, a.Text("main"), "can no longer deliver")
	require.Equal(t, http.StatusUnauthorized, deliverRoster(t, e.Server.URL, secret, nil))

	// The school's trail says it all in words.
	a.Go("/t/tenant-a/admin/access-log", "")
	trail := a.Text("main")
	require.Contains(t, trail, "made a roster sync credential (“Wonde nightly”)")
	require.Contains(t, trail, "The sync tool “Wonde nightly” delivered roster files")
	require.Contains(t, trail, "The roster files “Wonde nightly” delivered were applied")
	require.Contains(t, trail, "were not applied (they have problems)")
	require.Contains(t, trail, "revoked the roster sync credential “Wonde nightly”")
}
