package rostersync

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// An integration's secret looks like
//
//	lms_r_<tenant id, 32 hex>_<43 chars of base64url randomness>
//
// It names its tenant so the lookup runs in that tenant's row-level-security
// scope, and its prefix is one identity.Authenticate does not know: the
// secret signs no one in, so every route but the delivery route answers 401.
const secretPrefix = "lms_r_"

func newSecret(tenant uuid.UUID) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("rostersync: crypto/rand: %v", err)) // no randomness: nothing is safe
	}
	return secretPrefix + hex.EncodeToString(tenant[:]) + "_" + base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// parseSecret returns the tenant a presented secret names.
func parseSecret(s string) (uuid.UUID, error) {
	if !strings.HasPrefix(s, secretPrefix) || len(s) != len(secretPrefix)+32+1+43 || s[len(secretPrefix)+32] != '_' {
		return uuid.Nil, errs.ErrUnauthenticated
	}
	raw, err := hex.DecodeString(s[len(secretPrefix) : len(secretPrefix)+32])
	if err != nil {
		return uuid.Nil, errs.ErrUnauthenticated
	}
	t, err := uuid.FromBytes(raw)
	if err != nil || t == uuid.Nil {
		return uuid.Nil, errs.ErrUnauthenticated
	}
	return t, nil
}
