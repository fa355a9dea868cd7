package httpapi

import (
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/breach"
	"github.com/schoolcloud/lms/internal/processor/datause"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/usage"
)

// The lists below come whole from services that do not take a page yet
// (the processor's registers, the usage report, the roster's schools):
// each answers a request.Page sliced from the whole list (ListedFrom), in
// the service's own order, its items placed by id.

func breachAt(b breach.Breach) (string, uuid.UUID)              { return "", b.ID }
func agreementAt(a datause.Agreement) (string, uuid.UUID)       { return "", a.ID }
func extractAt(x datause.Extract) (string, uuid.UUID)           { return "", x.ID }
func backupAt(b backup.Backup) (string, uuid.UUID)              { return "", b.ID }
func staffAt(m support.StaffMember) (string, uuid.UUID)         { return "", m.ID }
func subProcessorAt(p support.SubProcessor) (string, uuid.UUID) { return "", p.ID }
func alertAt(a alert.Alert) (string, uuid.UUID)                 { return "", a.ID }
func schoolAt(s tenant.School) (string, uuid.UUID)              { return "", s.ID }
func rosterSchoolAt(s roster.School) (string, uuid.UUID)        { return "", s.ID }

// usageAt places a usage row by its day and part (rows have no id).
func usageAt(r usage.Row) (string, uuid.UUID) { return r.Day + " " + r.Area, uuid.Nil }

func (s *Server) breaches(c *gin.Context) (any, error) {
	all, err := s.Breaches.List(c.Request.Context(), 200)
	return request.ListedFrom(c, breachAt, all, err)
}

func (s *Server) extracts(c *gin.Context) (any, error) {
	id, err := s.tenantParam(c, nil)
	if err != nil {
		return nil, err
	}
	all, err := s.DataUse.Extracts(c.Request.Context(), id)
	return request.ListedFrom(c, extractAt, all, err)
}

func (s *Server) backups(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	all, err := s.Backups.Catalogue(c.Request.Context(), id)
	return request.ListedFrom(c, backupAt, all, err)
}

func (s *Server) staffList(c *gin.Context) (any, error) {
	all, err := s.Support.Staff(c.Request.Context())
	return request.ListedFrom(c, staffAt, all, err)
}

func (s *Server) subProcessorRegister(c *gin.Context) (any, error) {
	all, err := s.Support.SubProcessors(c.Request.Context(), nil)
	return request.ListedFrom(c, subProcessorAt, all, err)
}

func (s *Server) tenantSubProcessors(c *gin.Context) (any, error) {
	sc := request.Scope(c)
	all, err := s.Support.SubProcessors(c.Request.Context(), &sc)
	return request.ListedFrom(c, subProcessorAt, all, err)
}

func (s *Server) alerts(c *gin.Context) (any, error) {
	audience := identity.RoleApprover
	if s.may(c, "person", "write") {
		audience = identity.RoleAdmin
	}
	all, err := s.Alerts.List(c.Request.Context(), request.Scope(c), audience, 50)
	return request.ListedFrom(c, alertAt, all, err)
}

func (s *Server) usageReport(c *gin.Context) (any, error) {
	all, err := usage.Of(c.Request.Context(), s.DB, request.Scope(c))
	return request.ListedFrom(c, usageAt, all, err)
}

// AccessLogQuery documents the access log's older query parameter.
type AccessLogQuery struct {
	Before int64 `form:"before" doc:"start below this record number (older clients; prefer cursor)"`
}

// accessLog pages the access transparency log, newest first, by record
// number: the cursor carries the last number seen, and ?before= (what this
// list took before it paged like the others) still works.
func (s *Server) accessLog(c *gin.Context) (any, error) {
	at := func(r audit.Record) (string, uuid.UUID) { return strconv.FormatInt(r.Seq, 10), uuid.Nil }
	return request.ListedAt(c, at, func(p database.Page) ([]audit.Record, error) {
		before, v := int64(0), c.Query("before")
		if p.Key != "" {
			v = p.Key
		}
		if v != "" {
			var err error
			if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
				return nil, errs.Field("before", "must be a record number from a previous page")
			}
		}
		return s.Support.AccessLog(c.Request.Context(), request.Scope(c), before, p.Limit)
	})
}
