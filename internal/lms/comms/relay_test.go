package comms

import (
	"encoding/json"
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
