package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
)

// zipOf is a zip whose members are written by fill, each as it comes.
func zipOf(t *testing.T, members map[string]func(io.Writer)) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, fill := range members {
		w, err := zw.Create(n)
		require.NoError(t, err)
		fill(w)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// repeat writes n bytes of b.
func repeat(b byte, n int64) func(io.Writer) {
	return func(w io.Writer) {
		chunk := bytes.Repeat([]byte{b}, 1<<20)
		for ; n > 0; n -= int64(len(chunk)) {
			if n < int64(len(chunk)) {
				chunk = chunk[:n]
			}
			_, _ = w.Write(chunk)
		}
	}
}

// postAs sends a roster action with c's session from any goroutine (the
// apptest client fails the test from its own), returning the status.
func postAs(c *apptest.Client, base, path string) (int, error) {
	req, err := http.NewRequest("POST", base+path, nil)
	if err != nil {
		return 0, err
	}
	req.AddCookie(&http.Cookie{Name: "lms_session", Value: c.Cookie})
	req.Header.Set("X-CSRF-Token", c.CSRF)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Hostile callers of the roster sync delivery route and of held imports:
// each gets a 4xx, never a 500, and changes nothing of the tenant.
func TestRosterHostileCallers(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	scA, scB := access.Member(e.A.ID, e.A.AdminID), access.Member(e.B.ID, e.B.AdminID)
	issA, err := e.App.RosterSync.Create(ctx, scA, "MIS of A")
	require.NoError(t, err)
	issB, err := e.App.RosterSync.Create(ctx, scB, "MIS of B")
	require.NoError(t, err)
	files := rosterFiles(t)
	good := rosterZip(t, files)
	deliveries := func() int {
		ds, err := e.App.RosterSync.Deliveries(ctx, scA, 100)
		require.NoError(t, err)
		return len(ds)
	}

	t.Run("another tenant's or a revoked credential", func(t *testing.T) {
		require.Equal(t, 404, deliverZip(e, e.A.Slug, issB.Secret, good).Status)
		revoked, err := e.App.RosterSync.Create(ctx, scA, "old MIS")
		require.NoError(t, err)
		require.NoError(t, e.App.RosterSync.Revoke(ctx, scA, revoked.ID))
		require.Equal(t, 401, deliverZip(e, e.A.Slug, revoked.Secret, good).Status)
		require.Zero(t, deliveries())
	})

	t.Run("not a zip", func(t *testing.T) {
		r := deliverZip(e, e.A.Slug, issA.Secret, []byte("PK\x03\x04 this is not really a zip"))
		require.Equal(t, 400, r.Status, r.Text())
		require.Contains(t, r.Text(), "not a zip")
		c := e.Anonymous()
		c.Bearer = issA.Secret
		require.Equal(t, 400, c.Do("POST", "/api/v1/t/"+e.A.Slug+"/roster/deliveries", map[string]string{"users.csv": "x"}).Status)
		require.Zero(t, deliveries())
	})

	t.Run("a zip bomb", func(t *testing.T) {
		bomb := zipOf(t, map[string]func(io.Writer){"users.csv": repeat('a', 1<<30+1)})
		require.Less(t, len(bomb), 2<<20, "a small zip")
		began := time.Now()
		r := deliverZip(e, e.A.Slug, issA.Secret, bomb)
		require.Equal(t, 400, r.Status, r.Text())
		require.Contains(t, r.Text(), "larger than")
		require.Less(t, time.Since(began), 30*time.Second)
		require.Zero(t, deliveries())
	})

	t.Run("path traversal in member names", func(t *testing.T) {
		members := map[string]func(io.Writer){}
		for n, body := range map[string]string{"../../users.csv": files["users.csv"], "/etc/roles.csv": files["roles.csv"],
			"x/../../classes.csv": files["classes.csv"], `..\..\enrollments.csv`: files["enrollments.csv"]} {
			body := body
			members[n] = func(w io.Writer) { _, _ = io.WriteString(w, body) }
		}
		r := deliverZip(e, e.A.Slug, issA.Secret, zipOf(t, members))
		require.Equal(t, 202, r.Status, r.Text())
		var d rostersync.Delivery
		r.Decode(&d)
		require.Equal(t, []string{"classes.csv", "roles.csv", "users.csv"}, d.FileNames, "names are the files' own, no paths")
		for _, n := range d.FileNames {
			require.NotContains(t, n, "..")
		}
	})

	t.Run("a 70 MiB body", func(t *testing.T) {
		c := e.Anonymous()
		c.Bearer = issA.Secret
		before := deliveries()
		r := c.Upload("/api/v1/t/"+e.A.Slug+"/roster/deliveries", "oneroster.zip", io.LimitReader(zeroes{}, 70<<20))
		require.Contains(t, []int{400, 413}, r.Status, r.Text())
		require.Equal(t, before, deliveries())
	})

	t.Run("held imports: another tenant's, not held, twice at once", func(t *testing.T) {
		adminA := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
		adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
		base := "/api/v1/t/" + e.A.Slug + "/roster/imports"
		bulk := map[string]string{"manifest.csv": "propertyName,value\nfile.users,bulk\nfile.roles,bulk\nfile.classes,bulk\nfile.enrollments,bulk\n"}
		for n, b := range files {
			bulk[n] = b
		}
		applied := decodeImport(t, rosterUpload(adminA, base, bulk))
		require.EqualValues(t, "applied", applied.Status)
		// hold sends the full file without the pupils left out, which
		// ends one in three or four of the school's people: held.
		hold := func(leftOut ...string) string {
			fewer := map[string]string{}
			for n, body := range bulk {
				var kept []string
				for _, line := range strings.SplitAfter(body, "\n") {
					if !slices.ContainsFunc(leftOut, func(id string) bool { return strings.Contains(line, id) }) {
						kept = append(kept, line)
					}
				}
				fewer[n] = strings.Join(kept, "")
			}
			r := rosterUpload(adminA, base, fewer)
			rec := decodeImport(t, r)
			require.EqualValues(t, "held", rec.Status, r.Text())
			return rec.ID.String()
		}
		held := hold("u-s1")

		for _, act := range []string{"confirm", "discard"} {
			require.Equal(t, 404, adminB.Do("POST", "/api/v1/t/"+e.B.Slug+"/roster/imports/"+held+"/"+act, nil).Status, "another tenant's import")
			require.Equal(t, 404, adminB.Do("POST", base+"/"+held+"/"+act, nil).Status, "another tenant's path")
			require.Equal(t, 409, adminA.Do("POST", base+"/"+applied.ID.String()+"/"+act, nil).Status, "not held")
			require.Equal(t, 404, adminA.Do("POST", base+"/"+uuid.NewString()+"/"+act, nil).Status, "no such import")
			require.Equal(t, 404, adminA.Do("POST", base+"/not-an-id/"+act, nil).Status, "not an id")
		}

		// Twice at once, and confirm against discard: one wins, the other
		// is told it is no longer held.
		for _, pair := range [][2]string{{"confirm", "confirm"}, {"discard", "discard"}, {"confirm", "discard"}} {
			id := held
			if pair != [2]string{"confirm", "confirm"} {
				id = hold("u-s1", "u-s2") // u-s1 ended by the first confirm
			}
			var wg sync.WaitGroup
			got := make([]int, 2)
			errs := make([]error, 2)
			for i, act := range pair {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = postAs(adminA, e.Server.URL, base+"/"+id+"/"+act)
				}()
			}
			wg.Wait()
			require.NoError(t, errs[0])
			require.NoError(t, errs[1])
			ok := 0
			for _, s := range got {
				require.Less(t, s, 500, "%v: %v", pair, got)
				if s < 300 {
					ok++
				} else {
					require.Equal(t, 409, s, "%v: %v", pair, got)
				}
			}
			require.Equal(t, 1, ok, "%v: %v", pair, got)
		}
	})
}

// zeroes reads as endless zero bytes.
type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
