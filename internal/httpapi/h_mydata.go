package httpapi

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// The "my" routes act on the caller alone: the person is the caller's own
// id, never taken from the request.

func me(c *gin.Context) uuid.UUID { return scope(c).Actor().ID }

func (s *Server) myRequests(c *gin.Context) {
	id := me(c)
	out, err := s.Subjects.List(c.Request.Context(), scope(c), subject.Filter{PersonID: &id}, uuid.Nil, 100)
	reply(c, http.StatusOK, out, err)
}

// openRequestFor records a request about person asked by the caller in
// relation (self or guardian).
func (s *Server) openRequestFor(c *gin.Context, person uuid.UUID, relation string) {
	var in MyRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.Open(c.Request.Context(), scope(c), relation, subject.NewRequest{PersonID: person, Kind: in.Kind, Details: in.Details})
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) openMyRequest(c *gin.Context) { s.openRequestFor(c, me(c), "self") }

func (s *Server) myConsents(c *gin.Context) {
	out, err := s.Consents.States(c.Request.Context(), scope(c), me(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) setMyConsent(c *gin.Context) { s.setConsentFor(c, me(c)) }

func (s *Server) myExports(c *gin.Context) {
	out, err := s.Subjects.Exports(c.Request.Context(), scope(c), me(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) startMyExport(c *gin.Context) {
	out, err := s.Subjects.StartExport(c.Request.Context(), scope(c), me(c), nil)
	reply(c, http.StatusAccepted, out, err)
}

func (s *Server) downloadMyExport(c *gin.Context) {
	id, err := pathID(c, "export")
	if err != nil {
		fail(c, err)
		return
	}
	e, err := s.Subjects.GetExport(c.Request.Context(), scope(c), id)
	if err == nil && e.PersonID != me(c) {
		err = fmt.Errorf("export %s: %w", id, errs.ErrNotFound)
	}
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Subjects.Download(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) myChildren(c *gin.Context) {
	out, err := s.Consents.Children(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

// child reads :id and checks it is one of the caller's children.
func (s *Server) child(c *gin.Context) (uuid.UUID, bool) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return uuid.Nil, false
	}
	kids, err := s.Consents.Children(c.Request.Context(), scope(c))
	if err != nil {
		fail(c, err)
		return uuid.Nil, false
	}
	for _, k := range kids {
		if k.ID == id {
			return id, true
		}
	}
	fail(c, fmt.Errorf("child %s: %w", id, errs.ErrNotFound))
	return uuid.Nil, false
}

func (s *Server) childConsents(c *gin.Context) {
	if id, ok := s.child(c); ok {
		out, err := s.Consents.States(c.Request.Context(), scope(c), id)
		reply(c, http.StatusOK, out, err)
	}
}

func (s *Server) setChildConsent(c *gin.Context) {
	if id, ok := s.child(c); ok {
		s.setConsentFor(c, id)
	}
}

func (s *Server) openChildRequest(c *gin.Context) {
	if id, ok := s.child(c); ok {
		s.openRequestFor(c, id, "guardian")
	}
}
