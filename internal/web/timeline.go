package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/httpapi"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// timelinePages are the school's view of its contract's end: when the
// contract ends, until when it can take its data back, when deletion can
// run, and each backup holding its data with the day it is purged.
func (s *Site) timelinePages() []httpapi.Route {
	return []httpapi.Route{
		{Method: "GET", Path: tp + "/admin/contract", Summary: "The contract's timeline: end, return window, deletion, backups", Area: httpapi.AreaTenant, Object: "records-of-processing", Action: "read", Handler: s.timelinePage},
	}
}

type timelineData struct {
	Base        string
	Contract    tenant.Contract
	ReturnUntil *time.Time
	Deletion    *lifecycle.Deletion
	Backups     []backup.Backup
}

func (s *Site) timelinePage(c *gin.Context) {
	ctx, sc := c.Request.Context(), httpapi.ScopeOf(c)
	_, ct, err := s.d.Tenants.ForMember(ctx, sc.Tenant())
	if err != nil {
		s.fail(c, err)
		return
	}
	d := timelineData{Base: base(c), Contract: ct}
	if ct.EndsOn != nil {
		from := ct.EndsOn.Time
		if set := ct.UpdatedAt.UTC().Truncate(24 * time.Hour); set.After(from) {
			from = set
		}
		until := from.AddDate(0, 0, ct.ReturnWindowDays)
		d.ReturnUntil = &until
	}
	if del, err := s.d.Lifecycle.Get(ctx, sc.Tenant()); err == nil {
		d.Deletion = &del
	} else if !errors.Is(err, errs.ErrNotFound) {
		s.fail(c, err)
		return
	}
	if d.Backups, err = s.d.Backups.Catalogue(ctx, sc.Tenant()); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_timeline", view{Title: "Contract and your data", Data: d})
}
