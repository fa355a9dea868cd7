// Package commstest reads the emails the local mail catcher (Mailpit,
// started by `make test`) received, as raw source, and checks them as a
// mail program would: valid MIME, a plain-text and an HTML part, a
// transfer encoding, no line over 998 bytes, a Message-ID with a domain.
package commstest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Mailbox is the catcher's API.
type Mailbox struct {
	t    *testing.T
	base string
}

// New finds the catcher (LMS_MAIL_CATCHER_URL).
func New(t *testing.T) Mailbox {
	base := os.Getenv("LMS_MAIL_CATCHER_URL")
	require.NotEmpty(t, base, "LMS_MAIL_CATCHER_URL is not set: run the tests with `make test` (it starts Mailpit)")
	return Mailbox{t, strings.TrimRight(base, "/")}
}

func (m Mailbox) get(path string, into any) []byte {
	m.t.Helper()
	res, err := http.Get(m.base + path)
	require.NoError(m.t, err)
	defer res.Body.Close()
	require.Equal(m.t, http.StatusOK, res.StatusCode, path)
	b, err := io.ReadAll(res.Body)
	require.NoError(m.t, err)
	if into != nil {
		require.NoError(m.t, json.Unmarshal(b, into))
	}
	return b
}

// Raw is the raw source of every email to addr, oldest first.
func (m Mailbox) Raw(addr string) [][]byte {
	m.t.Helper()
	var list struct{ Messages []struct{ ID string } }
	m.get("/api/v1/search?limit=100&query="+url.QueryEscape(`to:"`+addr+`"`), &list)
	var out [][]byte
	for i := len(list.Messages) - 1; i >= 0; i-- {
		out = append(out, m.get("/api/v1/message/"+list.Messages[i].ID+"/raw", nil))
	}
	return out
}

// Wait is Raw, polling until n emails have come (the relay is
// asynchronous to the catcher's index) or a few seconds have passed.
func (m Mailbox) Wait(addr string, n int) [][]byte {
	m.t.Helper()
	var got [][]byte
	for range 50 {
		if got = m.Raw(addr); len(got) >= n {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
	return got
}

// Parsed is an email read and checked by Check.
type Parsed struct {
	Header      mail.Header
	Subject     string
	Text, HTML  string
	MessageID   string
	Encodings   []string
	LongestLine int
}

var msgID = regexp.MustCompile(`^<[^@<>\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>$`)

// Check parses raw as net/mail and mime/multipart do and fails t unless
// it is valid MIME with a text/plain and a text/html part (alternatives),
// each with a Content-Transfer-Encoding, no line longer than 998 bytes,
// a Date and a Message-ID with a domain.
func Check(t *testing.T, raw []byte) Parsed {
	t.Helper()
	var p Parsed
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		p.LongestLine = max(p.LongestLine, len(sc.Bytes()))
	}
	require.NoError(t, sc.Err())
	require.LessOrEqual(t, p.LongestLine, 998, "a line of the email is longer than 998 bytes")
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	p.Header = msg.Header
	p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	_, err = msg.Header.Date()
	require.NoError(t, err, "the Date header")
	p.MessageID = msg.Header.Get("Message-ID")
	require.Regexp(t, msgID, p.MessageID, "a Message-ID with a domain")
	require.Equal(t, "1.0", msg.Header.Get("MIME-Version"))
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mt)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		ct, cp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		require.NoError(t, err)
		require.Equal(t, "utf-8", strings.ToLower(cp["charset"]))
		cte := strings.ToLower(part.Header.Get("Content-Transfer-Encoding"))
		require.Contains(t, []string{"quoted-printable", "base64"}, cte, "the %s part's transfer encoding", ct)
		p.Encodings = append(p.Encodings, cte)
		var body []byte
		if cte == "quoted-printable" {
			body, err = io.ReadAll(quotedprintable.NewReader(part))
		} else {
			body, err = io.ReadAll(newB64(part))
		}
		require.NoError(t, err)
		switch ct {
		case "text/plain":
			p.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case "text/html":
			p.HTML = string(body)
		default:
			t.Fatalf("unexpected part %s", ct)
		}
	}
	require.NotEmpty(t, p.Text, "a text/plain part")
	require.NotEmpty(t, p.HTML, "a text/html part")
	return p
}

func newB64(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, &noNewlines{r})
}

// noNewlines drops the line breaks of a base64 body.
type noNewlines struct{ r io.Reader }

func (n *noNewlines) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	j := 0
	for _, c := range p[:k] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}
