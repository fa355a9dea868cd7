package comms

import (
	"bytes"
	"fmt"
	"html/template"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/google/uuid"
	gomail "github.com/wneessen/go-mail"
)

// Email is one email to build: the plain text is what the sender wrote or
// the platform composed; the HTML part is made from it.
type Email struct {
	To, Subject, Text string
	// Unsubscribe, when set, is the one-click unsubscribe link of an
	// optional email: it goes in the text, the HTML and the
	// List-Unsubscribe headers.
	Unsubscribe string
}

// build makes the email with go-mail: multipart/alternative with a
// text/plain and a text/html part, each quoted-printable (so no line is
// longer than 76 characters whatever the body), a Date and a Message-ID
// whose domain is the platform's public host.
func (s *Service) build(e Email) (from, to *mail.Address, raw []byte, err error) {
	if from, err = mail.ParseAddress(s.from); err != nil {
		return nil, nil, nil, fmt.Errorf("comms: LMS_SMTP_FROM: %w", err)
	}
	if to, err = mail.ParseAddress(e.To); err != nil {
		return nil, nil, nil, fmt.Errorf("comms: address %q: %w", e.To, err)
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(gomail.EncodingQP), gomail.WithCharset(gomail.CharsetUTF8))
	m.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, from)
	m.SetAddrHeaderFromMailAddress(gomail.HeaderTo, to)
	m.Subject(e.Subject)
	m.SetDateWithValue(s.now())
	m.SetMessageIDWithValue(uuid.NewString() + "@" + s.mailDomain(from))
	text := e.Text
	if e.Unsubscribe != "" {
		m.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+e.Unsubscribe+">")
		m.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
		text += "\n\n--\nYou receive this optional message because you agreed to. Unsubscribe at once: " + e.Unsubscribe + "\n"
	}
	html, err := htmlOf(e.Subject, text)
	if err != nil {
		return nil, nil, nil, err
	}
	m.SetBodyString(gomail.TypeTextPlain, strings.ReplaceAll(text, "\r\n", "\n"))
	m.AddAlternativeString(gomail.TypeTextHTML, html)
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, nil, nil, fmt.Errorf("comms: write email: %w", err)
	}
	return from, to, b.Bytes(), nil
}

// mailDomain is the domain of Message-IDs: the host of the public URL
// when it is a domain name (not an IP address or a bare "localhost"),
// else that of the sender's address.
func (s *Service) mailDomain(from *mail.Address) string {
	if u, err := url.Parse(s.publicURL); err == nil && strings.Contains(u.Hostname(), ".") && net.ParseIP(u.Hostname()) == nil {
		return u.Hostname()
	}
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 {
		return from.Address[at+1:]
	}
	return "localhost"
}

// htmlPage is the HTML part: the text's paragraphs, escaped, with its web
// addresses as links.
var htmlPage = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">
{{range .Paragraphs}}<p>{{range $i, $l := .}}{{if $i}}<br>
{{end}}{{range $l}}{{if .Link}}<a href="{{.Text}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}{{end}}</p>
{{end}}</body></html>
`))

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

type piece struct {
	Text string
	Link bool
}

func htmlOf(subject, text string) (string, error) {
	var paras [][][]piece
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		var lines [][]piece
		for _, line := range strings.Split(strings.Trim(para, "\n"), "\n") {
			var ps []piece
			last := 0
			for _, at := range linkRE.FindAllStringIndex(line, -1) {
				ps = append(ps, piece{Text: line[last:at[0]]}, piece{Text: line[at[0]:at[1]], Link: true})
				last = at[1]
			}
			lines = append(lines, append(ps, piece{Text: line[last:]}))
		}
		paras = append(paras, lines)
	}
	var b strings.Builder
	if err := htmlPage.Execute(&b, map[string]any{"Subject": subject, "Paragraphs": paras}); err != nil {
		return "", fmt.Errorf("comms: email html: %w", err)
	}
	return b.String(), nil
}
