package web

import (
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/due"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// childrenPages are a parent's or carer's view: My children (where they
// land after signing in), each child's page, and the consents they give
// for a child; and the school's choice of what parents see. Every child
// page checks the guardianship on the server: a child not linked to the
// signed-in person is not found.
func (s *Site) childrenPages() []request.Route {
	m := tp + "/my/children"
	return []request.Route{
		{Method: "GET", Path: m, Summary: "My children: their work, my consents for them, messages from the school",
			Area: request.AreaTenant, Object: "children", Action: "read", Handler: s.serve(s.childrenPage)},
		// The child's routes are my-data's, which every member holds: the
		// handler then answers "not found" for anyone but the child's
		// guardians, as it does for another family's child.
		{Method: "GET", Path: m + "/:id", Summary: "One of my children", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Handler: s.serve(withID("id", "There is no such child.", s.childPage))},
		{Method: "POST", Path: m + "/:id/consents", Summary: "Give or withdraw a consent for my child",
			Area: request.AreaTenant, Object: "my-data", Action: "write",
			Handler: s.serve(withID("id", "There is no such child.", s.changeChildConsent))},
		{Method: "GET", Path: tp + "/admin/parents-see", Summary: "What each school shows parents and carers of their child's work",
			Area: request.AreaTenant, Object: "person", Action: "read", Handler: s.serve(s.parentsSeePage)},
		{Method: "POST", Path: tp + "/admin/parents-see", Summary: "Save what each school shows parents and carers",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.saveParentsSee)},
	}
}

// childPanel is one child on My children.
type childPanel struct {
	consent.Child
	Consents []consent.State
	// Show is what the child's school shows parents; Work holds only
	// those lists (the others are left empty, never sent to the page).
	Show course.GuardianView
	Work due.Learner
	// Feedback is the released written feedback on marked assignments,
	// by assignment, when the school shows parents marks and feedback.
	Feedback map[uuid.UUID]string
}

type childrenData struct {
	Base     string
	Children []childPanel
	Messages []comms.Communication
	More     bool // more messages than shown
	// One is set on one child's page.
	One bool
}

// messagesShown is how many of the school's latest messages My children
// shows; the Messages page has them all.
const messagesShown = 5

func (s *Site) childrenPage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	kids, err := s.d.Consents.Children(ctx, sc)
	if err != nil {
		return page{}, err
	}
	d := childrenData{Base: base(c)}
	for _, k := range kids {
		p, err := s.childPanel(c, k)
		if err != nil {
			return page{}, err
		}
		d.Children = append(d.Children, p)
	}
	ms, err := s.d.Comms.Inbox(ctx, sc)
	if err != nil {
		return page{}, err
	}
	if len(ms) > messagesShown {
		ms, d.More = ms[:messagesShown], true
	}
	d.Messages = ms
	return show("my_children", view{Title: "My children", Data: d}), nil
}

// childPage is one child's panel alone.
func (s *Site) childPage(c *gin.Context, id uuid.UUID) (page, error) {
	k, err := s.myChild(c, id)
	if err != nil {
		return page{}, err
	}
	p, err := s.childPanel(c, k)
	if err != nil {
		return page{}, err
	}
	return show("my_children", view{Title: k.DisplayName, Data: childrenData{Base: base(c), Children: []childPanel{p}, One: true}}), nil
}

// myChild is the signed-in person's child id, or not found: the
// guardianship is what lets anyone see a child here.
func (s *Site) myChild(c *gin.Context, id uuid.UUID) (consent.Child, error) {
	kids, err := s.d.Consents.Children(c.Request.Context(), request.Scope(c))
	if err != nil {
		return consent.Child{}, err
	}
	for _, k := range kids {
		if k.ID == id {
			return k, nil
		}
	}
	return consent.Child{}, errs.New(errs.ErrNotFound, "There is no such child.")
}

