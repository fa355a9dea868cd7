package comms

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/lms/comms/commstest"
)

// An email is built by the MIME library: read back from the catcher's
// raw source, it is multipart/alternative with a plain-text and an HTML
// part, each with a transfer encoding, no line over 998 bytes even for a
// 5,000-character line of text, a Date and a Message-ID with a domain;
// an optional one keeps its unsubscribe link and List-Unsubscribe headers.
func TestEmailIsValidMIME(t *testing.T) {
	t.Parallel()
	mb := commstest.New(t)
	s := &Service{smtp: Relay{Addr: relayAddr(t)}, from: "Oakfield Primary <no-reply@oakfield.example>",
		publicURL: "https://lms.example.org", key: []byte("k"), now: time.Now}
	to := "mime-" + uuid.NewString()[:8] + "@example.org"
	long := strings.Repeat("Très bien, <Ada> & co. ", 220) // one line, over 5,000 characters
	require.Greater(t, len(long), 5000)
	require.NoError(t, s.sendMail(to, "Feedback on Habitat hunt — très bien", "Hello,\n\n"+long+"\n\nSee https://lms.example.org/x", true, uuid.New(), uuid.New()))
	raw := mb.Wait(to, 1)
	require.Len(t, raw, 1)
	p := commstest.Check(t, raw[0])
	require.Equal(t, "Feedback on Habitat hunt — très bien", p.Subject)
	require.Contains(t, p.MessageID, "@lms.example.org>")
	require.Contains(t, p.Text, long)
	require.Contains(t, p.HTML, "Très bien, &lt;Ada&gt; &amp; co.")
	require.Contains(t, p.HTML, `<a href="https://lms.example.org/x">`)
	require.Contains(t, p.Header.Get("List-Unsubscribe"), "https://lms.example.org/unsubscribe/")
	require.Equal(t, "List-Unsubscribe=One-Click", p.Header.Get("List-Unsubscribe-Post"))
	require.Contains(t, p.Text, "Unsubscribe at once: https://lms.example.org/unsubscribe/")
}
