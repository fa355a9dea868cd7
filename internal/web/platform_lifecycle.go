package web

import (
	"encoding/json"
	"errors"

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
		{Method: "POST", Path: "/platform/tenants/:id/deletion",
			Summary: "Delete a tenant's data after its return window", Area: request.AreaPlatform,
			Object: "tenant-deletion", Action: "write", Handler: s.serve(withID("id", "There is no such tenant.", s.startDeletion))},
		{Method: "GET", Path: "/platform/tenants/:id/certificate",
			Summary: "Download a tenant's deletion certificate", Area: request.AreaPlatform,
			Object: "tenant-deletion", Action: "read", Handler: s.serve(withID("id", "There is no such tenant.", s.downloadCertificate))},
		{Method: "POST", Path: "/platform/tenants/:id/backups", Summary: "Back a tenant up now",
			Area: request.AreaPlatform, Object: "backup", Action: "write", Handler: s.serve(withID("id", "There is no such tenant.", s.backUpNow))},
		{Method: "POST", Path: "/platform/tenants/:id/restores",
			Summary: "Restore one of a tenant's backups into a new tenant", Area: request.AreaPlatform,
			Object: "backup", Action: "write", Handler: s.serve(withID("id", "There is no such tenant.", s.restoreBackup))},
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

func (s *Site) startDeletion(c *gin.Context, id uuid.UUID) (page, error) {
	_, err := s.d.Lifecycle.Start(c.Request.Context(), request.Principal(c).ID, id)
	return goTo("/platform/tenants/" + id.String() + "?done=deletion-started"), err
}

// downloadCertificate sends the signed deletion certificate as a file.
func (s *Site) downloadCertificate(c *gin.Context, id uuid.UUID) (page, error) {
	name, body, err := s.deletionCertificate(c, id)
	if err != nil {
		return page{}, err
	}
	return send(file{contentType: "application/json", body: body, attachment: name}), nil
}

// deletionCertificate is the tenant's signed certificate: file name and bytes.
func (s *Site) deletionCertificate(c *gin.Context, id uuid.UUID) (string, []byte, error) {
	cert, err := s.d.Lifecycle.CertificateOf(c.Request.Context(), id)
	if err != nil {
		return "", nil, err
	}
	// Compact: the certificate's bytes are exactly the ones signed.
	body, err := json.Marshal(cert)
	if err != nil {
		return "", nil, err
	}
	return "deletion-certificate-" + id.String() + ".json", body, nil
}

func (s *Site) backUpNow(c *gin.Context, id uuid.UUID) (page, error) {
	if _, err := s.d.Tenants.Get(c.Request.Context(), id, request.Principal(c).ID); err != nil {
		return page{}, err
	}
	_, err := s.d.Backups.Make(c.Request.Context(), id)
	return goTo("/platform/tenants/" + id.String() + "?done=backed-up"), err
}

func (s *Site) restoreBackup(c *gin.Context, id uuid.UUID) (page, error) {
	b, err := uuid.Parse(c.PostForm("backup"))
	if err != nil {
		return page{}, errs.Field("backup", "choose one of the tenant's backups")
	}
	in := backup.RestoreRequest{Slug: c.PostForm("slug"), Name: c.PostForm("name"), Instruction: c.PostForm("instruction")}
	_, err = s.d.Backups.StartRestore(c.Request.Context(), request.Principal(c).ID, b, id, in)
	return goTo("/platform/tenants/" + id.String() + "?done=restore-queued"), err
}
