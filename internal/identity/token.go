package identity

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

// Credential secrets look like
//
//	member: lms_m_<tenant id, 32 hex>_<43 chars of base64url randomness>
//	staff:  lms_p_<43 chars of base64url randomness>
//
// A member's secret names its tenant so the lookup runs inside that tenant's
// row-level-security scope: no query ever searches every tenant's credentials.
// Only SHA-256 of the whole secret is stored; 256 random bits need no slow hash.
const (
	memberPrefix = "lms_m_"
	staffPrefix  = "lms_p_"
)

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("identity: crypto/rand: %v", err)) // the OS cannot give randomness: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func newMemberSecret(tenant uuid.UUID) string {
	return memberPrefix + hex.EncodeToString(tenant[:]) + "_" + newSecret()
}

func newStaffSecret() string { return staffPrefix + newSecret() }

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// parsedSecret is a presented secret split into its parts.
type parsedSecret struct {
	staff  bool
	tenant uuid.UUID
	hash   []byte
}

func parseSecret(s string) (parsedSecret, error) {
	switch {
	case strings.HasPrefix(s, staffPrefix) && len(s) == len(staffPrefix)+43:
		return parsedSecret{staff: true, hash: hashSecret(s)}, nil
	case strings.HasPrefix(s, memberPrefix) && len(s) == len(memberPrefix)+32+1+43 && s[len(memberPrefix)+32] == '_':
		raw, err := hex.DecodeString(s[len(memberPrefix) : len(memberPrefix)+32])
		if err != nil {
			break
		}
		t, err := uuid.FromBytes(raw)
		if err != nil || t == uuid.Nil {
			break
		}
		return parsedSecret{tenant: t, hash: hashSecret(s)}, nil
	}
	return parsedSecret{}, errs.ErrUnauthenticated
}

// CSRFToken derives the anti-forgery token of a cookie session from its
// secret. A cross-site page can send the cookie but cannot read it, so it
// cannot compute this value.
func CSRFToken(secret string) string {
	h := sha256.Sum256([]byte("csrf:" + secret))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