// childPanel gathers what the guardian sees of child k: the consents they
// give, and of the child's work only what the school shows parents.
func (s *Site) childPanel(c *gin.Context, k consent.Child) (childPanel, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	p := childPanel{Child: k}
	var err error
	if p.Consents, err = s.d.Consents.States(ctx, sc, k.ID); err != nil {
		return p, err
	}
	if p.Show, err = s.d.Courses.GuardianViewFor(ctx, sc, k.ID); err != nil {
		return p, err
	}
	if !p.Show.Due && !p.Show.Missing && !p.Show.Marks {
		return p, nil
	}
	w, err := s.d.Due.ForLearner(ctx, sc, k.ID, s.now())
	if err != nil {
		return p, err
	}
	if p.Show.Due {
		p.Work.Due = w.Due
	}
	if p.Show.Missing {
		// Late work still taken is missing to a parent too: it is not in.
		p.Work.Overdue, p.Work.Missing = w.Overdue, w.Missing
	}
	if p.Show.Marks {
		p.Work.Marked = w.Marked
		var ids []uuid.UUID
		for _, it := range w.Marked {
			if it.Kind == due.KindAssignment {
				ids = append(ids, it.ID)
			}
		}
		if p.Feedback, err = s.d.Assignments.FeedbackForGuardian(ctx, sc, k.ID, ids); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (s *Site) changeChildConsent(c *gin.Context, id uuid.UUID) (page, error) {
	if _, err := s.myChild(c, id); err != nil {
		return page{}, err
	}
	ch, err := consentChange(c)
	if err != nil {
		return page{}, err
	}
	_, err = s.d.Consents.Set(c.Request.Context(), request.Scope(c), id, ch)
	return goTo(base(c) + "/my/children?done=my-consent"), err
}

// --- the school's choice ------------------------------------------------

type parentsSeeData struct {
	Base    string
	Schools []parentsSeeSchool
}

type parentsSeeSchool struct {
	ID   uuid.UUID
	Name string
	See  course.GuardianView
}

func (s *Site) parentsSeePage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	schools, err := s.schoolsOf(c)
	if err != nil {
		return page{}, err
	}
	d := parentsSeeData{Base: base(c)}
	for _, sch := range schools {
		v, err := s.d.Courses.GuardianView(ctx, sc, sch.ID)
		if err != nil {
			return page{}, err
		}
		d.Schools = append(d.Schools, parentsSeeSchool{ID: sch.ID, Name: sch.Name, See: v})
	}
	return show("admin_parents_see", view{Title: "What parents see", Data: d}), nil
}

// saveParentsSee saves every school on the form: each box ticked shows
// that item to the school's parents and carers.
func (s *Site) saveParentsSee(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	due, missing, marks := ticked(c.PostFormArray("due")), ticked(c.PostFormArray("missing")), ticked(c.PostFormArray("marks"))
	for _, v := range c.PostFormArray("school") {
		id, err := uuid.Parse(v)
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "The form named a school that is not one.")
		}
		if err := s.d.Courses.SetGuardianView(ctx, sc, id, course.GuardianView{Due: due[v], Missing: missing[v], Marks: marks[v]}); err != nil {
			return page{}, err
		}
	}
	return goTo(base(c) + "/admin/parents-see?done=saved"), nil
}

// schoolsOf is the schools the signed-in member acts for on this page:
// every school of the tenant, or only those of their role when it is
// limited to some schools (a school's own admin in a trust is not offered
// the trust's other schools).
func (s *Site) schoolsOf(c *gin.Context) ([]tenant.School, error) {
	sc := request.Scope(c)
	all, err := s.d.Tenants.Schools(c.Request.Context(), sc)
	return withinScope(sc, all), err
}

// withinScope is those of schools the scope reaches (a copy).
func withinScope(sc access.Scope, schools []tenant.School) []tenant.School {
	ids, limited := sc.Schools()
	if !limited {
		return schools
	}
	return slices.DeleteFunc(slices.Clone(schools), func(sch tenant.School) bool { return !slices.Contains(ids, sch.ID) })
}

// wide reports whether the member's roles reach the processor matters of
// the whole tenant (support access, the data-protection hub), not only
// some schools of it as a school's own admin in a trust.
func (s *Site) wide(c *gin.Context, p identity.Principal) bool {
	g, err := s.d.Authz.Decide(c.Request.Context(), p, p.TenantID, "support-request", "read")
	return err == nil && g.Allowed && g.Schools == nil
}

// adminMenu is the school administration menu (the adminNav partial):
// each page the member may open, by the route table's object and action,
// leaving the trust-wide ones (wideOnly) to those whose roles reach the
// whole tenant.
func (s *Site) adminMenu(c *gin.Context, p identity.Principal, base string, wide bool) []navLink {
	items := []struct {
		label, path string
		wideOnly    bool
	}{
		{"Dashboard", "/admin", false}, {"People and roles", "/admin/people", false},
		{"Bulk import", "/admin/roster", false}, {"Roster sync", "/admin/roster-sync", true},
		{"Integrations", "/admin/integrations", true},
		{"Courses and enrolments", "/admin/courses", false},
		{"Subject requests", "/admin/requests", false}, {"Data protection", "/admin/protection", true},
		{"Support access", "/admin/support", false}, {"Messages", "/admin/messages", false},
		{"Usage", "/admin/usage", true}, {"Time zone", "/admin/time-zone", false},
		{"Two-step sign-in", "/admin/two-step", true}, {"Sign-in options", "/admin/sign-in", true},
		{"Sign-ins", "/admin/sign-ins", true},
	}
	gets := map[string]request.Route{}
	for _, rt := range s.Routes() {
		if rt.Method == "GET" {
			gets[rt.Path] = rt
		}
	}
	var out []navLink
	for _, it := range items {
		rt, ok := gets[tp+it.path]
		if ok && (wide || !it.wideOnly) && s.allowed(c, p, rt.Object, rt.Action) {
			out = append(out, navLink{Label: it.label, Href: base + it.path})
		}
	}
	// Admins reach support access from Data protection; it is on the menu
	// for those (approvers) who have no dashboard.
	if len(out) > 0 && out[0].Label == "Dashboard" {
		out = slices.DeleteFunc(out, func(n navLink) bool { return n.Label == "Support access" })
	}
	return out
}
