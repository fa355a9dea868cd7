// Package keys holds the platform's signing key: Ed25519 (the standard
// library's crypto/ed25519), used to sign deletion certificates so that
// anyone with the platform's public key can check one, offline, long after
// the tenant is gone.
package keys

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Signer signs with the platform's key, and knows the public keys of the
// keys it replaced, by key id.
type Signer struct {
	priv    ed25519.PrivateKey
	retired map[string]string // key id → base64 public key
}

// KeyIDOf is the key id of a base64 public key.
func KeyIDOf(publicB64 string) (string, error) {
	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(publicB64))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return "", errors.New("keys: not an Ed25519 public key")
	}
	return KeyID(pub), nil
}

// Retire records the public keys of earlier signing keys (invalid ones
// are ignored: configuration validates them).
func (s *Signer) Retire(publics ...string) {
	for _, p := range publics {
		if id, err := KeyIDOf(p); err == nil {
			if s.retired == nil {
				s.retired = map[string]string{}
			}
			s.retired[id] = strings.TrimSpace(p)
		}
	}
}

// PublicFor is the public key named by id: the current one or a retired
// one; false when the platform does not know it.
func (s *Signer) PublicFor(id string) (string, bool) {
	if id == s.KeyID() {
		return s.Public(), true
	}
	p, ok := s.retired[id]
	return p, ok
}

// NewSigner takes a base64 Ed25519 seed (32 bytes).
func NewSigner(seedB64 string) (*Signer, error) {
	seed, err := base64.StdEncoding.DecodeString(seedB64)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("keys: the signing key must be %d bytes, base64-encoded", ed25519.SeedSize)
	}
	return &Signer{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// DevSigner is a fixed key for laptops and tests, never for production.
func DevSigner() *Signer {
	seed := sha256.Sum256([]byte("lms-development-signing-key-not-for-production"))
	return &Signer{priv: ed25519.NewKeyFromSeed(seed[:])}
}

// Public is the public key, base64.
func (s *Signer) Public() string {
	return base64.StdEncoding.EncodeToString(s.priv.Public().(ed25519.PublicKey))
}

// KeyID names the key: the first 8 bytes of the SHA-256 of the public key.
func (s *Signer) KeyID() string { return KeyID(s.priv.Public().(ed25519.PublicKey)) }

// KeyID names a public key.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// Sign signs msg; the signature is base64.
func (s *Signer) Sign(msg []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(s.priv, msg))
}

// Verify checks a base64 signature of msg against a base64 public key.
func Verify(publicB64 string, msg []byte, sigB64 string) error {
	pub, err := base64.StdEncoding.DecodeString(publicB64)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return errors.New("keys: not an Ed25519 public key")
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil || !ed25519.Verify(pub, msg, sig) {
		return errors.New("keys: the signature does not match: the certificate was changed or not signed by this key")
	}
	return nil
}
