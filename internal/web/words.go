package web

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// Plain words for what the platform records in codes: the access log's
// actions, the parts of the platform usage is counted by, statuses. A
// code without words here still reads as words (a general sentence), never
// as the code.

// routeWords are the route table's summaries by method and pattern
// ("GET /t/:tenant/courses"), the pages' and the API's, for naming a part
// of the platform.
type routeWords struct {
	byKey  map[string]string
	routes []request.Route
}

// Describe gives the site the whole route table (pages and API), so that
// usage and the access log name parts of the platform by their summary.
// It is called once, before the site serves (New starts with the pages'
// own routes).
func (s *Site) Describe(routes []request.Route) { s.words = describe(routes) }

func describe(routes []request.Route) *routeWords {
	w := &routeWords{byKey: map[string]string{}, routes: routes}
	for _, rt := range routes {
		w.byKey[rt.Method+" "+rt.Path] = plainSummary(rt.Summary)
	}
	return w
}

func (s *Site) routeWords() *routeWords { return s.words }

// aside is a remark for developers in a summary: "(streamed)",
// "(paged)", "(?open=true, ?person=)", "; filters school_id, status".
var aside = regexp.MustCompile(`\s*\((?:streamed|paged|[^)]*[?_=])[^)]*\)|;[^;]*(?:filters|[?_=])[^;]*`)

func plainSummary(s string) string { return strings.TrimSpace(aside.ReplaceAllString(s, "")) }

// area names a part of the platform by the summary of its route ("GET
// /t/:tenant/courses" → "My courses").
func (w *routeWords) area(key string) string {
	if s := w.byKey[key]; s != "" {
		return s
	}
	return "A part of the platform no longer offered"
}

// match finds the route a request (method and address) was served by,
// with the values of its parameters: the one with most fixed segments
// wins, as in the router.
func (w *routeWords) match(target string) (request.Route, map[string]string, bool) {
	method, addr, ok := strings.Cut(target, " ")
	if !ok {
		return request.Route{}, nil, false
	}
	addr, _, _ = strings.Cut(addr, "?")
	segs := strings.Split(strings.Trim(addr, "/"), "/")
	var best request.Route
	var bestParams map[string]string
	bestFixed := -1
	for _, rt := range w.routes {
		if rt.Method != method {
			continue
		}
		pat := strings.Split(strings.Trim(rt.Path, "/"), "/")
		if len(pat) != len(segs) && !(len(pat) > 0 && strings.HasPrefix(pat[len(pat)-1], "*") && len(segs) >= len(pat)-1) {
			continue
		}
		params, fixed, ok := map[string]string{}, 0, true
		for i, p := range pat {
			switch {
			case strings.HasPrefix(p, "*"):
				params[p[1:]] = strings.Join(segs[i:], "/")
			case strings.HasPrefix(p, ":"):
				params[p[1:]] = segs[i]
			case p == segs[i]:
				fixed++
			default:
				ok = false
			}
			if !ok || strings.HasPrefix(p, "*") {
				break
			}
		}
		if ok && fixed > bestFixed {
			best, bestParams, bestFixed = rt, params, fixed
		}
	}
	return best, bestParams, bestFixed >= 0
}

// namer looks up the names of the things a log names by id, once each,
// in the reader's scope; what it cannot read stays unnamed.
type namer struct {
	s     *Site
	ctx   context.Context
	sc    access.Scope
	names map[string]string
}

func (n *namer) name(kind string, id uuid.UUID) string {
	key := kind + " " + id.String()
	if v, ok := n.names[key]; ok {
		return v
	}
	var v string
	switch kind {
	case "course":
		if p, err := n.s.d.Courses.Page(n.ctx, n.sc, id); err == nil {
			v = p.Course.Title
		}
	case "person":
		if p, err := n.s.d.Identity.GetPerson(n.ctx, n.sc, id); err == nil {
			v = p.DisplayName
		}
	case "item": // "“What is a habitat?” in the course “Year 5 Science”"
		if it, err := n.s.d.Courses.GetItem(n.ctx, n.sc, id); err == nil {
			v = "“" + it.Title + "”"
			if c := n.name("course", it.CourseID); c != "" {
				v += " in the course “" + c + "”"
			}
		}
	case "assignment":
		if a, err := n.s.d.Assignments.Get(n.ctx, n.sc, id); err == nil {
			v = "the assignment “" + a.Title + "”"
			if c := n.name("course", a.CourseID); c != "" {
				v += " in the course “" + c + "”"
			}
		}
	}
	n.names[key] = v
	return v
}

