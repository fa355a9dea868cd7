// Package files stores the bytes a tenant uploads (course files, video,
// audio, submissions, feedback) in the object store, in the bucket of the
// tenant's region under t/{tenant_id}/, and keeps one row per object.
//
// Uploads stream: the body passes through a size limit, a content-type
// check on its first bytes and a SHA-256 on its way to a multipart upload,
// so memory stays at a few parts whatever the file's size. Downloads are
// short-lived presigned URLs, issued by the service that owns the file's
// context after it has authorized the caller. Removing a file marks its row
// 'deleting' in the caller's transaction; the objects (every version) are
// removed right after commit, and a periodic sweep finishes anything a crash
// left behind.
package files

import (
	"time"

	"github.com/google/uuid"
)

// Status is where a file row is; the value is what files.status holds.
type Status string

// Statuses of a file row.
const (
	// StatusUploading: the row is recorded and the object is being written.
	StatusUploading Status = "uploading"
	// StatusReady: the object is stored and may be read or attached.
	StatusReady Status = "ready"
	// StatusDeleting: the row is doomed; Purge removes its objects, then it.
	StatusDeleting Status = "deleting"
)

// Purposes a ready file can be attached to.
const (
	ForContent      = "content"
	ForSubmission   = "submission"
	ForFeedback     = "feedback"
	ForExport       = "export"
	ForTenantExport = "tenant-export"
	ForPhoto        = "photo"
	ForRecording    = "recording"
)

// File is one stored object.
type File struct {
	TenantID    uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID  `gorm:"primaryKey" json:"id"`
	ObjectKey   string     `json:"-"`
	Name        string     `json:"name"`
	ContentType string     `json:"content_type"`
	SizeBytes   int64      `json:"size_bytes"`
	SHA256      []byte     `gorm:"column:sha256" json:"-"`
	Status      Status     `json:"status"`
	AttachedTo  *string    `json:"attached_to,omitempty"`
	UploadedBy  *uuid.UUID `json:"uploaded_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// TableName is the gorm table.
func (File) TableName() string { return "files" }

// Link is a presigned download URL.
type Link struct {
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expires_at"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
}

// Key is the object key of a file: the tenant prefix and the file id,
// nothing a person could be recognised from.
func Key(tenant, id uuid.UUID) string { return "t/" + tenant.String() + "/files/" + id.String() }
