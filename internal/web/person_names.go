package web

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/request"
)

// personNamePages let an admin change the first name a person goes by.
// The legal name and pupil number come from the school's information
// system (a roster import) and are shown, not edited, here.
func (s *Site) personNamePages() []request.Route {
	return []request.Route{
		{Method: "POST", Path: tp + "/admin/people/:id/preferred-name",
			Summary: "Change the first name a person goes by", Area: request.AreaTenant, Object: "person",
			Action: "write", Handler: s.serve(withID("id", "There is no such person.", s.savePreferredName))},
	}
}

// legalName is the legal name in one line ("" when none is kept).
func legalName(p identity.Person) string {
	var parts []string
	for _, n := range []*string{p.GivenName, p.MiddleName, p.FamilyName} {
		if n != nil {
			parts = append(parts, *n)
		}
	}
	return strings.Join(parts, " ")
}

func (s *Site) savePreferredName(c *gin.Context, id uuid.UUID) (page, error) {
	form := postedAsIs(c, "preferred_name")
	v := form["preferred_name"]
	_, err := s.d.Identity.UpdatePerson(c.Request.Context(), request.Scope(c), id, identity.PersonPatch{PreferredName: &v})
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		d, err := s.personView(c, id)
		if err != nil {
			return page{}, err
		}
		fe = labelled(fe, map[string]string{"preferred_name": "The preferred first name"})
		return again("admin_person", view{Title: d.Person.DisplayName, Form: form, Errors: fe, Fields: []string{"preferred_name"}, Data: d}), nil
	}
	return goTo(base(c) + "/admin/people/" + id.String() + "?done=saved"), nil
}
