package comms

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// With a username and password the client logs in to the relay (the local
// Mailpit accepts any login over plain SMTP on loopback, as a relay on 587
// does after STARTTLS), and the email is delivered. (net/smtp's PLAIN
// refuses to send the password to a relay that is neither TLS nor local.)
func TestRelayLogsIn(t *testing.T) {
	addr, catcher := os.Getenv("LMS_SMTP_ADDR"), os.Getenv("LMS_MAIL_CATCHER_URL")
	require.NotEmpty(t, catcher, "LMS_MAIL_CATCHER_URL is not set: run the tests with `make test` (it starts Mailpit)")
	to := "relay-" + uuid.NewString()[:8] + "@example.org"
	s := &Service{smtp: Relay{Addr: addr, Username: "lms", Password: "relay-password"}, from: "Platform <no-reply@example.org>", now: time.Now}
	require.NoError(t, s.sendMail(to, "Relay login", "Hello.", false, uuid.Nil, uuid.Nil))
	res, err := http.Get(strings.TrimRight(catcher, "/") + "/api/v1/search?query=" + url.QueryEscape(`to:"`+to+`"`))
	require.NoError(t, err)
	defer res.Body.Close()
	var found struct{ Messages []struct{ Subject string } }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&found))
	require.Len(t, found.Messages, 1)
	require.Equal(t, "Relay login", found.Messages[0].Subject)

}

// A relay that takes the connection and then says nothing costs one
// email its time limit, not a worker for hours.
func TestSilentRelayTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // holds the connection open, silent
		}
	}()
	r := Relay{Addr: ln.Addr().String(), Timeout: 500 * time.Millisecond}
	start := time.Now()
	err = r.send("a@example.org", "b@example.org", []byte("Subject: x\r\n\r\nx"))
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
}

func relayAddr(t *testing.T) string {
	addr := os.Getenv("LMS_SMTP_ADDR")
	require.NotEmpty(t, addr, "LMS_SMTP_ADDR is not set: run the tests with `make test` (it starts Mailpit)")
	return addr
}
