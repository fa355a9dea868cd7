package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/request"
)

// lifecycleRoutes are contract-end deletion and its certificate, for
// operators.
func (s *Server) lifecycleRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: pp + "/tenants/:id/deletion",
			Summary: "Delete a tenant's data after its contract and return window ended (a job; follow its progress)",
			Area:    request.AreaPlatform, Object: "tenant-deletion", Action: "write",
			Status: http.StatusAccepted, Reply: lifecycle.Deletion{}, API: request.StaffByID("id", s.Lifecycle.Start)},
		{Method: "GET", Path: pp + "/tenants/:id/deletion", Summary: "A tenant's deletion and its progress",
			Area: request.AreaPlatform, Object: "tenant-deletion", Action: "read", Reply: lifecycle.Deletion{},
			API: request.OnlyID("id", s.Lifecycle.Get)},
		{Method: "GET", Path: pp + "/tenants/:id/backups",
			Summary: "A tenant's backups: made, expiry (at most 7 years), status", Area: request.AreaPlatform,
			Object: "backup", Action: "read", Reply: request.Page[backup.Backup]{},
			API: s.backups},
		{Method: "POST", Path: pp + "/tenants/:id/backups", Summary: "Back a tenant up now",
			Area: request.AreaPlatform, Object: "backup", Action: "write", Status: http.StatusCreated,
			Reply: backup.Backup{}, API: s.backUpTenant},
		{Method: "POST", Path: pp + "/tenants/:id/backup-key/destroy",
			Summary: "Destroy a tenant's backup key on the school's instruction: every backup of it becomes unreadable at once",
			Area:    request.AreaPlatform, Object: "backup", Action: "write", Status: http.StatusNoContent,
			Request: ShredRequest{}, API: s.destroyBackupKey},
		{Method: "GET", Path: tp + "/full-exports",
			Summary: "The school's full exports (every table and file) with progress",
			Area:    request.AreaTenant, Object: "tenant-export", Action: "read",
			Reply: request.Page[handback.TenantExport]{},
			API:   request.PagedScoped(handback.TenantExport.At, s.Handback.ExportPage)},
		{Method: "POST", Path: tp + "/full-exports",
			Summary: "Make a full export of the school's data now (a job; also made at contract end)",
			Area:    request.AreaTenant, AfterEnd: true, Object: "tenant-export", Action: "write",
			Status: http.StatusAccepted, Reply: handback.TenantExport{}, API: s.startTenantExport},
		{Method: "GET", Path: tp + "/full-exports/:id/download",
			Summary: "A download link for a finished full export (until it expires)", Area: request.AreaTenant,
			Object: "tenant-export", Action: "read", Reply: files.Link{}, API: request.ByID("id", s.Handback.DownloadExport)},
		{Method: "GET", Path: v1 + "/deletion-certificates/:id",
			Summary: "A deletion certificate by the deletion's id, for the school to keep (no personal data; check it with `lms certificate verify`)",
			Public:  true, Reply: lifecycle.Signed{}, API: certificate(s.Lifecycle.CertificateOfDeletion)},
		{Method: "POST", Path: pp + "/backups/:id/restore",
			Summary: "Restore a backup into a new tenant, erasing again everyone erased since (a job; an instruction is required for a deleted tenant)",
			Area:    request.AreaPlatform, Object: "backup", Action: "write", Status: http.StatusAccepted,
			Request: backup.RestoreRequest{}, Reply: backup.Restore{}, API: s.startRestore},
		{Method: "GET", Path: pp + "/restores/:id", Summary: "A restore and its outcome",
			Area: request.AreaPlatform, Object: "backup", Action: "read", Reply: backup.Restore{},
			API: request.OnlyID("id", s.Backups.GetRestore)},
		{Method: "GET", Path: pp + "/tenants/:id/deletion/certificate",
			Summary: "The signed deletion certificate (check it with `lms certificate verify`)",
			Area:    request.AreaPlatform, Object: "tenant-deletion", Action: "read", Reply: lifecycle.Signed{},
			API: certificate(s.Lifecycle.CertificateOf)},
	}
}

// certificate answers the deletion certificate find finds for the path id
// (a tenant's for operators, a deletion's for the public route) as a file
// for the school to keep.
func certificate(find func(context.Context, uuid.UUID) (lifecycle.Signed, error)) request.Handler {
	return func(c *gin.Context) (any, error) {
		id, err := request.PathID(c, "id")
		if err != nil {
			return nil, err
		}
		out, err := find(c.Request.Context(), id)
		if err == nil {
			c.Header("Content-Disposition", `attachment; filename="deletion-certificate-`+id.String()+`.json"`)
		}
		return out, err
	}
}

func (s *Server) backUpTenant(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	if _, err := s.Tenants.Get(c.Request.Context(), id, request.Principal(c).ID); err != nil {
		return nil, err
	}
	return s.Backups.Make(c.Request.Context(), id)
}

// ShredRequest records whose instruction a crypto-shredding carries out.
type ShredRequest struct {
	Instruction string `json:"instruction" binding:"required,max=500"`
}

func (s *Server) destroyBackupKey(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[ShredRequest](c, "id")
	if err != nil {
		return nil, err
	}
	return nil, s.Backups.DestroyKey(c.Request.Context(), id, in.Instruction)
}

func (s *Server) startTenantExport(c *gin.Context) (any, error) {
	return s.Handback.StartExport(c.Request.Context(), request.Scope(c), handback.ReasonOnRequest)
}

func (s *Server) startRestore(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[backup.RestoreRequest](c, "id")
	if err != nil {
		return nil, err
	}
	return s.Backups.StartRestore(c.Request.Context(), request.Principal(c).ID, id, uuid.Nil, in)
}
