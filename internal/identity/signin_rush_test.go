package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// addPupils adds n people called pupil0000… to tenant a, all with one
// password hash (hashing 5,000 passwords would take minutes).
func addPupils(t *testing.T, b *idBundle, n int, password string) {
	t.Helper()
	h, err := identity.HashPassword(password)
	require.NoError(t, err)
	rows := make([]identity.Person, 0, n)
	for i := range n {
		p, err := identity.NewPersonRow(b.a, identity.NewPerson{Username: fmt.Sprintf("Pupil%04d", i), DisplayName: fmt.Sprintf("Pupil %d", i)})
		require.NoError(t, err)
		p.PasswordHash = h
		rows = append(rows, p)
	}
	require.NoError(t, access.Transact(context.Background(), b.db.App, access.System(b.a, "test-setup"), func(tx *gorm.DB) error {
		return identity.InsertPeopleTx(tx, rows)
	}))
	conn, err := pgx.Connect(context.Background(), b.db.OwnerURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), "ANALYZE people")
	require.NoError(t, err)
}

// The nine o'clock rush (issue 28): in a school of 5,000, the sign-in
// lookup of a username, in any case, is an index condition on
// people_username_key under the application role and row-level security,
// not a filter over every person of the school. (With the lookup on
// lower(username) it was: the plan read the school's people.)
func TestSignInLookupUsesTheIndexUnderRLS(t *testing.T) {
	t.Parallel()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, LockAfter: 5, LockFor: time.Minute})
	addPupils(t, b, 5000, "pupil-password-1234")
	var plan []byte
	require.NoError(t, access.Transact(context.Background(), b.db.App, access.Authentication(b.a), func(tx *gorm.DB) error {
		return tx.Raw("EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS) "+identity.PersonByUsername, map[string]any{"name": "PUPIL4242"}).Row().Scan(&plan)
	}))
	var doc []struct{ Plan map[string]any }
	require.NoError(t, json.Unmarshal(plan, &doc))
	var scans []map[string]any
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		if strings.Contains(fmt.Sprint(n["Node Type"]), "Scan") {
			scans = append(scans, n)
		}
		if kids, ok := n["Plans"].([]any); ok {
			for _, k := range kids {
				walk(k.(map[string]any))
			}
		}
	}
	walk(doc[0].Plan)
	require.Len(t, scans, 1, "%s", plan)
	scan := scans[0]
	require.Equal(t, "people_username_key", scan["Index Name"], "%s", plan)
	require.Contains(t, scan["Index Cond"], "username_key", "%s", plan)
	require.EqualValues(t, 1, scan["Actual Rows"], "%s", plan)
	require.Zero(t, scan["Rows Removed by Filter"], "no person is read only to be thrown away: %s", plan)

	iss, p, err := b.svc.Login(context.Background(), b.a, "PUPIL4242", "pupil-password-1234", identity.Client{})
	require.NoError(t, err)
	require.Equal(t, "pupil4242", strings.ToLower(p.Username))
	require.NotEmpty(t, iss.Secret)
}

// Fifty pupils signing in at once hold at most SignInsAtOnce of the pool's
// connections (none while a password is checked), all get in, and a
// sign-in that changes nothing on the person's row writes nothing to it.
func TestConcurrentSignInsHoldFewConnections(t *testing.T) {
	t.Parallel()
	const atOnce = 3
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, LockAfter: 5, LockFor: time.Minute, SignInsAtOnce: atOnce, SignInWait: time.Minute})
	addPupils(t, b, 50, "pupil-password-1234")
	// A row's xmin is the transaction that wrote its current version: an
	// UPDATE, even one that changes no value, gives it a new one.
	versions := func() (out []string) {
		require.NoError(t, access.Transact(context.Background(), b.db.App, access.System(b.a, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT id::text || ' ' || xmin::text FROM people WHERE username_key LIKE 'pupil%' ORDER BY id`).Scan(&out).Error
		}))
		return out
	}
	before := versions()
	require.Len(t, before, 50)

	var most atomic.Int32
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := b.db.App.Pool.Stat().AcquiredConns(); n > most.Load() {
				most.Store(n)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	var wg sync.WaitGroup
	failures := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			_, _, err := b.svc.Login(context.Background(), b.a, fmt.Sprintf("pupil%04d", i), "pupil-password-1234", identity.Client{})
			if err != nil {
				failures <- err
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(failures)
	for err := range failures {
		require.NoError(t, err)
	}
	require.LessOrEqual(t, most.Load(), int32(atOnce), "sign-ins held more connections than their bound")
	require.Positive(t, most.Load(), "the sampler saw the sign-ins")
	require.Equal(t, before, versions(), "a sign-in that changes nothing writes no person row")
}

// Past the bound, a sign-in that cannot get its turn within the wait is
// refused as busy (429 with Retry-After), never queued without end; the
// others get in.
func TestSignInRushBeyondTheBoundIsBusy(t *testing.T) {
	t.Parallel()
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, LockAfter: 5, LockFor: time.Minute, SignInsAtOnce: 1, SignInWait: time.Millisecond})
	addPupils(t, b, 20, "pupil-password-1234")
	var busy, in atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, _, err := b.svc.Login(context.Background(), b.a, fmt.Sprintf("pupil%04d", i), "pupil-password-1234", identity.Client{})
			var be errs.BusyError
			switch {
			case err == nil:
				in.Add(1)
			case errors.As(err, &be):
				require.Positive(t, be.RetryAfterSeconds)
				busy.Add(1)
			default:
				t.Errorf("sign-in %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	require.Positive(t, busy.Load(), "one slot and no wait: some were refused as busy")
	require.Positive(t, in.Load())
	require.EqualValues(t, 20, busy.Load()+in.Load())
}
