package keys

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A signer knows its own public key and the retired ones by key id, and
// nothing else.
func TestRetiredKeysByID(t *testing.T) {
	old := DevSigner()
	cur, err := NewSigner("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	require.NoError(t, err)
	_, ok := cur.PublicFor(old.KeyID())
	require.False(t, ok)
	cur.Retire(old.Public(), "not-a-key")
	p, ok := cur.PublicFor(old.KeyID())
	require.True(t, ok)
	require.Equal(t, old.Public(), p)
	p, ok = cur.PublicFor(cur.KeyID())
	require.True(t, ok)
	require.Equal(t, cur.Public(), p)
	msg := []byte("certificate")
	require.NoError(t, Verify(p, msg, cur.Sign(msg)))
	id, err := KeyIDOf(old.Public())
	require.NoError(t, err)
	require.Equal(t, old.KeyID(), id)
	_, err = KeyIDOf("AAAA")
	require.Error(t, err)
}
