package identity

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// params are OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane), which keeps
// a login under ~30 ms on one core while costing an attacker real memory.
var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// MinPasswordLength follows NCSC guidance: length over composition rules.
const MinPasswordLength = 12

// HashPassword returns an argon2id PHC string.
func HashPassword(pw string) (string, error) {
	h, err := argon2id.CreateHash(pw, params)
	if err != nil {
		return "", fmt.Errorf("identity: hash password: %w", err)
	}
	return h, nil
}

// dummyHash is an argon2id hash of a password nobody has, made with the
// same parameters as real ones (params), so a check against it takes as
// long as a real check.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$3opPGbItgqgFKu9rq/x6tw$ZNyjY7kvoYO07+xMtE2rsS/nNICypRpBD2XZsbO5dhU"

// checkPassword compares pw with hash. With an empty hash (unknown account,
// or no password set) it still spends the time of a real check so response
// times do not reveal which usernames exist.
func checkPassword(pw, hash string) bool {
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(pw, dummyHash)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// signInGate bounds the sign-ins a process runs at once. A password
// check is ~30 ms of one core and 19 MiB: at nine o'clock a whole school
// signs in, and unbounded checks would take every core, and with them the
// pool's connections, from the requests of those already in. A sign-in
// holds a slot from start to end (half the cores by default, at least one,
// so the other half stays free for everyone already in: on two cores one
// slot still signs in ~30 a second), and within it at
// most one database connection, never while its password is checked; one
// that cannot get a slot within its wait is refused as busy (429 with
// Retry-After) rather than queued without end.
type signInGate struct {
	slots chan struct{}
	wait  time.Duration
}

// defaultGateWait is how long a sign-in waits for a free slot: a rush of a
// thousand pupils in a minute needs far less than this on two cores.
const defaultGateWait = 2 * time.Second

func newSignInGate(n int, wait time.Duration) signInGate {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if wait <= 0 {
		wait = defaultGateWait
	}
	return signInGate{slots: make(chan struct{}, n), wait: wait}
}

// enter takes a slot; leave gives it back.
func (g signInGate) enter(ctx context.Context) error {
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return errs.BusyError{RetryAfterSeconds: 2}
	case <-ctx.Done():
		return fmt.Errorf("identity: waiting to sign in: %w", ctx.Err())
	}
}

func (g signInGate) leave() { <-g.slots }

// spendPasswordCheck takes the time of a password check and discards the
// result, for sign-ins that fail before any account is found.
func (s *Service) spendPasswordCheck(ctx context.Context, pw string) error {
	if err := s.gate.enter(ctx); err != nil {
		return err
	}
	defer s.gate.leave()
	checkPassword(pw, "")
	return nil
}
