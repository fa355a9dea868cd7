package identity_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// softKey is a software authenticator: one P-256 passkey, its counter
// set by the test, answering as a browser would (the JSON of a
// PublicKeyCredential) from origin.
type softKey struct {
	t      *testing.T
	key    *ecdsa.PrivateKey
	id     []byte
	user   []byte
	origin string
	rpID   string
}

var b64 = base64.RawURLEncoding

func (k *softKey) clientData(kind string, options []byte) []byte {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	require.NoError(k.t, json.Unmarshal(options, &o))
	if o.PublicKey.User.ID != "" {
		u, err := b64.DecodeString(o.PublicKey.User.ID)
		require.NoError(k.t, err)
		k.user = u
	}
	b, _ := json.Marshal(map[string]any{"type": kind, "challenge": o.PublicKey.Challenge, "origin": k.origin, "crossOrigin": false})
	return b
}

func (k *softKey) authData(flags byte, counter uint32) []byte {
	h := sha256.Sum256([]byte(k.rpID))
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, counter)
}

// create answers navigator.credentials.create (attestation "none").
func (k *softKey) create(options []byte) string {
	cd := k.clientData("webauthn.create", options)
	ad := k.authData(0x45, 0) // user present, user verified, attested credential data
	ad = append(ad, make([]byte, 16)...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(k.id)))
	ad = append(ad, k.id...)
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: k.key.X.FillBytes(make([]byte, 32)), -3: k.key.Y.FillBytes(make([]byte, 32))})
	require.NoError(k.t, err)
	ad = append(ad, cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	require.NoError(k.t, err)
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]string{"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att)}})
	return string(b)
}

// get answers navigator.credentials.get with the counter given.
func (k *softKey) get(options []byte, counter uint32) string {
	cd := k.clientData("webauthn.get", options)
	ad := k.authData(0x05, counter)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	require.NoError(k.t, err)
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]string{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(k.user)}})
	return string(b)
}

// A passkey is stored as its public key (no secret: the private key never
// leaves the authenticator) under its name; it signs its own person in,
// with nothing owed, while its counter goes up; a counter that does not go
// up is refused (a copy of the key may exist) and the stored one is kept;
// a challenge is used once; another origin, or the passkey presented to
// another school, is refused; removed, it no longer signs in.
func TestPasskeyStoredAndSignCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := recoverSetup(t)
	svc := b.svc
	rp, err := identity.NewRelyingParty("http://localhost:8080/")
	require.NoError(t, err)
	iss, _, err := svc.SignIn(ctx, "tenant-a", "lee", leePassword, identity.Client{})
	require.NoError(t, err)
	p, err := svc.Authenticate(ctx, iss.Secret, "")
	require.NoError(t, err)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	k := &softKey{t: t, key: key, id: []byte(uuid.NewString()), origin: "http://localhost:8080", rpID: "localhost"}

	_, _, err = svc.BeginPasskey(ctx, p, rp, "  ")
	require.ErrorIs(t, err, errs.ErrInvalid, "a passkey needs a name")
	ch, opts, err := svc.BeginPasskey(ctx, p, rp, "Lee's phone")
	require.NoError(t, err)
	require.Contains(t, string(opts), `"residentKey":"required"`)
	require.Contains(t, string(opts), `"userVerification":"required"`)
	require.NoError(t, svc.FinishPasskey(ctx, p, rp, ch, k.create(opts), identity.Client{}))
	require.ErrorIs(t, svc.FinishPasskey(ctx, p, rp, ch, k.create(opts), identity.Client{}), errs.ErrConflict, "a challenge is used once")

	keys, err := svc.Passkeys(ctx, p)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.Equal(t, "Lee's phone", keys[0].Name)
	stored := func() (cred struct {
		ID            []byte `json:"id"`
		PublicKey     []byte `json:"publicKey"`
		Authenticator struct {
			SignCount uint32 `json:"signCount"`
		} `json:"authenticator"`
	}) {
		t.Helper()
		require.NoError(t, access.Transact(ctx, b.db.App, access.System(b.a, "test"), func(tx *gorm.DB) error {
			var raw string
			if err := tx.Raw(`SELECT credential FROM member_passkeys WHERE person_id = ? AND credential_id = ?`, b.leeA, k.id).Scan(&raw).Error; err != nil {
				return err
			}
			return json.Unmarshal([]byte(raw), &cred)
		}))
		return cred
	}
	c := stored()
	require.Equal(t, k.id, c.ID)
	require.NotEmpty(t, c.PublicKey, "the public key is kept")
	require.NotContains(t, string(c.PublicKey), string(key.D.Bytes()), "never the private key")

	signIn := func(slug string, counter uint32, origin string) (identity.Issued, error) {
		t.Helper()
		ch, opts, err := svc.BeginPasskeySignIn(ctx, rp, slug)
		require.NoError(t, err)
		k.origin = origin
		defer func() { k.origin = "http://localhost:8080" }()
		iss, _, err := svc.PasskeySignIn(ctx, rp, slug, ch, k.get(opts, counter), identity.Client{})
		return iss, err
	}

	// Its counter goes up: signed in, nothing owed; the count is kept.
	iss, err = signIn("tenant-a", 5, "http://localhost:8080")
	require.NoError(t, err)
	require.Empty(t, iss.SecondFactor)
	q, err := svc.Authenticate(ctx, iss.Secret, "")
	require.NoError(t, err)
	require.Equal(t, b.leeA, q.ID)
	require.Equal(t, uint32(5), stored().Authenticator.SignCount)

	// The same count again (or lower): refused, the stored count kept.
	_, err = signIn("tenant-a", 5, "http://localhost:8080")
	require.ErrorIs(t, err, errs.ErrForbidden)
	_, err = signIn("tenant-a", 3, "http://localhost:8080")
	require.ErrorIs(t, err, errs.ErrForbidden)
	require.Equal(t, uint32(5), stored().Authenticator.SignCount)
	require.Equal(t, int64(2), b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE action = 'passkey.refused'`))
	refusedEvents := `SELECT count(*) FROM member_sign_in_events WHERE method = 'passkey' AND outcome = 'refused' AND person_id IS NOT NULL`
	require.Equal(t, int64(2), b.count(t, b.a, refusedEvents), "and in the sign-in events")

	// Another origin, another school: refused.
	_, err = signIn("tenant-a", 6, "http://evil.example")
	require.ErrorIs(t, err, errs.ErrUnauthenticated)
	_, err = signIn("tenant-b", 6, "http://localhost:8080")
	require.ErrorIs(t, err, errs.ErrUnauthenticated)
	iss, err = signIn("tenant-a", 7, "http://localhost:8080")
	require.NoError(t, err)
	require.Equal(t, int64(3), b.count(t, b.a, refusedEvents), "the answer from another origin")
	require.Zero(t, b.count(t, b.b, `SELECT count(*) FROM member_sign_in_events`), "nothing in the other school")
	require.Equal(t, int64(2), b.count(t, b.a, `SELECT count(*) FROM member_sign_in_events WHERE method = 'passkey' AND outcome = 'signed-in'`))

	// Removed, it no longer signs in.
	require.NoError(t, svc.RemovePasskey(ctx, p, keys[0].ID))
	_, err = signIn("tenant-a", 8, "http://localhost:8080")
	require.ErrorIs(t, err, errs.ErrUnauthenticated)
	require.Equal(t, int64(1), b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE action = 'passkey.added'`))
	require.Equal(t, int64(1), b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE action = 'passkey.removed'`))
}
