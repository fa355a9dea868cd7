package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
)

// rosterZip is files as one zip.
func rosterZip(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, c := range files {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = w.Write([]byte(c))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// deliverZip posts a zip in part "file" with the integration's secret.
func deliverZip(e *apptest.Env, tenant, secret string, zipped []byte) *apptest.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("file", "oneroster.zip")
	_, _ = w.Write(zipped)
	_ = mw.Close()
	c := e.Anonymous()
	c.Bearer = secret
	return c.DoWith("POST", "/api/v1/t/"+tenant+"/roster/deliveries", &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
}

var pathParam = regexp.MustCompile(`:[a-z_]+|\*[a-z_]+`)

// An integration credential reaches the delivery route of its own tenant
// and nothing else: every other route of the table (API and pages)
// refuses it as unauthenticated, another tenant's delivery route answers
// 404, and once revoked it is refused there too. Creation, use and
// revocation are in the tenant's audit trail.
func TestRosterSyncCredentialReachesOnlyDeliveries(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := access.Member(e.A.ID, e.A.AdminID)
	iss, err := e.App.RosterSync.Create(ctx, admin, "Wonde nightly")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(iss.Secret, "lms_r_"))

	walked := 0
	for _, rt := range e.App.Kernel.Routes() {
		if rt.Public {
			continue // nobody signs in there; the credential is not read
		}
		path := strings.ReplaceAll(rt.Path, ":tenant", e.A.Slug)
		path = pathParam.ReplaceAllString(path, uuid.NewString())
		c := e.Anonymous()
		c.Bearer = iss.Secret
		r := c.DoWith(rt.Method, path, nil, nil)
		if rt.Page && r.Status == 303 { // a page sends the unknown to sign in
			require.Regexp(t, `^/(staff/)?signin`, r.Header.Get("Location"), "%s %s sent the roster credential to %s", rt.Method, rt.Path, r.Header.Get("Location"))
		} else {
			require.Equal(t, 401, r.Status, "%s %s answered %d with the roster credential", rt.Method, rt.Path, r.Status)
		}
		walked++
	}
	require.Greater(t, walked, 100)

	zipped := rosterZip(t, rosterFiles(t))
	r := deliverZip(e, e.A.Slug, iss.Secret, zipped)
	require.Equal(t, 202, r.Status, r.Text())
	var d rostersync.Delivery
	r.Decode(&d)
	require.Equal(t, rostersync.Delivered, d.Status)
	require.Equal(t, []string{"classes.csv", "enrollments.csv", "roles.csv", "users.csv"}, d.FileNames)
	require.Equal(t, 202, deliverZip(e, e.A.ID.String(), iss.Secret, zipped).Status, "the tenant's id works as its slug does")

	require.Equal(t, 404, deliverZip(e, e.B.Slug, iss.Secret, zipped).Status, "another tenant")
	require.Equal(t, 401, deliverZip(e, e.A.Slug, "", zipped).Status)
	require.Equal(t, 401, deliverZip(e, e.A.Slug, iss.Secret[:len(iss.Secret)-1]+"x", zipped).Status)
	// A person's own token is not a sync credential.
	tok := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword).Expect(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "script"})
	require.Equal(t, 401, deliverZip(e, e.A.Slug, tok.JSON()["secret"].(string), zipped).Status)

	list, err := e.App.RosterSync.List(ctx, admin)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.NotNil(t, list[0].LastUsedAt)
	require.NoError(t, e.App.RosterSync.Revoke(ctx, admin, iss.ID))
	require.Equal(t, 401, deliverZip(e, e.A.Slug, iss.Secret, zipped).Status, "revoked")

	// Tenant B's admin cannot see or revoke A's credential.
	other := access.Member(e.B.ID, e.B.AdminID)
	bl, err := e.App.RosterSync.List(ctx, other)
	require.NoError(t, err)
	require.Empty(t, bl)
	require.Error(t, e.App.RosterSync.Revoke(ctx, other, iss.ID))

	var actions []string
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT action FROM audit_events WHERE action LIKE 'roster-sync.%' ORDER BY seq`).Scan(&actions).Error
	}))
	require.Equal(t, []string{"roster-sync.credential_created", "roster-sync.delivered", "roster-sync.delivered", "roster-sync.credential_revoked"}, actions)

	// After tenant B's contract ended, its sync tool's delivery is refused
	// and the sweep applies nothing there.
	bIss, err := e.App.RosterSync.Create(ctx, other, "B's MIS")
	require.NoError(t, err)
	require.Equal(t, 202, deliverZip(e, e.B.Slug, bIss.Secret, zipped).Status)
	require.NoError(t, e.App.DB.Gorm.Exec(`UPDATE contracts SET ends_on = current_date - 1 WHERE tenant_id = ?`, e.B.ID).Error)
	e.App.Tenants.Forget(e.B.ID)
	require.Equal(t, 409, deliverZip(e, e.B.Slug, bIss.Secret, zipped).Status)
	require.NoError(t, e.App.RosterSync.Sweep(ctx))
	bd, err := e.App.RosterSync.Deliveries(ctx, other, 10)
	require.NoError(t, err)
	require.Len(t, bd, 1)
	require.Equal(t, rostersync.Delivered, bd[0].Status, "not applied after the end")
}

// The schedule applies the latest delivery only (the older one is
// recorded as superseded), as the integration; running again does
// nothing; a delivery on an hourly schedule waits for its hour.
func TestRosterSyncRunAppliesLatest(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := access.Member(e.A.ID, e.A.AdminID)
	iss, err := e.App.RosterSync.Create(ctx, admin, "MIS")
	require.NoError(t, err)

	files := rosterFiles(t)
	old := map[string]string{}
	for k, v := range files {
		old[k] = v
	}
	old["users.csv"] = strings.Replace(old["users.csv"], "Bobby", "Robert", 1)
	require.Equal(t, 202, deliverZip(e, e.A.Slug, iss.Secret, rosterZip(t, old)).Status)
	require.Equal(t, 202, deliverZip(e, e.A.Slug, iss.Secret, rosterZip(t, files)).Status)
	var waiting int64
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM roster_deliveries WHERE files IS NOT NULL`).Scan(&waiting).Error
	}))
	require.EqualValues(t, 1, waiting, "one copy waits: the older delivery was superseded as the newer came")

	d, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.NotNil(t, d)
	require.Equal(t, rostersync.Applied, d.Status, d.Detail)
	require.NotNil(t, d.ImportID)
	rec, err := e.App.Roster.Get(ctx, admin, *d.ImportID)
	require.NoError(t, err)
	require.Equal(t, roster.Applied, rec.Status)
	require.Equal(t, 4, rec.Counts.People.Created)

	ds, err := e.App.RosterSync.Deliveries(ctx, admin, 10)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	require.Equal(t, rostersync.Applied, ds[0].Status)
	require.Equal(t, "MIS", ds[0].Integration)
	require.Equal(t, rostersync.Superseded, ds[1].Status)
	require.Equal(t, ds[0].ID, *ds[1].SupersededBy)
	by, err := e.App.RosterSync.DeliveredBy(ctx, admin, []uuid.UUID{*d.ImportID})
	require.NoError(t, err)
	require.Equal(t, "MIS", by[*d.ImportID])

	again, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Nil(t, again, "nothing waiting")
	var files0 int64
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM roster_deliveries WHERE files IS NOT NULL`).Scan(&files0).Error
	}))
	require.Zero(t, files0, "applied and superseded deliveries keep no files")

	// Hourly: the next delivery waits, as the last run was just now.
	require.NoError(t, e.App.RosterSync.SetSchedule(ctx, admin, 1, ""))
	require.Equal(t, 202, deliverZip(e, e.A.Slug, iss.Secret, rosterZip(t, files)).Status)
	later, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Nil(t, later)
	require.Error(t, e.App.RosterSync.SetSchedule(ctx, admin, 5, ""), "not a choice")

	// Tenant B saw nothing of it.
	bd, err := e.App.RosterSync.Deliveries(ctx, access.Member(e.B.ID, e.B.AdminID), 10)
	require.NoError(t, err)
	require.Empty(t, bd)
}

// A worker that died after claiming a delivery leaves it to the next run
// once the claim is stale; the end state is the same.
func TestRosterSyncRunResumesAStaleClaim(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := access.Member(e.A.ID, e.A.AdminID)
	iss, err := e.App.RosterSync.Create(ctx, admin, "MIS")
	require.NoError(t, err)
	require.Equal(t, 202, deliverZip(e, e.A.Slug, iss.Secret, rosterZip(t, rosterFiles(t))).Status)
	// A run under way (a fresh claim) is left to finish.
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE roster_deliveries SET status = 'applying', attempts = 1, claimed_at = now()`).Error
	}))
	busy, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Nil(t, busy)
	// As if that run's worker was killed 11 minutes ago.
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE roster_deliveries SET status = 'applying', attempts = 1, claimed_at = now() - interval '11 minutes'`).Error
	}))
	d, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.NotNil(t, d)
	require.Equal(t, rostersync.Applied, d.Status)
	require.EqualValues(t, 4+1, rosterRows(t, e, e.A.ID)["people"])
}

// A bulk delivery that would end more people than the safety limit allows
// is held by the importer: the run records it as held and the admins are
// emailed a link to the import, where they confirm it.
func TestRosterSyncHeldRunAlertsAdmins(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := access.Member(e.A.ID, e.A.AdminID)
	iss, err := e.App.RosterSync.Create(ctx, admin, "MIS")
	require.NoError(t, err)
	files := rosterFiles(t)
	files["manifest.csv"] = "propertyName,value\nfile.users,bulk\nfile.roles,bulk\nfile.classes,bulk\nfile.enrollments,bulk\n"
	require.Equal(t, 202, deliverZip(e, e.A.Slug, iss.Secret, rosterZip(t, files)).Status)
	d, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, rostersync.Applied, d.Status, d.Detail)

	// A pupil left out of the full file: one in five of the school's people.
	for n, body := range files {
		var kept []string
		for _, line := range strings.SplitAfter(body, "\n") {
			if !strings.Contains(line, "u-s1") {
				kept = append(kept, line)
			}
		}
		files[n] = strings.Join(kept, "")
	}
	require.Equal(t, 202, deliverZip(e, e.A.Slug, iss.Secret, rosterZip(t, files)).Status)
	d, err = e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Equal(t, rostersync.Held, d.Status, d.Detail)
	require.NotNil(t, d.ImportID)
	rec, err := e.App.Roster.Get(ctx, admin, *d.ImportID)
	require.NoError(t, err)
	require.EqualValues(t, rostersync.Held, rec.Status)

	var mails []struct{ ToAddress, Subject, Body string }
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT to_address, subject, body FROM email_outbox WHERE subject LIKE 'Roster sync%'`).Scan(&mails).Error
	}))
	require.Len(t, mails, 1)
	require.Equal(t, e.A.AdminUser, mails[0].ToAddress)
	require.Contains(t, mails[0].Subject, "waiting for an admin to confirm")
	require.Contains(t, mails[0].Body, "/t/tenant-a/admin/roster/"+d.ImportID.String())

	// The admin confirms it; the sync has nothing left to do.
	_, err = e.App.Roster.Confirm(ctx, admin, *d.ImportID)
	require.NoError(t, err)
	again, err := e.App.RosterSync.Run(ctx, e.A.ID)
	require.NoError(t, err)
	require.Nil(t, again)
}
