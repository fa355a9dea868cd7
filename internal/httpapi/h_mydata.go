package httpapi

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// The "my" routes act on the caller alone: the person is the caller's own
// id, never taken from the request.

func me(c *gin.Context) uuid.UUID { return request.Scope(c).Actor().ID }

func (s *Server) myRequests(c *gin.Context) (any, error) {
	id := me(c)
	return request.ListedAt(c, subject.Request.At, func(p database.Page) ([]subject.Request, error) {
		return s.Subjects.List(c.Request.Context(), request.Scope(c), subject.Filter{PersonID: &id}, p)
	})
}

// openRequestFor records a request about person asked by the caller in
// relation (self or guardian).
func (s *Server) openRequestFor(c *gin.Context, person uuid.UUID, relation consent.Relation) (any, error) {
	var in MyRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return s.Subjects.Open(c.Request.Context(), request.Scope(c), relation, subject.NewRequest{PersonID: person, Kind: in.Kind, Details: in.Details})
}

func (s *Server) openMyRequest(c *gin.Context) (any, error) {
	return s.openRequestFor(c, me(c), consent.BySelf)
}

func (s *Server) myConsents(c *gin.Context) (any, error) {
	return request.ListedAt(c, consent.State.At, func(p database.Page) ([]consent.State, error) {
		return s.Consents.StatePage(c.Request.Context(), request.Scope(c), me(c), p)
	})
}

func (s *Server) setMyConsent(c *gin.Context) (any, error) { return s.setConsentFor(c, me(c)) }

func (s *Server) myExports(c *gin.Context) (any, error) {
	return request.ListedAt(c, subject.Export.At, func(p database.Page) ([]subject.Export, error) {
		return s.Subjects.ExportPage(c.Request.Context(), request.Scope(c), me(c), p)
	})
}

func (s *Server) startMyExport(c *gin.Context) (any, error) {
	return s.Subjects.StartExport(c.Request.Context(), request.Scope(c), me(c), nil)
}

func (s *Server) downloadMyExport(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "export")
	if err != nil {
		return nil, err
	}
	e, err := s.Subjects.GetExport(c.Request.Context(), request.Scope(c), id)
	if err == nil && e.PersonID != me(c) {
		err = errs.New(errs.ErrNotFound, "export %s", id)
	}
	if err != nil {
		return nil, err
	}
	return s.Subjects.Download(c.Request.Context(), request.Scope(c), id)
}

// child reads :id and checks it is one of the caller's children.
func (s *Server) child(c *gin.Context) (uuid.UUID, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return uuid.Nil, err
	}
	kids, err := s.Consents.Children(c.Request.Context(), request.Scope(c))
	if err != nil {
		return uuid.Nil, err
	}
	for _, k := range kids {
		if k.ID == id {
			return id, nil
		}
	}
	return uuid.Nil, errs.New(errs.ErrNotFound, "child %s", id)
}

func (s *Server) childConsents(c *gin.Context) (any, error) {
	id, err := s.child(c)
	if err != nil {
		return nil, err
	}
	return request.ListedAt(c, consent.State.At, func(p database.Page) ([]consent.State, error) {
		return s.Consents.StatePage(c.Request.Context(), request.Scope(c), id, p)
	})
}

func (s *Server) setChildConsent(c *gin.Context) (any, error) {
	id, err := s.child(c)
	if err != nil {
		return nil, err
	}
	return s.setConsentFor(c, id)
}

func (s *Server) openChildRequest(c *gin.Context) (any, error) {
	id, err := s.child(c)
	if err != nil {
		return nil, err
	}
	return s.openRequestFor(c, id, consent.ByGuardian)
}
