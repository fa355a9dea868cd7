package comms

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
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

// sendMail builds one email (see build) and hands it to the relay; an
// optional one carries the unsubscribe link in its text and its
// List-Unsubscribe headers.
func (s *Service) sendMail(to, subject, body string, optional bool, tenant, person uuid.UUID) error {
	e := Email{To: to, Subject: subject, Text: body}
	if optional {
		e.Unsubscribe = s.publicURL + "/unsubscribe/" + s.Token(tenant, person)
	}
	from, rcpt, raw, err := s.build(e)
	if err != nil {
		return err
	}
	return s.smtp.send(from.Address, rcpt.Address, raw)
}
