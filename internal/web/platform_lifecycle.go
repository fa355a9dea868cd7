package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/request"
)

// lifecyclePages are the operators' contract-end actions on a tenant's
// page: delete its data once the return window ended, download the
// certificate, back it up now.
func (s *Site) lifecyclePages() []request.Route {
	return []request.Route{
		{Method: "POST", Path: "/platform/tenants/:id/deletion", Summary: "Delete a tenant's data after its return window", Area: request.AreaPlatform, Object: "tenant-deletion", Action: "write", Handler: s.startDeletion},
		{Method: "GET", Path: "/platform/tenants/:id/certificate", Summary: "Download a tenant's deletion certificate", Area: request.AreaPlatform, Object: "tenant-deletion", Action: "read", Handler: s.downloadCertificate},
		{Method: "POST", Path: "/platform/tenants/:id/backups", Summary: "Back a tenant up now", Area: request.AreaPlatform, Object: "backup", Action: "write", Handler: s.backUpNow},
		{Method: "POST", Path: "/platform/tenants/:id/restores", Summary: "Restore one of a tenant's backups into a new tenant", Area: request.AreaPlatform, Object: "backup", Action: "write", Handler: s.restoreBackup},
	}
}

// contractEnd is the tenant page's contract-end section.
type contractEnd struct {
	Deletion  *lifecycle.Deletion
	Outlook   *lifecycle.Outlook // when the deletion starts by itself, and what keeps it
	Backups   []backup.Backup
	Restores  []backup.Restore
	CanDelete bool
	CanBackup bool
}

// contractEndOf reads what the tenant page shows of contract end.
func (s *Site) contractEndOf(c *gin.Context, d *tenantData) error {
	ctx, p := c.Request.Context(), request.Principal(c)
	d.End.CanDelete, d.End.CanBackup = s.allowed(c, p, "tenant-deletion", "write"), s.allowed(c, p, "backup", "write")
	if s.allowed(c, p, "tenant-deletion", "read") {
		del, err := s.d.Lifecycle.Get(ctx, d.T.ID)
		switch {
		case err == nil:
			d.End.Deletion = &del
		case !errors.Is(err, errs.ErrNotFound):
			return err
		}
		o, err := s.d.Lifecycle.OutlookOf(ctx, d.T.ID)
		if err != nil {
			return err
		}
		if !s.allowed(c, p, "legal-order", "read") {
			o = o.WithoutOrders()
		}
		d.End.Outlook = &o
	}
	if s.allowed(c, p, "backup", "read") {
		var err error
		if d.End.Backups, err = s.d.Backups.Catalogue(ctx, d.T.ID); err != nil {
			return err
		}
		if d.End.Restores, err = s.d.Backups.Restores(ctx, d.T.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Site) startDeletion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such tenant.")
		return
	}
	if _, err := s.d.Lifecycle.Start(c.Request.Context(), request.Principal(c).ID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/platform/tenants/"+id.String()+"?done=deletion-started")
}

func (s *Site) downloadCertificate(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such tenant.")
		return
	}
	cert, err := s.d.Lifecycle.CertificateOf(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Compact: the certificate's bytes are exactly the ones signed.
	body, err := json.Marshal(cert)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="deletion-certificate-`+id.String()+`.json"`)
	c.Data(http.StatusOK, "application/json", body)
}

func (s *Site) backUpNow(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such tenant.")
		return
	}
	if _, err := s.d.Tenants.Get(c.Request.Context(), id, request.Principal(c).ID); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.d.Backups.Make(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/platform/tenants/"+id.String()+"?done=backed-up")
}

func (s *Site) restoreBackup(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		s.Error(c, http.StatusNotFound, "There is no such tenant.")
		return
	}
	b, err := uuid.Parse(c.PostForm("backup"))
	if err != nil {
		s.fail(c, errs.Field("backup", "choose one of the tenant's backups"))
		return
	}
	in := backup.RestoreRequest{Slug: c.PostForm("slug"), Name: c.PostForm("name"), Instruction: c.PostForm("instruction")}
	if _, err := s.d.Backups.StartRestore(c.Request.Context(), request.Principal(c).ID, b, id, in); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/platform/tenants/"+id.String()+"?done=restore-queued")
}
