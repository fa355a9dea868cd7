package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// sessionPages are "Where you are signed in": a member's (or staff
// member's) own sessions and API tokens, each ended on its own or all
// the others at once; and the same for a person, from their page, for an
// admin who reaches them. Ending one takes effect at its next request:
// every request looks its session up.
func (s *Site) sessionPages() []request.Route {
	a := tp + "/admin/people/:id/sessions"
	return []request.Route{
		{Method: "GET", Path: "/account/sessions", Summary: "Where you are signed in",
			Area: request.AreaSelf, Object: "self", Action: "read", Handler: s.serve(s.mySessions)},
		{Method: "POST", Path: "/account/sessions/others/end", Summary: "End all your other sessions",
			Area: request.AreaSelf, Object: "self", Action: "write", Handler: s.serve(s.endOtherSessions)},
		{Method: "POST", Path: "/account/sessions/:session/end", Summary: "End one of your sessions",
			Area: request.AreaSelf, Object: "self", Action: "write", Handler: s.serve(withID("session", "No such session.", s.endMySession))},
		{Method: "GET", Path: a, Summary: "Where a person is signed in",
			Area: request.AreaTenant, Object: "session", Action: "read", Handler: s.serve(withID("id", "No such person.", s.personSessions))},
		{Method: "POST", Path: a + "/all/end", Summary: "End all of a person's sessions and API tokens",
			Area: request.AreaTenant, Object: "session", Action: "write", Handler: s.serve(withID("id", "No such person.", s.endPersonSessions))},
		{Method: "POST", Path: a + "/:session/end", Summary: "End one of a person's sessions or API tokens",
			Area: request.AreaTenant, Object: "session", Action: "write", Handler: s.serve(withID("id", "No such person.", s.endPersonSession))},
	}
}

type sessionsData struct {
	Sessions []identity.Session
	Tokens   []identity.Session
	Action   string // where the end forms post
	Own      bool
	Name     string // the person's, on an admin's page
	Back     string
	Done     string
	// A member's own recent sign-ins and failed ones (ShowSignIns).
	SignIns     []identity.SignInEvent
	ShowSignIns bool
}

func splitSessions(all []identity.Session, d *sessionsData) {
	for _, x := range all {
		if x.Kind == "token" {
			d.Tokens = append(d.Tokens, x)
		} else {
			d.Sessions = append(d.Sessions, x)
		}
	}
}

func (s *Site) mySessions(c *gin.Context) (page, error) {
	all, err := s.d.Identity.MySessions(c.Request.Context(), request.Principal(c))
	if err != nil {
		return page{}, err
	}
	d := sessionsData{Action: "/account/sessions", Own: true, Done: c.Query("done")}
	splitSessions(all, &d)
	if p := request.Principal(c); p.Kind == identity.KindMember {
		d.ShowSignIns = true
		if d.SignIns, err = s.d.Identity.MySignIns(c.Request.Context(), p, 20); err != nil {
			return page{}, err
		}
	}
	return show("sessions", view{Title: "Where you are signed in", Data: d}), nil
}

func (s *Site) endMySession(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Identity.RevokeMine(c.Request.Context(), request.Principal(c), id)
	return goTo("/account/sessions?done=ended"), err
}

func (s *Site) endOtherSessions(c *gin.Context) (page, error) {
	err := s.d.Identity.EndOtherSessions(c.Request.Context(), request.Principal(c))
	return goTo("/account/sessions?done=others"), err
}

func (s *Site) personSessions(c *gin.Context, id uuid.UUID) (page, error) {
	sc := request.Scope(c)
	p, err := s.d.Identity.GetPerson(c.Request.Context(), sc, id)
	if err != nil {
		return page{}, err
	}
	all, err := s.d.Identity.PersonSessions(c.Request.Context(), sc, id)
	if err != nil {
		return page{}, err
	}
	back := base(c) + "/admin/people/" + id.String()
	d := sessionsData{Action: back + "/sessions", Name: p.DisplayName, Back: back, Done: c.Query("done")}
	splitSessions(all, &d)
	return show("sessions", view{Title: "Where " + p.DisplayName + " is signed in", Data: d}), nil
}

func (s *Site) endPersonSession(c *gin.Context, id uuid.UUID) (page, error) {
	cred, ok := pathID(c, "session")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "No such session.")
	}
	err := s.d.Identity.RevokePersonCredential(c.Request.Context(), request.Scope(c), id, cred)
	return goTo(base(c) + "/admin/people/" + id.String() + "/sessions?done=ended"), err
}

func (s *Site) endPersonSessions(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Identity.EndPersonSessions(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/admin/people/" + id.String() + "/sessions?done=all"), err
}
