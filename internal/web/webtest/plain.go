package webtest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
)

// DeveloperStrings finds, in a page's visible text (not attributes,
// scripts, styles or link addresses), words meant for developers that a
// school user should never read:
//   - route patterns: "/:name" in a path, or "GET /", "POST /";
//   - dotted action names: "consent.given", "support.read";
//   - field names in messages: "guardian_id: ...", or snake_case words
//     anywhere ("filters school_id"; a file name such as my_work.pdf is
//     not one);
//   - raw status codes shown alone in a cell, a definition or a tag
//     ("open", "in-progress", "dry_run"), or leading one ("running: 3 of 9");
//   - ids alone ("0b7e6f1c-2a59-…"), not in an address;
//   - Go and database error fragments: "%!", "<nil>", "map[", "sql:", "pq:",
//     "ERROR:", "SQLSTATE", "uuid", "runtime error".
//
// Each finding says what it is and quotes the text around it. Usernames
// (alex.learner), e-mail addresses, file names and web addresses are not
// findings.
func DeveloperStrings(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"page does not parse: " + err.Error()}
	}
	var out []string
	add := func(kind, found, in string) {
		f := fmt.Sprintf("%s %q in %q", kind, found, clip(in))
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if skipped[n.Data] || hasAttr(n, "hidden") {
				return
			}
			if isCell(n) {
				cell := strings.Join(strings.Fields(textOf(n)), " ")
				if w, ok := rawStatus(cell); ok {
					add("raw status", w, cell)
				}
			}
		}
		if n.Type == html.TextNode {
			t := strings.Join(strings.Fields(n.Data), " ")
			for _, r := range textRules {
				for _, m := range r.re.FindAllStringSubmatch(t, -1) {
					found := m[len(m)-1]
					if r.keep == nil || r.keep(found) {
						add(r.kind, found, t)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// skipped elements hold no text a person reads on the page.
var skipped = map[string]bool{"script": true, "style": true, "template": true, "noscript": true, "svg": true}

type textRule struct {
	kind string
	re   *regexp.Regexp // the last group (or the whole match) is the finding
	keep func(string) bool
}

var textRules = []textRule{
	{kind: "route pattern", re: regexp.MustCompile(`(?:^|[^\w:])((?:/[\w.~-]*)*/:[A-Za-z_]\w*)`)},
	{kind: "route pattern", re: regexp.MustCompile(`\b((?:GET|POST|PUT|PATCH|DELETE|HEAD) /\S*)`)},
	{kind: "dotted action name", re: regexp.MustCompile(`(?:^|[^\w.@/-])([a-z]+(?:-[a-z]+)*\.[a-z]+(?:-[a-z]+)*)(?:$|[^\w@/.-]|\.(?:\s|$))`), keep: isActionName},
	{kind: "field name", re: regexp.MustCompile(`(?:^|[^\w.])([a-z]+(?:_[a-z0-9]+)+(?:\[\d+\])?(?:\.[a-z_]+)*:)(?:\s|$)`)},
	{kind: "snake_case word", re: regexp.MustCompile(`(?:^|[\s(,;])([a-z]+(?:_[a-z0-9]+)+)(?:$|[\s),;:?!]|\.(?:\s|$))`)},
	// An id alone (not in an address a page gives to keep).
	{kind: "raw id", re: regexp.MustCompile(`(?:^|[^\w/=-])([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b`)},
	{kind: "error fragment", re: regexp.MustCompile(`(%!|<nil>|map\[|\bsql: |\bpq: |\bpgx\b|\bERROR: |SQLSTATE|(?i:\buuid\b)|runtime error|invalid input: )`)},
}

// actionVerbs end a dotted action name: what happened ("given",
// "read"). A username such as alex.learner or jo.teacher ends otherwise.
var actionVerbs = []string{"given", "withdrawn", "read", "requested", "approved", "denied", "refused", "revoked",
	"registered", "authorised", "objected", "applied", "recorded", "notified", "signed", "extracted", "removed",
	"made", "restored", "ready", "downloaded", "opened", "updated", "erased", "rectified", "upheld", "lifted",
	"restricted", "created", "deleted", "submitted", "released", "marked", "changed", "added", "started",
	"failed", "queued", "sent", "linked", "unlinked", "locked", "unlocked", "enrolled", "published", "archived"}

// actionAreas begin one: the parts of the platform that write the log.
var actionAreas = []string{"support", "consent", "legal", "breach", "data-use", "sub-processor", "contract",
	"tenant", "tenant-export", "subject", "subject-request", "subject-export", "person", "backup", "course",
	"assignment", "quiz", "submission", "roster", "identity", "session", "role", "retention", "hold", "grant"}

func isActionName(s string) bool {
	area, verb, _ := strings.Cut(s, ".")
	last := verb
	if i := strings.LastIndex(verb, "-"); i >= 0 {
		last = verb[i+1:]
	}
	return slices.Contains(actionAreas, area) || slices.Contains(actionVerbs, verb) || slices.Contains(actionVerbs, last)
}

// statusWords are status codes the platform stores. Shown alone, lower
// case, they are the code, not words for a person.
var statusWords = []string{"open", "submitted", "queued", "running", "failed", "done", "pending", "approved",
	"denied", "revoked", "expired", "ended", "draft", "published", "archived", "active", "suspended", "ending",
	"deleted", "contained", "closed", "refused", "purged", "delivered", "sent", "suppressed", "uploading",
	"ready", "deleting", "unmarked", "marked", "released", "late", "missing", "applied", "rejected", "removed",
	"in-progress", "handed-in", "on-request", "contract-end", "dry-run", "none", "true", "false", "null"}

var codeWord = regexp.MustCompile(`^[a-z]+(?:[_-][a-z]+)*$`)

// rawStatus reports a cell that is a status code alone ("open"), a
// snake_case word alone, or text led by a code ("running: 3 of 9").
func rawStatus(cell string) (string, bool) {
	word, rest := cell, ""
	if i := strings.IndexAny(cell, ":,"); i > 0 {
		word, rest = cell[:i], cell[i:]
	}
	if !codeWord.MatchString(word) {
		return "", false
	}
	if rest == "" && strings.Contains(word, "_") {
		return word, true
	}
	return word, slices.Contains(statusWords, word)
}

// isCell is an element whose whole text is one value: a table cell, a
// definition, a tag.
func isCell(n *html.Node) bool {
	switch n.Data {
	case "td", "th", "dd", "output":
		return true
	case "span", "strong", "b", "em", "mark":
		// A tag standing alone, not a word of a sentence ("This course is
		// <strong class=tag>published</strong>: its learners see it").
		c := " " + attr(n, "class") + " "
		tag := strings.Contains(c, " tag ") || strings.Contains(c, " status ") || strings.Contains(c, " badge ")
		return tag && (n.Parent == nil || strings.TrimSpace(textOf(n.Parent)) == strings.TrimSpace(textOf(n)))
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (skipped[n.Data] || hasAttr(n, "hidden")) {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "br" {
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if r := []rune(s); len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}

// plain fails the test on developer strings in the page's visible text.
func (b *Browser) plain(url string) {
	b.T.Helper()
	var doc string
	b.Run(chromedp.OuterHTML("html", &doc, chromedp.ByQuery))
	if found := DeveloperStrings(doc); len(found) > 0 {
		b.T.Errorf("%s shows developer strings:\n  %s", url, strings.Join(found, "\n  "))
	}
}
