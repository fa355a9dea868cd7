package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// signInPages are "Sign-ins": every sign-in of the school's members and
// every failed one, newest first, for the admins who see the security
// signals; the failures alone, or one person's, on request.
func (s *Site) signInPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/admin/sign-ins", Summary: "Sign-ins and failed sign-ins (paged)",
			Area: request.AreaTenant, Object: "security-event", Action: "read", Handler: s.serve(s.signInsPage)},
	}
}

type signInsData struct {
	Base     string
	Events   []identity.SignInEvent
	Failures bool
	Person   *identity.Person // the person whose sign-ins these are, when one
	Pager    pager
}

func (s *Site) signInsPage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	d := signInsData{Base: base(c), Failures: c.Query("failures") == "yes"}
	f := identity.SignInFilter{FailuresOnly: d.Failures}
	if v := c.Query("person"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return page{}, errs.New(errs.ErrNotFound, "No such person.")
		}
		p, err := s.d.Identity.GetPerson(ctx, sc, id)
		if err != nil {
			return page{}, err
		}
		d.Person, f.Person = &p, &id
	}
	es, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]identity.SignInEvent, error) {
		return s.d.Identity.SignIns(ctx, sc, f, after, limit)
	}, func(e identity.SignInEvent) uuid.UUID { return e.ID })
	if err != nil {
		return page{}, err
	}
	d.Events, d.Pager = es, pg
	title := "Sign-ins"
	if d.Person != nil {
		title = "Sign-ins of " + d.Person.DisplayName
	}
	return show("sign_ins", view{Title: title, Data: d}), nil
}
