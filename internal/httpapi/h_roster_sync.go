package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// rosterSyncRoutes are where a school's MIS sync tool delivers roster
// files. The route is public to the kernel because no person signs in:
// the handler itself accepts only a live integration credential of the
// tenant in the path (identity does not know such a secret, so it opens
// no other route).
func (s *Server) rosterSyncRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: tp + "/roster/deliveries",
			Summary: "An MIS sync tool delivers OneRoster CSV files (multipart parts users.csv, roles.csv, classes.csv, enrollments.csv, …, or a zip in part \"file\") with `Authorization: Bearer <integration credential>`; the school's schedule applies the latest delivery and its result is on the import history",
			Area:    request.AreaPublic, Public: true, Upload: true,
			Status: http.StatusAccepted, Reply: rostersync.Delivery{}, API: s.deliverRoster},
	}
}

func (s *Server) deliverRoster(c *gin.Context) (any, error) {
	secret, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || secret == "" {
		return nil, errs.New(errs.ErrUnauthenticated, "Send the roster sync credential as `Authorization: Bearer <credential>`")
	}
	caller, err := s.rosterCaller(c, secret)
	if err != nil {
		return nil, err
	}
	// The path names the credential's own tenant, or nothing: another
	// tenant answers 404, as everywhere.
	key := c.Param("tenant")
	id, perr := uuid.Parse(key)
	if perr != nil {
		t, err := s.Tenants.BySlug(c.Request.Context(), key)
		if err != nil {
			return nil, err
		}
		id = t.ID
	}
	if id != caller.TenantID {
		return nil, errs.New(errs.ErrNotFound, "No such tenant")
	}
	// After the contract's end the school's data is read-only, for its
	// sync tool as for its admins.
	ct, err := s.Tenants.CurrentContract(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if ct.Ended(time.Now()) {
		return nil, errs.New(errs.ErrConflict, "The school's contract has ended: its roster can no longer change")
	}
	files, err := readRosterParts(c)
	if err != nil {
		return nil, err
	}
	return s.RosterSync.Deliver(c.Request.Context(), caller, files)
}

// rosterCaller is who delivers: an MIS sync tool's roster credential, or
// an integration's access token with the roster:write scope (its call is
// in the audit trail under its name, as every integration call is).
func (s *Server) rosterCaller(c *gin.Context, secret string) (rostersync.Caller, error) {
	if !integration.IsToken(secret) {
		return s.RosterSync.Authenticate(c.Request.Context(), secret)
	}
	p, err := s.Integrations.Authenticate(c.Request.Context(), secret)
	if err != nil {
		return rostersync.Caller{}, err
	}
	if !integration.HasScope(p, integration.RosterWrite) {
		return rostersync.Caller{}, errs.New(errs.ErrForbidden, "This integration may not deliver roster files: it needs the roster:write scope")
	}
	if _, err := s.Integrations.Call(c.Request.Context(), p, c.Request.Method+" "+c.Request.URL.RequestURI()); err != nil {
		return rostersync.Caller{}, err
	}
	return s.RosterSync.CallerOf(c.Request.Context(), p.TenantID, p.ID)
}
