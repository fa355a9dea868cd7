package web_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/demo"
)

// Every menu offers only what its reader may use: for each kind of person
// (learner, teacher, parent, a school's own admin in a trust, the trust's
// admin, a support approver, a personal tutor who does not teach,
// processor operator and support staff), sign
// in through the real server, follow home to the landing page, read every
// link of its menus (the <nav> elements) and open each, and the links of
// the menus on those pages: each must be one of the site's page routes and
// must not answer 403 (nor any other error); nor may any other link on
// those pages answer them 403.
func TestMenusOfferOnlyWhatEachRoleMayUse(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	seedDemo(t, e)
	var sam uuid.UUID
	const pw = "nav-password-123"
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		// A trust: the seeded school and a second one.
		var first uuid.UUID
		require.NoError(t, tx.Raw(`SELECT id FROM schools ORDER BY created_at, id LIMIT 1`).Row().Scan(&first))
		require.NoError(t, tx.Exec(`INSERT INTO schools (tenant_id, id, slug, name) VALUES (?, ?, 'second', 'Second school')`, e.A.ID, uuid.Must(uuid.NewV7())).Error)
		mk := func(user string, role identity.Role, school *uuid.UUID) {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: user, DisplayName: user, Password: pw})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, e.A.ID, p.ID, role, school)
			require.NoError(t, err)
		}
		mk("nav.school-admin", identity.RoleAdmin, &first)
		mk("nav.approver", identity.RoleApprover, nil)
		mk("nav.tutor", identity.RoleTutor, &first)
		// Pat is Sam's parent.
		var pat uuid.UUID
		require.NoError(t, tx.Raw(`SELECT id FROM people WHERE username = 'sam.learner'`).Row().Scan(&sam))
		require.NoError(t, tx.Raw(`SELECT id FROM people WHERE username = 'pat.parent'`).Row().Scan(&pat))
		return tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id) VALUES (?, ?, ?)`, e.A.ID, pat, sam).Error
	}))

	// The site's page routes, as patterns over paths.
	var pages []*regexp.Regexp
	param := regexp.MustCompile(`:[a-z_]+|\*[a-z_]+$`)
	for _, rt := range e.App.Kernel.Routes() {
		if rt.Page && rt.Method == "GET" {
			pat := param.ReplaceAllStringFunc(regexp.QuoteMeta(rt.Path), func(p string) string {
				if p[0] == '*' {
					return `.*`
				}
				return `[^/]+`
			})
			pages = append(pages, regexp.MustCompile(`^`+pat+`$`))
		}
	}
	isPage := func(path string) bool {
		for _, re := range pages {
			if re.MatchString(path) {
				return true
			}
		}
		return false
	}

	for _, who := range []struct {
		name    string
		client  func() *apptest.Client
		home    string // where signing in sends them
		landing string // the page they land on
		menu    []string
	}{
		{"learner", func() *apptest.Client { return e.Login(e.A.Slug, "sam.learner", demo.Password) }, "/t/tenant-a", "/t/tenant-a/courses", []string{"My courses", "My data"}},
		{"teacher", func() *apptest.Client { return e.Login(e.A.Slug, "jo.teacher", demo.Password) }, "/t/tenant-a", "/t/tenant-a/courses", []string{"My courses"}},
		{"parent", func() *apptest.Client { return e.Login(e.A.Slug, "pat.parent", demo.Password) }, "/t/tenant-a", "/t/tenant-a/my/children", []string{"My children", "Messages"}},
		{"school admin", func() *apptest.Client { return e.Login(e.A.Slug, "nav.school-admin", pw) }, "/t/tenant-a", "/t/tenant-a/admin", []string{"People and roles"}},
		{"trust admin", func() *apptest.Client { return e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword) }, "/t/tenant-a", "/t/tenant-a/admin", []string{"People and roles", "Data protection"}},
		{"approver", func() *apptest.Client { return e.Login(e.A.Slug, "nav.approver", pw) }, "/t/tenant-a", "/t/tenant-a/admin/support", []string{"Support access"}},
		{"tutor", func() *apptest.Client { return e.Login(e.A.Slug, "nav.tutor", pw) }, "/t/tenant-a", "/t/tenant-a/tutees", []string{"My tutees"}},
		{"operator", func() *apptest.Client { return e.StaffLogin(e.Operator, apptest.OperatorPassword) }, "/home", "/platform", []string{"Tenants", "Staff"}},
		{"support staff", func() *apptest.Client { return e.StaffLogin(e.Support, apptest.SupportPassword) }, "/home", "/platform", []string{"Tenants", "Support requests"}},
	} {
		c := who.client()
		path := who.home
		r := c.Do("GET", path, nil)
		for i := 0; r.Status == 303 && i < 5; i++ {
			path = r.Header.Get("Location")
			r = c.Do("GET", path, nil)
		}
		require.Equal(t, 200, r.Status, "%s: home ends at %s: %s", who.name, path, r.Text())
		require.Equal(t, who.landing, path, "%s lands on", who.name)
		links := menuLinks(t, r.Body)
		require.NotEmpty(t, links, who.name)
		labels := map[string]bool{}
		for _, l := range links {
			labels[l[0]] = true
		}
		for _, want := range who.menu {
			require.True(t, labels[want], "%s's menu offers %q: %v", who.name, want, links)
		}
		// Every menu link, then the menus of the pages they lead to (a
		// page's own submenu), each page once.
		seen, seenLink := map[string]bool{path: true}, map[string]bool{}
		for depth := 0; depth < 2 && len(links) > 0; depth++ {
			var next [][2]string
			for _, l := range links {
				label, href := l[0], l[1]
				if !strings.HasPrefix(href, "/") {
					continue
				}
				href, _, _ = strings.Cut(href, "?")
				if seen[href] {
					continue
				}
				seen[href] = true
				require.True(t, isPage(href), "%s's menu link %q (%s) is not a page of the site", who.name, label, href)
				got := c.Do("GET", href, nil)
				require.NotEqual(t, 403, got.Status, "%s's menu offers %q (%s), which refuses them", who.name, label, href)
				require.Contains(t, []int{200, 303}, got.Status, "%s's menu link %q (%s): %s", who.name, label, href, got.Text())
				if got.Status == 200 {
					next = append(next, menuLinks(t, got.Body)...)
				}
				// Nor does any other link of that page refuse them.
				for _, h := range pageLinks(t, got.Body) {
					if (strings.HasPrefix(h, "/t/") || strings.HasPrefix(h, "/platform")) && !seenLink[h] {
						seenLink[h] = true
						require.NotEqual(t, 403, c.Do("GET", h, nil).Status, "%s: %s links to %s, which refuses them", who.name, href, h)
					}
				}
			}
			links = next
		}
	}
}

// A school's own admin in a trust is offered only their school in forms
// (and on the dashboard), never "All schools" or everyone in the trust;
// the trust's admin is offered both schools.
func TestSchoolAdminIsOfferedOnlyTheirSchool(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	const pw = "nav-password-123"
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		var first uuid.UUID
		require.NoError(t, tx.Raw(`SELECT id FROM schools ORDER BY created_at, id LIMIT 1`).Row().Scan(&first))
		require.NoError(t, tx.Exec(`INSERT INTO schools (tenant_id, id, slug, name) VALUES (?, ?, 'second', 'Second school')`, e.A.ID, uuid.Must(uuid.NewV7())).Error)
		p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: "nav.school-admin", DisplayName: "School Admin", Password: pw})
		require.NoError(t, err)
		_, err = identity.AssignRoleTx(tx, e.A.ID, p.ID, identity.RoleAdmin, &first)
		return err
	}))
	forms := []string{"/admin", "/admin/people/new", "/admin/courses", "/admin/messages", "/admin/teachers-enrol", "/admin/parents-see", "/rollovers/new"}
	school := e.Login(e.A.Slug, "nav.school-admin", pw)
	trust := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	for _, f := range forms {
		r := school.Expect(200, "GET", "/t/tenant-a"+f, nil)
		for _, never := range []string{"Second school", "All schools", "Everyone in every school", "/admin/protection"} {
			require.NotContains(t, r.Text(), never, "a school's own admin on %s", f)
		}
		require.Contains(t, r.Text(), "School tenant-a", f)
		require.Contains(t, trust.Expect(200, "GET", "/t/tenant-a"+f, nil).Text(), "Second school", "the trust's admin on %s", f)
	}
	// No link on any administration page the school's admin may open
	// leads to a page that refuses them (the trust-wide pages).
	checked := map[string]bool{}
	for _, rt := range e.App.Kernel.Routes() {
		if !rt.Page || rt.Method != "GET" || !strings.HasPrefix(rt.Path, "/t/:tenant/admin") || strings.Count(rt.Path, ":") > 1 {
			continue
		}
		from := strings.Replace(rt.Path, ":tenant", "tenant-a", 1)
		r := school.Do("GET", from, nil)
		if r.Status != 200 {
			continue
		}
		for _, href := range pageLinks(t, r.Body) {
			if !strings.HasPrefix(href, "/t/") || checked[href] {
				continue
			}
			checked[href] = true
			got := school.Do("GET", href, nil)
			require.NotEqual(t, 403, got.Status, "%s links a school's own admin to %s, which refuses them", from, href)
		}
	}
	require.NotEmpty(t, checked)
}

// pageLinks are the addresses of every link of a page's main content and
// menus, without their query.
func pageLinks(t *testing.T, page []byte) []string {
	doc, err := html.Parse(bytes.NewReader(page))
	require.NoError(t, err)
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					href, _, _ := strings.Cut(a.Val, "?")
					out = append(out, href)
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return out
}

// menuLinks are the label and address of every link inside a <nav>.
func menuLinks(t *testing.T, page []byte) [][2]string {
	doc, err := html.Parse(bytes.NewReader(page))
	require.NoError(t, err)
	var out [][2]string
	var walk func(n *html.Node, inNav bool)
	walk = func(n *html.Node, inNav bool) {
		if n.Type == html.ElementNode && n.Data == "nav" {
			inNav = true
		}
		if inNav && n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out = append(out, [2]string{strings.TrimSpace(nodeText(n)), a.Val})
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inNav)
		}
	}
	walk(doc, false)
	return out
}

func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		b.WriteString(nodeText(ch))
	}
	return b.String()
}