// thing says what a look read: "the course “Year 5 Science”", "Alex
// Learner's details", or the page by its summary; "" when the target is
// not an address.
func (n *namer) thing(target string) string {
	rt, params, ok := n.s.routeWords().match(target)
	if !ok {
		return ""
	}
	what := "the page “" + plainSummary(rt.Summary) + "”"
	how := ""
	if !rt.Page {
		what, how = "“"+plainSummary(rt.Summary)+"”", " through an app or another system"
	}
	// Which: an item or assignment the address names, by its title.
	for _, k := range []string{"item", "assignment"} {
		if id, err := uuid.Parse(params[k]); err == nil {
			if name := n.name(k, id); name != "" {
				return name + how
			}
		}
	}
	// Whose: the course or person the address names, by name.
	whole := strings.HasSuffix(rt.Path, "/courses/:course") || strings.HasSuffix(rt.Path, "/people/:id") || strings.HasSuffix(rt.Path, "/people/:person")
	for _, k := range []string{"course", "person", "id"} {
		id, err := uuid.Parse(params[k])
		if err != nil || (k == "id" && !strings.Contains(rt.Path, "/people/:id")) {
			continue
		}
		kind := k
		if k == "id" {
			kind = "person"
		}
		name := n.name(kind, id)
		switch {
		case name == "":
			continue
		case kind == "course" && whole:
			return "the course “" + name + "”" + how
		case kind == "course":
			return what + " of the course “" + name + "”" + how
		case whole:
			return name + "’s details" + how
		}
		return what + " of " + name + how
	}
	return what + how
}

// logEntry is one entry of the access log in words.
type logEntry struct {
	At   time.Time
	What string
}

// logEntries puts access-log records into words for the reader.
func (s *Site) logEntries(ctx context.Context, sc access.Scope, rs []audit.Record) []logEntry {
	n := &namer{s: s, ctx: ctx, sc: sc, names: map[string]string{}}
	out := make([]logEntry, 0, len(rs))
	for _, r := range rs {
		out = append(out, logEntry{At: r.At, What: n.sentence(r)})
	}
	return out
}

