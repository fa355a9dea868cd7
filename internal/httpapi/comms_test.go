package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// mailbox reads what the local mail catcher (Mailpit, started by `make
// test`) received for one address.
type mailbox struct {
	t    *testing.T
	base string
}

func newMailbox(t *testing.T) mailbox {
	base := os.Getenv("LMS_MAIL_CATCHER_URL")
	require.NotEmpty(t, base, "LMS_MAIL_CATCHER_URL is not set: run the tests with `make test` (it starts Mailpit)")
	return mailbox{t, strings.TrimRight(base, "/")}
}

type caught struct {
	ID, Subject, Text string
	Headers           map[string][]string
}

func (m mailbox) to(addr string) []caught {
	m.t.Helper()
	res, err := http.Get(m.base + "/api/v1/search?limit=100&query=" + url.QueryEscape(`to:"`+addr+`"`))
	require.NoError(m.t, err)
	var list struct {
		Messages []struct{ ID, Subject string }
	}
	require.NoError(m.t, json.NewDecoder(res.Body).Decode(&list))
	res.Body.Close()
	var out []caught
	for _, msg := range list.Messages {
		c := caught{ID: msg.ID, Subject: msg.Subject}
		res, err := http.Get(m.base + "/api/v1/message/" + msg.ID)
		require.NoError(m.t, err)
		var full struct{ Text string }
		require.NoError(m.t, json.NewDecoder(res.Body).Decode(&full))
		res.Body.Close()
		c.Text = full.Text
		res, err = http.Get(m.base + "/api/v1/message/" + msg.ID + "/headers")
		require.NoError(m.t, err)
		require.NoError(m.t, json.NewDecoder(res.Body).Decode(&c.Headers))
		res.Body.Close()
		out = append(out, c)
	}
	return out
}

// An unsubscribed person receives no further optional email, at once,
// including after a re-import (a new record with the same address) and an
// admin's consent record; messages about their learning still reach them;
// giving consent again themselves brings optional email back.
func TestUnsubscribedGetsNoFurtherOptionalEmail(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	mb := newMailbox(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "mail-")
	base := "/api/v1/t/tenant-a"
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	teacher, learner := login(fx.Teacher), login(fx.Learner)
	run := uuid.NewString()[:8]
	addr, addr2 := "sam-"+run+"@example.test", "alex-"+run+"@example.test"
	for p, a := range map[string]string{fx.Learner.ID.String(): addr, fx.Learner2.ID.String(): addr2} {
		admin.Expect(http.StatusOK, "PATCH", base+"/people/"+p, map[string]any{"email": a})
	}
	require.Equal(t, http.StatusCreated, learner.Do("POST", base+"/my/consents", map[string]any{"purpose": "optional-communications", "given": true}).Status)

	send := func(subject string, optional bool) {
		t.Helper()
		teacher.Expect(http.StatusCreated, "POST", base+"/communications", map[string]any{"course_id": fx.ID, "subject": subject, "body": "Hello class.", "optional": optional, "by_email": true})
		_, err := e.App.Comms.Deliver(ctx, e.A.ID)
		require.NoError(t, err)
	}
	subjects := func(a string) []string {
		var out []string
		for _, m := range mb.to(a) {
			out = append(out, m.Subject)
		}
		return out
	}
	send("Newsletter "+run+" #1", true)
	require.Equal(t, []string{"Newsletter " + run + " #1"}, subjects(addr))
	require.Empty(t, subjects(addr2), "no consent, no optional email")
	msg := mb.to(addr)[0]
	require.Contains(t, strings.Join(msg.Headers["List-Unsubscribe-Post"], ""), "One-Click")
	link := regexp.MustCompile(`/unsubscribe/[0-9a-f.-]+`).FindString(msg.Text)
	require.NotEmpty(t, link, "every optional email has an unsubscribe link: %s", msg.Text)
	require.Equal(t, strings.Trim(strings.Join(msg.Headers["List-Unsubscribe"], ""), "<>"), e.App.Config.PublicURL+link)

	// Bad input and roles.
	require.Equal(t, http.StatusForbidden, learner.Do("POST", base+"/communications", map[string]any{"course_id": fx.ID, "subject": "x", "body": "y"}).Status)
	require.Equal(t, http.StatusForbidden, teacher.Do("POST", base+"/communications", map[string]any{"subject": "To all", "body": "y"}).Status, "teachers write to their courses")
	r := teacher.Expect(http.StatusBadRequest, "POST", base+"/communications", map[string]any{"course_id": fx.ID, "subject": "", "body": ""})
	require.ElementsMatch(t, []string{"body", "subject"}, fieldsOf(t, r))
	r = admin.Do("POST", base+"/communications", map[string]any{"school_id": uuid.NewString(), "subject": "x", "body": "y"})
	require.Equal(t, http.StatusNotFound, r.Status, "an unknown school (probe finding: was 500)")
	res, err := http.Post(e.Server.URL+"/unsubscribe/"+e.A.ID.String()+"."+fx.Learner.ID.String()+".forged", "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode, "a forged link does nothing")

	// One click (as a mail client does it, RFC 8058): honoured at once.
	res, err = http.Post(e.Server.URL+link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "%s\n%s", link, page)
	send("Newsletter "+run+" #2", true)
	send("Homework "+run, false)
	require.ElementsMatch(t, []string{"Newsletter " + run + " #1", "Homework " + run}, subjects(addr), "no more optional email; learning messages still arrive")

	// An admin's paper record does not override the unsubscribe, nor does a
	// re-import (a new record with the same address).
	r = admin.Expect(http.StatusCreated, "POST", base+"/people/"+fx.Learner.ID.String()+"/consents", map[string]any{"purpose": "optional-communications", "given": true, "method": "paper"})
	r = admin.Expect(http.StatusCreated, "POST", base+"/people", map[string]any{"username": "mail-reimported-" + run, "display_name": "Sam Again", "email": addr, "role": "learner"})
	again := r.JSON()["id"].(string)
	require.Equal(t, http.StatusOK, admin.Do("PUT", base+"/courses/"+fx.ID.String()+"/enrolments/"+again, map[string]any{"role": "learner"}).Status)
	r = admin.Expect(http.StatusCreated, "POST", base+"/people/"+again+"/consents", map[string]any{"purpose": "optional-communications", "given": true, "method": "paper"})
	send("Newsletter "+run+" #3", true)
	require.ElementsMatch(t, []string{"Newsletter " + run + " #1", "Homework " + run}, subjects(addr), "still out after a re-import")

	// The person opting in again themselves brings it back.
	require.Equal(t, http.StatusCreated, learner.Do("POST", base+"/my/consents", map[string]any{"purpose": "optional-communications", "given": true}).Status)
	send("Newsletter "+run+" #4", true)
	got := subjects(addr)
	require.Contains(t, got, "Newsletter "+run+" #4", fmt.Sprint(got))

	// In the app too: the inbox shows what reached them.
	r = learner.Expect(http.StatusOK, "GET", base+"/my/inbox", nil)
	require.Contains(t, r.Text(), "Homework "+run)
	require.NotContains(t, r.Text(), "Newsletter "+run+" #2")
}
