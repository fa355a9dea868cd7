package web

import (
	"errors"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// timelinePages are the school's view of its contract's end: when the
// contract ends, until when it can take its data back, when deletion can
// run, and each backup holding its data with the day it is purged.
func (s *Site) timelinePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/admin/contract",
			Summary: "The contract's timeline: end, return window, full exports, deletion, backups",
			Area:    request.AreaTenant, Object: "tenant-export", Action: "read",
			Handler: s.serve(s.timelinePage)},
		{Method: "POST", Path: tp + "/admin/contract/exports",
			Summary: "Make a full export of the school's data", Area: request.AreaTenant, AfterEnd: true,
			Object: "tenant-export", Action: "write", Handler: s.serve(s.startTenantExport)},
		{Method: "GET", Path: tp + "/admin/contract/exports/:export/download",
			Summary: "Download a full export", Area: request.AreaTenant, Object: "tenant-export",
			Action: "read", Handler: s.serve(withID("export", "There is no such export.", s.downloadTenantExport))},
	}
}

type timelineData struct {
	Base        string
	Contract    tenant.Contract
	ReturnUntil *time.Time
	Ended       bool
	Exports     []handback.TenantExport
	Deletion    *lifecycle.Deletion
	Backups     []backup.Backup
	// Holds are the school's legal holds in force: they keep its data
	// from deletion after the return window until released.
	Holds int
}

func (s *Site) startTenantExport(c *gin.Context) (page, error) {
	_, err := s.d.Handback.StartExport(c.Request.Context(), request.Scope(c), handback.ReasonOnRequest)
	return goTo(base(c) + "/admin/contract?done=tenant-export"), err
}

func (s *Site) downloadTenantExport(c *gin.Context, id uuid.UUID) (page, error) {
	link, err := s.d.Handback.DownloadExport(c.Request.Context(), request.Scope(c), id)
	return goTo(link.URL), err
}

func (s *Site) timelinePage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	_, ct, err := s.d.Tenants.ForMember(ctx, sc.Tenant())
	if err != nil {
		return page{}, err
	}
	d := timelineData{Base: base(c), Contract: ct}
	d.Ended, d.ReturnUntil = ct.Ended(time.Now()), ct.ReturnUntil()
	if del, err := s.d.Lifecycle.Get(ctx, sc.Tenant()); err == nil {
		d.Deletion = &del
	} else if !errors.Is(err, errs.ErrNotFound) {
		return page{}, err
	}
	if d.Exports, err = s.d.Handback.Exports(ctx, sc); err != nil {
		return page{}, err
	}
	if d.Backups, err = s.d.Backups.Catalogue(ctx, sc.Tenant()); err != nil {
		return page{}, err
	}
	if d.ReturnUntil != nil && d.Deletion == nil && s.allowed(c, request.Principal(c), "retention", "read") {
		holds, err := s.d.Retention.Holds(ctx, sc)
		if err != nil {
			return page{}, err
		}
		d.Holds = len(holds)
	}
	return show("admin_timeline", view{Title: "Contract and your data", Data: d}), nil
}