// sentence says what one record of the log records: who did what to
// which thing, under which ticket or order, approved by whom.
func (n *namer) sentence(r audit.Record) string {
	who := r.ActorName
	switch {
	case r.ActorKind == "system" || who == "":
		who = "The platform" // a job: "backup job", "export job"
	case r.ActorKind == "staff" && r.ActorID == nil:
		who = "The processor" // its command line, not a person
	}
	thing := func(or string) string {
		if t := n.thing(r.Target); t != "" {
			return t
		}
		return or
	}
	under := ""
	if r.Ticket != "" {
		under = " under ticket " + r.Ticket
	}
	approved := ""
	if r.ApproverName != "" {
		approved = ", approved by " + r.ApproverName
	}
	d := r.Detail
	var s string
	switch r.Action {
	case "support.read":
		s = who + " read " + thing("your school’s data") + under + approved
	case "support.refused":
		s = who + " tried to read " + thing("your school’s data") + " and was refused"
	case "support.requested":
		s = who + " asked for access to your school’s data" + under
	case "support.approved":
		s = who + " approved support access" + under
	case "support.denied":
		s = who + " denied support access" + under
	case "support.revoked":
		s = who + " ended support access early" + under
	case "legal.order-recorded":
		s = who + " recorded a legal obligation to read your school’s data (order " + r.Ticket + ")"
	case "legal.read":
		s = who + " read " + thing("your school’s data") + " under legal order " + r.Ticket
	case "consent.given", "consent.withdrawn":
		verb := "gave"
		if r.Action == "consent.withdrawn" {
			verb = "withdrew"
		}
		s = who + " " + verb + " consent for " + purposeWords(d["purpose"])
		switch {
		case d["method"] == "paper":
			s += " (recorded from a paper form)"
		case d["method"] == "verbal":
			s += " (recorded from what was said)"
		case d["by"] == "guardian":
			s += " as a parent or carer"
		}
	case "person.unlocked":
		s = who + " unlocked the account of " + n.personName(r.Target, "a person") + " (locked after failed sign-ins)"
	case "signed-in":
		s = who + " signed in with " + signInWords(d["method"])
	case "sign-in.failed":
		s = "Someone tried to sign in as " + n.personName(r.Target, "a person") + " and was refused"
		if d["reason"] == "locked" {
			s += " (the account was locked after failed sign-ins)"
		} else {
			s += " (a wrong password)"
		}
	case "passkey.added":
		s = who + " added a passkey (“" + d["name"] + "”) to their account"
	case "passkey.removed":
		s = who + " removed a passkey (“" + d["name"] + "”) from their account"
	case "passkey.refused":
		s = who + "’s passkey (“" + d["name"] + "”) was refused at sign-in: it may have been copied"
	case "two-step.on":
		s = who + " turned on two-step sign-in for their account"
	case "two-step.off":
		s = who + " turned off two-step sign-in for their account"
	case "two-step.failed":
		s = who + " entered a wrong code at the second step of signing in"
	case "two-step.recovery-code-used":
		s = who + " signed in with one of their recovery codes"
	case "two-step.reset":
		s = who + " reset the two-step sign-in of " + n.personName(r.Target, "a person") + " (a lost phone)"
	case "two-step.recovery-codes-renewed":
		s = who + " made new recovery codes for two-step sign-in"
	case "two-step.required-on":
		s = who + " required two-step sign-in of the school’s administrators and access approvers"
	case "two-step.required-off":
		s = who + " stopped requiring two-step sign-in of the school’s administrators and access approvers"
	case "person.rectified":
		s = who + " corrected " + n.personTarget(r.Target, "a person’s details")
	case "subject.restricted":
		s = who + " restricted the use of " + n.personTarget(r.Target, "a person’s data")
	case "subject.restriction-lifted":
		s = who + " lifted the restriction on " + n.personTarget(r.Target, "a person’s data")
	case "subject.objection-upheld":
		s = who + " upheld an objection to the use of " + n.personTarget(r.Target, "a person’s data")
	case "subject.objection-withdrawn":
		s = who + " recorded that an objection was withdrawn for " + n.personTarget(r.Target, "a person’s data")
	case "subject.erased":
		s = who + " erased a person, as they asked"
	case "subject-request.opened":
		s = who + " recorded a data protection request"
	case "subject-request.updated":
		s = who + " updated a data protection request"
	case "subject-export.requested":
		s = who + " asked for a copy of a person’s data"
	case "subject-export.ready":
		s = "A copy of a person’s data was made and is ready to download"
	case "subject-export.downloaded":
		s = who + " downloaded a copy of a person’s data"
	case "tenant-export.requested":
		s = who + " asked for a full export of the school’s data"
	case "tenant-export.ready":
		s = "A full export of the school’s data was made and is ready to download"
	case "tenant-export.downloaded":
		s = who + " downloaded a full export of the school’s data"
	case "tenant-export.read":
		s = "The full export read every record and file of the school"
	case "sub-processor.registered":
		s = who + " told you of a new sub-processor, " + strings.TrimPrefix(r.Target, "sub-processor ")
	case "sub-processor.authorised":
		s = who + " authorised the sub-processor " + strings.TrimPrefix(r.Target, "sub-processor ")
	case "sub-processor.objected":
		s = who + " objected to the sub-processor " + strings.TrimPrefix(r.Target, "sub-processor ")
	case "contract.manifest-applied":
		s = who + " applied the contract’s settings"
	case "breach.notified":
		s = who + " told you of a breach: " + strings.TrimPrefix(r.Target, "breach ")
	case "data-use.signed":
		s = who + " signed a data use agreement"
	case "data-use.withdrawn":
		s = who + " withdrew a data use agreement"
	case "data-use.extract-requested":
		s = who + " asked for a pseudonymised copy of the school’s data"
		if d["purpose"] != "" {
			s += ", for " + d["purpose"]
		}
	case "data-use.extracted":
		s = "A pseudonymised copy of the school’s data was made for " + who
	case "data-use.copy-removed":
		s = "A pseudonymised copy was removed: its agreement was withdrawn or ended"
	case "backup.made":
		s = "A backup of the school’s data was made"
	case "tenant.restored":
		s = who + " restored the school’s data from a backup"
	case "tenant.restore-erasures":
		s = "The people erased since that backup were erased again"
	case "roster-sync.credential_created":
		s = who + " made a roster sync credential (“" + d["name"] + "”)"
	case "roster-sync.credential_revoked":
		s = who + " revoked the roster sync credential “" + d["name"] + "”"
	case "roster-sync.schedule_set":
		s = who + " changed when delivered roster files are applied"
	case "roster-sync.delivered":
		s = "The sync tool “" + d["integration"] + "” delivered roster files"
	case "roster-sync.run":
		s = "The roster files “" + d["integration"] + "” delivered " + map[string]string{
			"applied": "were applied", "rejected": "were not applied (they have problems)",
			"held": "are waiting for an admin to confirm them", "failed": "could not be applied",
		}[d["outcome"]]
	case "integration.registered":
		s = who + " registered the integration “" + d["name"] + "”"
	case "integration.revoked":
		s = who + " revoked the integration “" + d["name"] + "”"
	case "integration.token":
		s = "The integration “" + who + "” got an access token for an hour"
	case "integration.call":
		s = "The integration “" + who + "” read " + thing("your school’s data")
	default:
		s = who + " did something the log records as “" + codeWords(r.Action) + "”"
	}
	if !strings.HasPrefix(s, who) { // a name is written as it is
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s + "."
}

// personName names the person of a target "person <id>".
func (n *namer) personName(target, or string) string {
	if id, err := uuid.Parse(strings.TrimPrefix(target, "person ")); err == nil {
		if name := n.name("person", id); name != "" {
			return name
		}
	}
	return or
}

// personTarget names the person of a target "person <id>".
func (n *namer) personTarget(target, or string) string {
	if id, err := uuid.Parse(strings.TrimPrefix(target, "person ")); err == nil {
		if name := n.name("person", id); name != "" {
			return name + "’s data"
		}
	}
	return or
}

// purposeWords says a consent's purpose as a school would ("photos and
// video"); a purpose without words of its own goes by its title.
func purposeWords(key string) string {
	if w := purposes[key]; w != "" {
		return w
	}
	for _, p := range consent.Purposes() {
		if p.Key == key {
			return "“" + p.Title + "”"
		}
	}
	return "a purpose no longer offered"
}

var purposes = map[string]string{"optional-communications": "optional newsletters and event emails",
	"photo-video": "photos and video", "special-category": "health and other sensitive information"}

// codeWords turns a code into words: "tenant-export.requested" →
// "tenant export requested", for what has no words of its own.
func codeWords(code string) string {
	return strings.TrimSpace(strings.NewReplacer(".", " ", "-", " ", "_", " ", ":", " ").Replace(code))
}

// statusWords are each kind of record's statuses in words. Kinds: "job"
// (exports and copies made in the background), "deletion", "backup",
// "request" (a data protection request) and "request-kind", "attempt" (a
// quiz attempt), "course", "person", "contract", "breach", "question" (a
// quiz question's kind), "recording".
var statusWords = map[string]map[string]string{
	"job": {"queued": "Waiting to start", "running": "Being made", "done": "Ready", "failed": "Failed; it will be tried again",
		"removed": "Removed", "purged": "Removed"},
	"deletion": {"queued": "Waiting to start", "running": "Under way", "done": "Done", "failed": "Stopped; it will be tried again"},
	"backup":   {"running": "Being made", "done": "Kept", "failed": "Failed", "purged": "Removed"},
	"request": {"open": "Received, not started", "in-progress": "Being dealt with", "done": "Answered",
		"refused": "Refused"},
	"attempt":  {"in-progress": "Still answering", "submitted": "Handed in"},
	"course":   {"draft": "Draft", "published": "Published", "archived": "Archived"},
	"person":   {"active": "Active", "suspended": "Suspended: cannot sign in"},
	"contract": {"active": "Active", "ending": "Ending", "ended": "Ended", "deleted": "Deleted"},
	"breach":   {"open": "Being dealt with", "contained": "Stopped, effects still being handled", "closed": "Dealt with"},
	"question": {"single": "Multiple choice", "multiple": "Multiple answer", "numeric": "Number", "short": "Short answer",
		"essay": "Essay"},
	"recording": {"lesson": "Lesson", "assessment": "Assessment"},
}

// says is a status in words for its kind; an unknown one reads as words
// made from the code.
func says(kind string, code any) string {
	c := fmt.Sprint(code)
	if kind == "request-kind" && requestKinds[c] != "" {
		return requestKinds[c]
	}
	if w := statusWords[kind][c]; w != "" {
		return w
	}
	if c == "" {
		return ""
	}
	w := codeWords(c)
	return strings.ToUpper(w[:1]) + w[1:]
}

// plainError puts field errors a page did not show beside its fields into
// a sentence for the error page: "The guardian must be named", never
// "guardian_id: must be named". Other errors pass as they are.
func plainError(err error) error {
	var fe errs.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	var out []string
	for _, f := range fe {
		out = append(out, fieldSentence(f.Field, plainMessage(f.Message)))
	}
	return errs.New(errs.ErrInvalid, "%s", strings.Join(out, " "))
}

var fieldIndex = regexp.MustCompile(`\[\d+\]`)

// fieldSentence is one field's message as a sentence, the field named in
// words.
func fieldSentence(field, msg string) string {
	name := fieldIndex.ReplaceAllString(field, "")
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(name, "_ids"), "_id"), "_", " "))
	msg = strings.TrimSuffix(strings.TrimSpace(msg), ".")
	var s string
	switch {
	case msg == "":
		s = "check " + name
	case name == "" || unicode.IsUpper([]rune(msg)[0]):
		s = msg
	case startsWithVerb(msg):
		s = "the " + name + " " + msg
	default:
		s = name + ": " + msg
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func startsWithVerb(msg string) bool {
	first, _, _ := strings.Cut(msg, " ")
	switch first {
	case "must", "is", "are", "cannot", "can", "may", "should", "needs", "has", "was", "does", "do":
		return true
	}
	return false
}

// fieldWords name, in a service's message, the fields a form shows in
// words ("must be after opens_at" → "must be after the opening date").
var fieldWords = map[string]string{"opens_at": "the opening date", "due_at": "the due date", "closes_at": "the closing date",
	"max_score": "maximum score", "no_late_work": "no late work", "visible_from": "a date to show it from",
	"school_id": "school", "course_id": "course", "source_id": "class or group", "starts_on": "the start date",
	"ends_on": "the end date", "dry_run": "dry run"}

var snakeWord = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`)

// plainMessage is a service's message with the field names it mentions
// in words.
func plainMessage(msg string) string {
	return snakeWord.ReplaceAllStringFunc(msg, func(w string) string {
		if p := fieldWords[w]; p != "" {
			return p
		}
		return strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(w, "_id"), "_at"), "_", " ")
	})
}

// orWords is a name from a table, or the code in words when the table has
// none.
func orWords(name, code string) string {
	if name != "" {
		return name
	}
	return says("", code)
}

// signInWords is how someone signed in, as the access log says it.
func signInWords(method string) string {
	switch method {
	case "password+code":
		return "their password and a code"
	case "link":
		return "a set-password link"
	case "passkey":
		return "a passkey"
	}
	return "their password"
}
