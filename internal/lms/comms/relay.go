package comms

import (
	"cmp"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// send is smtp.SendMail with time limits: a relay that accepts the
// connection and then says nothing must not hold a worker for hours.
func (r Relay) send(from, to string, msg []byte) error {
	host, _, err := net.SplitHostPort(r.Addr)
	if err != nil {
		return fmt.Errorf("comms: LMS_SMTP_ADDR %q: %w", r.Addr, err)
	}
	limit := cmp.Or(r.Timeout, time.Minute)
	conn, err := (&net.Dialer{Timeout: limit}).Dial("tcp", r.Addr)
	if err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(limit)); err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("comms: smtp starttls: %w", err)
		}
	}
	if a := r.auth(); a != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("comms: smtp: the relay does not offer AUTH, but LMS_SMTP_USERNAME is set")
		}
		if err := c.Auth(a); err != nil {
			return fmt.Errorf("comms: smtp auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("comms: smtp: %w", err)
	}
	return c.Quit()
}

// Relay is the SMTP server emails go through. With a username, the client
// logs in (PLAIN), which net/smtp does only after STARTTLS or to localhost;
// STARTTLS is used whenever the server offers it.
type Relay struct {
	Addr, Username, Password string
	// Timeout bounds one email's whole conversation (default a minute).
	Timeout time.Duration
}

func (r Relay) auth() smtp.Auth {
	if r.Username == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(r.Addr)
	if err != nil {
		host = r.Addr
	}
	return smtp.PlainAuth("", r.Username, r.Password, host)
}

// sendMail sends one plain-text email; an optional one carries the
// unsubscribe link in its text and its List-Unsubscribe headers.
func (s *Service) sendMail(to, subject, body string, optional bool, tenant, person uuid.UUID) error {
	from, err := mail.ParseAddress(s.from)
	if err != nil {
		return fmt.Errorf("comms: LMS_SMTP_FROM: %w", err)
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("comms: address %q: %w", to, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@lms>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n",
		from.String(), rcpt.String(), mimeHeader(subject), s.now().UTC().Format(time.RFC1123Z), uuid.NewString())
	text := body
	if optional {
		link := s.publicURL + "/unsubscribe/" + s.Token(tenant, person)
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", link)
		text += "\n\n--\nYou receive this optional message because you agreed to. Unsubscribe at once: " + link + "\n"
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(text, "\n", "\r\n"))
	return s.smtp.send(from.Address, rcpt.Address, []byte(b.String()))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func mimeHeader(s string) string {
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?B?" + b64(s) + "?="
		}
	}
	return s
}
