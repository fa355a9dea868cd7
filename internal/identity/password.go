package identity

import (
	"fmt"

	"github.com/alexedwards/argon2id"
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

// SpendPasswordCheck takes the time of a password check and discards the
// result, for sign-ins that fail before any account is found.
func SpendPasswordCheck(pw string) { checkPassword(pw, "") }
