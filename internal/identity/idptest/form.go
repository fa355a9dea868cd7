package idptest

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// htmlForm is the first <form> of a page: its action (resolved against the
// page's URL) and the values of its named inputs.
type htmlForm struct {
	Action string
	Values url.Values
}

// firstForm finds the first form of page, or reports false.
func firstForm(page string, base *url.URL) (htmlForm, bool) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return htmlForm{}, false
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if form != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			form = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		return htmlForm{}, false
	}
	out := htmlForm{Action: base.String(), Values: url.Values{}}
	if a := attr(form, "action"); a != "" {
		if u, err := base.Parse(a); err == nil {
			out.Action = u.String()
		}
	}
	var inputs func(*html.Node)
	inputs = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" {
			if name := attr(n, "name"); name != "" {
				out.Values.Add(name, attr(n, "value"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			inputs(c)
		}
	}
	inputs(form)
	return out, true
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
