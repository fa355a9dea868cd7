package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
)

// lifecycleRoutes are contract-end deletion and its certificate, for
// operators.
func (s *Server) lifecycleRoutes() []Route {
	return []Route{
		{Method: "POST", Path: pp + "/tenants/:id/deletion", Summary: "Delete a tenant's data after its contract and return window ended (a job; follow its progress)", Area: AreaPlatform, Object: "tenant-deletion", Action: "write", Status: http.StatusAccepted, Reply: lifecycle.Deletion{}, Handler: s.startDeletion},
		{Method: "GET", Path: pp + "/tenants/:id/deletion", Summary: "A tenant's deletion and its progress", Area: AreaPlatform, Object: "tenant-deletion", Action: "read", Reply: lifecycle.Deletion{}, Handler: s.getDeletion},
		{Method: "GET", Path: pp + "/tenants/:id/backups", Summary: "A tenant's backups: made, expiry (at most 7 years), status", Area: AreaPlatform, Object: "backup", Action: "read", Reply: []backup.Backup{}, Handler: s.tenantBackups},
		{Method: "POST", Path: pp + "/tenants/:id/backups", Summary: "Back a tenant up now", Area: AreaPlatform, Object: "backup", Action: "write", Status: http.StatusCreated, Reply: backup.Backup{}, Handler: s.backUpTenant},
		{Method: "POST", Path: pp + "/tenants/:id/backup-key/destroy", Summary: "Destroy a tenant's backup key on the school's instruction: every backup of it becomes unreadable at once", Area: AreaPlatform, Object: "backup", Action: "write", Status: http.StatusNoContent, Request: ShredRequest{}, Handler: s.destroyBackupKey},
		{Method: "GET", Path: tp + "/full-exports", Summary: "The school's full exports (every table and file) with progress", Area: AreaTenant, Object: "tenant-export", Action: "read", Reply: []handback.TenantExport{}, Handler: s.tenantExports},
		{Method: "POST", Path: tp + "/full-exports", Summary: "Make a full export of the school's data now (a job; also made at contract end)", Area: AreaTenant, Object: "tenant-export", Action: "write", AfterEnd: true, Status: http.StatusAccepted, Reply: handback.TenantExport{}, Handler: s.startTenantExport},
		{Method: "GET", Path: tp + "/full-exports/:id/download", Summary: "A download link for a finished full export (until it expires)", Area: AreaTenant, Object: "tenant-export", Action: "read", Reply: files.Link{}, Handler: s.downloadTenantExport},
		{Method: "GET", Path: v1 + "/deletion-certificates/:id", Summary: "A deletion certificate by the deletion's id, for the school to keep (no personal data; check it with `lms certificate verify`)", Public: true, Reply: lifecycle.Signed{}, Handler: s.publicCertificate},
		{Method: "POST", Path: pp + "/backups/:id/restore", Summary: "Restore a backup into a new tenant, erasing again everyone erased since (a job; an instruction is required for a deleted tenant)", Area: AreaPlatform, Object: "backup", Action: "write", Status: http.StatusAccepted, Request: backup.RestoreRequest{}, Reply: backup.Restore{}, Handler: s.startRestore},
		{Method: "GET", Path: pp + "/restores/:id", Summary: "A restore and its outcome", Area: AreaPlatform, Object: "backup", Action: "read", Reply: backup.Restore{}, Handler: s.getRestore},
		{Method: "GET", Path: pp + "/tenants/:id/deletion/certificate", Summary: "The signed deletion certificate (check it with `lms certificate verify`)", Area: AreaPlatform, Object: "tenant-deletion", Action: "read", Reply: lifecycle.Signed{}, Handler: s.deletionCertificate},
	}
}

func (s *Server) startDeletion(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Lifecycle.Start(c.Request.Context(), principal(c).ID, id)
	reply(c, http.StatusAccepted, out, err)
}

func (s *Server) getDeletion(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Lifecycle.Get(c.Request.Context(), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) deletionCertificate(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Lifecycle.CertificateOf(c.Request.Context(), id)
	if err == nil {
		c.Header("Content-Disposition", `attachment; filename="deletion-certificate-`+id.String()+`.json"`)
	}
	reply(c, http.StatusOK, out, err)
}

func (s *Server) tenantBackups(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Backups.Catalogue(c.Request.Context(), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) backUpTenant(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := s.Tenants.Get(c.Request.Context(), id, principal(c).ID); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Backups.Make(c.Request.Context(), id)
	reply(c, http.StatusCreated, out, err)
}

// ShredRequest records whose instruction a crypto-shredding carries out.
type ShredRequest struct {
	Instruction string `json:"instruction" binding:"required,max=500"`
}

func (s *Server) destroyBackupKey(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in ShredRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	noContent(c, s.Backups.DestroyKey(c.Request.Context(), id, in.Instruction))
}

func (s *Server) tenantExports(c *gin.Context) {
	out, err := s.Handback.Exports(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) startTenantExport(c *gin.Context) {
	out, err := s.Handback.StartExport(c.Request.Context(), scope(c), handback.ReasonOnRequest)
	reply(c, http.StatusAccepted, out, err)
}

func (s *Server) downloadTenantExport(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Handback.DownloadExport(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) publicCertificate(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Lifecycle.CertificateOfDeletion(c.Request.Context(), id)
	if err == nil {
		c.Header("Content-Disposition", `attachment; filename="deletion-certificate-`+id.String()+`.json"`)
	}
	reply(c, http.StatusOK, out, err)
}

func (s *Server) startRestore(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var in backup.RestoreRequest
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Backups.StartRestore(c.Request.Context(), principal(c).ID, id, uuid.Nil, in)
	reply(c, http.StatusAccepted, out, err)
}

func (s *Server) getRestore(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Backups.GetRestore(c.Request.Context(), id)
	reply(c, http.StatusOK, out, err)
}
